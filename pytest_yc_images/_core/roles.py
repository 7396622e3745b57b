"""Access bindings: the subjects ``access.proto`` names, the roles the fake recognises on
an image and what each lets a subject do.

``access.proto`` documents the subject types and the system subject IDs (each "can be
used only if the [type] is `system`", an account ID only with the other types); the
schema checks only lengths and presence, so the rest is checked here. Which roles exist
and what they allow is IAM's, not ImageService's documentation: the table below is the
fake's choice (an unknown role is refused, naming the field and the roles it knows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ServiceError
from .model import AccessBinding

__all__ = [
    "ACTIONS",
    "ALL_AUTHENTICATED_USERS",
    "ALL_USERS",
    "GROUPS",
    "ROLES",
    "SUBJECT_TYPES",
    "SYSTEM_SUBJECTS",
    "WRITES",
    "binding_from_json",
    "binding_json",
    "check_subject",
    "roles_allowing",
    "verb",
]

SUBJECT_TYPES = ("userAccount", "serviceAccount", "federatedUser", "system")
ALL_AUTHENTICATED_USERS = "allAuthenticatedUsers"
ALL_USERS = "allUsers"
# The system subjects: two fixed IDs and the members of an organisation or a federation.
SYSTEM_SUBJECTS = re.compile(
    r"allAuthenticatedUsers|allUsers|group:(?:organization|federation):[^:\s]+:users"
)
GROUPS = re.compile(r"group:(?:organization|federation):[^:\s]+:users")

# What a role lets its subject do with the image it is granted on:
#   get: ImageService.Get of the image (and OperationService.Get of its operations);
#   use: name it as the source of a Create (imageId) in a folder of one's own;
#   list_operations, list_bindings: ListOperations, ListAccessBindings of the image;
#   update, delete: Update, Delete; set_bindings: Set/UpdateAccessBindings.
ACTIONS = ("get", "use", "list_operations", "list_bindings", "update", "delete", "set_bindings")
# The actions that change an image: nobody may do them to the public folder's.
WRITES = frozenset({"update", "delete", "set_bindings"})
_VERBS = {
    "list_operations": "list the operations of",
    "list_bindings": "list the access bindings of",
    "set_bindings": "change the access bindings of",
}
_VIEW = frozenset({"get", "list_operations", "list_bindings"})
_EDIT = _VIEW | {"use", "update", "delete"}
ROLES: Mapping[str, frozenset[str]] = {
    "compute.images.user": frozenset({"get", "use"}),
    "viewer": _VIEW,
    "compute.viewer": _VIEW,
    "editor": _EDIT,
    "compute.editor": _EDIT,
    "admin": frozenset(ACTIONS),
    "compute.admin": frozenset(ACTIONS),
}


def verb(action: str) -> str:
    """How a message says ``action``: "update", "list the operations of"..."""
    return _VERBS.get(action, action)


def roles_allowing(action: str) -> list[str]:
    """The roles that let their subject do ``action``, in the table's order."""
    return [role for role, actions in ROLES.items() if action in actions]


def check_subject(subject_id: str, subject_type: str, field: str) -> None:
    """INVALID_ARGUMENT naming ``field.type`` or ``field.id`` unless the pair is one
    ``access.proto`` allows."""
    if subject_type not in SUBJECT_TYPES:
        raise ServiceError.invalid(
            f"{field}.type",
            f"unknown subject type {subject_type[:100]!r}; the types: {', '.join(SUBJECT_TYPES)}",
        )
    system = SYSTEM_SUBJECTS.fullmatch(subject_id) is not None
    if subject_type == "system" and not system:
        raise ServiceError.invalid(
            f"{field}.id",
            "a system subject is allUsers, allAuthenticatedUsers, "
            "group:organization:<id>:users or group:federation:<id>:users, "
            f"not {subject_id[:100]!r}",
        )
    if subject_type != "system" and system:
        raise ServiceError.invalid(
            f"{field}.type", f"{subject_id[:100]!r} can be used only with the type system"
        )


def binding_from_json(raw: Mapping[str, Any], field: str) -> AccessBinding:
    """A binding from its JSON mapping (a validated request's), checked as above; an
    unknown role is INVALID_ARGUMENT naming ``field.roleId``."""
    role = raw["roleId"]
    if role not in ROLES:
        raise ServiceError.invalid(
            f"{field}.roleId",
            f"unknown role {role[:100]!r}; the roles the fake knows: {', '.join(ROLES)}",
        )
    subject = raw["subject"]
    check_subject(subject["id"], subject["type"], f"{field}.subject")
    return AccessBinding(role, subject["type"], subject["id"])


def binding_json(binding: AccessBinding) -> dict[str, Any]:
    """``binding`` in the JSON mapping."""
    return {
        "roleId": binding.role_id,
        "subject": {"id": binding.subject_id, "type": binding.subject_type},
    }
