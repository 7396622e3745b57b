"""Who calls, which folders they may use, and what an image's access bindings let them do.

``access=`` maps each accepted token to what it stands for: either a list of folder IDs
(the token's subject is then a ``userAccount`` whose ID is derived from the token, as
operations show it in ``createdBy``) or an object ``{"folders": [...], "subject": {"id":
..., "type": ...}, "groups": ["group:organization:<id>:users", ...]}``, each key optional.
A caller may act on an image if it may use the image's folder, or if a binding on the
image grants the action (``roles.ROLES``) to its subject: its own ID and type, the system
subjects ``allAuthenticatedUsers`` and ``allUsers`` (every caller: each is authenticated),
or a group it lists. Without ``access=`` everyone may do everything. Everyone may read the
public folder; nobody may change it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import Code, ServiceError
from .model import AccessBinding
from .roles import (
    ALL_AUTHENTICATED_USERS,
    ALL_USERS,
    GROUPS,
    ROLES,
    SUBJECT_TYPES,
    SYSTEM_SUBJECTS,
    WRITES,
    roles_allowing,
    verb,
)

__all__ = [
    "ACCESS_FIELDS",
    "PUBLIC_FOLDER",
    "TOKEN_SUBJECT_TYPES",
    "Access",
    "AccessConfigError",
    "Caller",
    "parse_access",
]

PUBLIC_FOLDER = "standard-images"
ACCESS_FIELDS = ("folders", "subject", "groups")  # the keys of a token's object form
# A token stands for one account: a system subject is a set of accounts, never a caller.
TOKEN_SUBJECT_TYPES = tuple(t for t in SUBJECT_TYPES if t != "system")
_SUBJECT_ID_MAX = 100  # Subject.id's (length) in access.proto: a binding can name it


@dataclass(frozen=True, slots=True)
class Caller:
    token: str
    subject: str  # the subject's ID, what operations show as createdBy
    subject_type: str = "userAccount"
    groups: frozenset[str] = frozenset()  # the system groups it is a member of
    folders: frozenset[str] = frozenset()  # with access= set: the folders it may use


class AccessConfigError(ValueError):
    """An ``access=`` entry that cannot be used: ``field`` names it (``access['t1'].
    subject.type``), ``problem`` says why and what would do."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _subject(token: str) -> str:
    """The account a token stands for, as operations show it in ``createdBy``."""
    return "aje" + hashlib.blake2s(token.encode(), digest_size=16).hexdigest()[:17]


@lru_cache(maxsize=1024)
def _caller(token: str) -> Caller:
    return Caller(token, _subject(token))  # immutable: one per token serves every call


def _strings(value: object, field: str, what: str) -> list[str]:
    """``value`` as a list of non-empty strings (a JSON array, a tuple, a set...)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise AccessConfigError(field, f"must be a list of {what}s, not {type(value).__name__}")
    items = list(value)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            why = f"must be a {what} (a non-empty string), not {item!r}"
            raise AccessConfigError(f"{field}[{index}]", why)
    return items


def _token_subject(value: object, field: str) -> tuple[str, str]:
    if not isinstance(value, Mapping):
        raise AccessConfigError(field, 'must be an object {"id": ..., "type": ...}')
    unknown = sorted(str(k) for k in value if k not in ("id", "type"))
    if unknown:
        raise AccessConfigError(f"{field}.{unknown[0]}", "unknown key; the keys: id, type")
    subject_id, subject_type = value.get("id"), value.get("type", "userAccount")
    types = ", ".join(TOKEN_SUBJECT_TYPES)
    if subject_type not in TOKEN_SUBJECT_TYPES:
        why = f"must be one of {types} (a token is one account), not {subject_type!r}"
        raise AccessConfigError(f"{field}.type", why)
    if not isinstance(subject_id, str) or not subject_id.strip():
        raise AccessConfigError(f"{field}.id", f"must be a non-empty string, not {subject_id!r}")
    if len(subject_id) > _SUBJECT_ID_MAX:
        raise AccessConfigError(f"{field}.id", f"must be at most {_SUBJECT_ID_MAX} characters")
    if SYSTEM_SUBJECTS.fullmatch(subject_id):
        why = f"{subject_id!r} is a system subject, not an account (groups go in groups)"
        raise AccessConfigError(f"{field}.id", why)
    return subject_id, subject_type


def _entry(token: str, value: object) -> Caller:
    field = f"access[{token[:40]!r}]"
    if not isinstance(value, Mapping):
        folders = _strings(value, field, "folder ID")
        return Caller(token, _subject(token), folders=frozenset(folders))
    unknown = sorted(str(k) for k in value if k not in ACCESS_FIELDS)
    if unknown:
        raise AccessConfigError(
            f"{field}.{unknown[0]}", f"unknown key; the keys: {', '.join(ACCESS_FIELDS)}"
        )
    folders = _strings(value.get("folders", []), f"{field}.folders", "folder ID")
    groups = _strings(value.get("groups", []), f"{field}.groups", "group ID")
    for index, group in enumerate(groups):
        if not GROUPS.fullmatch(group):
            raise AccessConfigError(
                f"{field}.groups[{index}]",
                f"must be group:organization:<id>:users or group:federation:<id>:users, "
                f"not {group[:100]!r}",
            )
    subject_id, subject_type = _subject(token), "userAccount"
    if "subject" in value:
        subject_id, subject_type = _token_subject(value["subject"], f"{field}.subject")
    return Caller(token, subject_id, subject_type, frozenset(groups), frozenset(folders))


def parse_access(config: Mapping[str, Any]) -> dict[str, Caller]:
    """The caller each token of an ``access=`` mapping stands for; AccessConfigError
    names the first entry (and its field) that cannot be used."""
    if not isinstance(config, Mapping):
        raise AccessConfigError(
            "access", f"must be a mapping of token -> folders, not {type(config).__name__}"
        )
    callers: dict[str, Caller] = {}
    for token, value in config.items():
        if not isinstance(token, str) or not token.strip():
            raise AccessConfigError(f"access[{token!r}]", "a token must not be empty")
        callers[token] = _entry(token, value)
    return callers


class Access:
    """``tokens`` (the ``access=`` mapping above) decides who may call and what; None:
    any non-empty token may do anything but change the public folder."""

    def __init__(self, tokens: Mapping[str, Any] | None = None) -> None:
        self.tokens = None if tokens is None else parse_access(tokens)

    def authenticate(self, token: str | None) -> Caller:
        if not token or not token.strip():
            raise ServiceError(Code.UNAUTHENTICATED, "The token is missing or empty")
        if self.tokens is None:
            return _caller(token)
        caller = self.tokens.get(token)
        if caller is None:
            raise ServiceError(Code.UNAUTHENTICATED, "The token is not valid")
        return caller

    def can_read(self, caller: Caller, folder_id: str) -> bool:
        if folder_id == PUBLIC_FOLDER or self.tokens is None:
            return True
        return folder_id in caller.folders

    def check_read(self, caller: Caller, folder_id: str) -> None:
        if not self.can_read(caller, folder_id):
            raise ServiceError(Code.PERMISSION_DENIED, f"Permission denied to folder {folder_id}")

    def check_write(self, caller: Caller, folder_id: str) -> None:
        if folder_id == PUBLIC_FOLDER:
            raise ServiceError(
                Code.PERMISSION_DENIED, f"Folder {folder_id} is public and read-only"
            )
        self.check_read(caller, folder_id)

    @staticmethod
    def holds(caller: Caller, binding: AccessBinding) -> bool:
        """Whether ``binding``'s subject is ``caller`` or a set of accounts it is in."""
        if binding.subject_type == "system":
            return binding.subject_id in (ALL_AUTHENTICATED_USERS, ALL_USERS) or (
                binding.subject_id in caller.groups
            )
        return binding.subject_type == caller.subject_type and binding.subject_id == caller.subject

    def may(
        self, caller: Caller, folder_id: str, bindings: Iterable[AccessBinding], action: str
    ) -> bool:
        """Whether ``caller`` may do ``action`` (roles.ACTIONS) to an image of
        ``folder_id`` that has ``bindings``."""
        if folder_id == PUBLIC_FOLDER:
            return action not in WRITES
        if self.can_read(caller, folder_id):
            return True
        return any(action in ROLES.get(b.role_id, ()) and self.holds(caller, b) for b in bindings)

    def check_image(
        self,
        caller: Caller,
        image_id: str,
        folder_id: str,
        bindings: Iterable[AccessBinding],
        action: str,
    ) -> None:
        """PERMISSION_DENIED unless ``caller`` may do ``action`` to the image, naming the
        roles that would let it."""
        if folder_id == PUBLIC_FOLDER and action in WRITES:
            raise ServiceError(
                Code.PERMISSION_DENIED, f"Folder {folder_id} is public and read-only"
            )
        if not self.may(caller, folder_id, bindings, action):
            raise ServiceError(
                Code.PERMISSION_DENIED,
                f"Permission denied to {verb(action)} image {image_id}: it needs access to "
                f"folder {folder_id} or one of the roles {', '.join(roles_allowing(action))} "
                "on the image",
            )
