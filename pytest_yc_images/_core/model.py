"""The fake's records. Plain data: the rules live in the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ServiceError

__all__ = [
    "DEFAULT_HARDWARE_GENERATION",
    "AccessBinding",
    "Disk",
    "Image",
    "ObjectFile",
    "Operation",
    "Snapshot",
]

STATUSES = ("CREATING", "READY", "ERROR", "DELETING")
OS_TYPES = ("LINUX", "WINDOWS")
# What an image gets when neither its Create nor its source names a hardware generation:
# Gen 1.1, "a first hardware generation, by default compatible with all legacy images"
# (live/hardware_generation.proto; docs en/compute/concepts/hardware-generations.md).
DEFAULT_HARDWARE_GENERATION: dict[str, Any] = {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V1"}}
# A file at a URI no test described: small enough that the smallest minDiskSize the API
# takes (4 MiB) holds it.
DEFAULT_OBJECT_SIZE = 4 * 1024**2


@dataclass(slots=True)
class Image:
    id: str
    folder_id: str
    created_at: float
    name: str = ""
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    family: str = ""
    storage_size: int = 0
    min_disk_size: int = 0
    product_ids: list[str] = field(default_factory=list)
    status: str = "READY"
    os_type: str = ""
    pooled: bool = False
    seq: int = 0  # creation order: breaks ties between equal timestamps
    # The live profile's fields (the seed profile never shows them):
    size: int = 0  # the virtual size, in bytes
    # In the JSON mapping: {"generation2Features": {}} or {"legacyFeatures": {...}}.
    hardware_generation: dict[str, Any] | None = None
    kms_key: dict[str, str] | None = None  # {"keyId": ..., "versionId": ...}
    nvidia_driver: str = ""  # os.nvidia.driver

    def copy(self) -> Image:
        """A copy that shares nothing mutable (a fraction of ``copy.deepcopy``'s cost)."""
        return Image(
            self.id,
            self.folder_id,
            self.created_at,
            self.name,
            self.description,
            dict(self.labels),
            self.family,
            self.storage_size,
            self.min_disk_size,
            list(self.product_ids),
            self.status,
            self.os_type,
            self.pooled,
            self.seq,
            self.size,
            _copy_json(self.hardware_generation),
            None if self.kms_key is None else dict(self.kms_key),
            self.nvidia_driver,
        )


def _copy_json(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {key: dict(inner) if isinstance(inner, dict) else inner for key, inner in value.items()}


@dataclass(slots=True)
class Disk:
    """A disk a test registers, to create images from (``diskId``)."""

    id: str
    folder_id: str
    size: int = 10 * 1024**3
    os_type: str = "LINUX"
    product_ids: list[str] = field(default_factory=list)
    hardware_generation: dict[str, Any] | None = None
    kms_key: dict[str, str] | None = None


@dataclass(slots=True)
class Snapshot:
    """A snapshot a test registers, to create images from (``snapshotId``)."""

    id: str
    folder_id: str
    storage_size: int = 3 * 1024**3
    disk_size: int = 10 * 1024**3
    os_type: str = "LINUX"
    product_ids: list[str] = field(default_factory=list)
    hardware_generation: dict[str, Any] | None = None
    kms_key: dict[str, str] | None = None


@dataclass(slots=True)
class ObjectFile:
    """A file in Object Storage a test describes, for Create from its ``uri``: its virtual
    size (the disk it unpacks to) and its stored bytes."""

    uri: str
    size: int = DEFAULT_OBJECT_SIZE
    storage_size: int = DEFAULT_OBJECT_SIZE


@dataclass(frozen=True, slots=True, order=True)
class AccessBinding:
    """A role granted on an image to a subject (``yandex.cloud.access.AccessBinding``).
    Ordered by role, then subject type and ID: the order ListAccessBindings pages in."""

    role_id: str
    subject_type: str
    subject_id: str

    @property
    def key(self) -> str:
        """The binding as one string (a page token's position)."""
        return f"{self.role_id}\x00{self.subject_type}\x00{self.subject_id}"


# An access-binding change: ("ADD" or "REMOVE", the binding).
Delta = tuple[str, AccessBinding]


@dataclass(slots=True)
class Operation:
    id: str
    # "Create", "Update", "Delete" (an image's) or "SetAccessBindings",
    # "UpdateAccessBindings" (its bindings': the image is the operation's resource).
    method: str
    folder_id: str
    image_id: str
    description: str
    created_at: float
    created_by: str
    modified_at: float
    done: bool = False
    error: ServiceError | None = None
    response: Image | None = None  # the image as it was when the operation finished
    polls: int = 0
    due_at: float | None = None  # when a virtual-clock operation finishes
    pending: dict[str, Any] | None = None  # the changes an Update applies when it finishes
    fail_with: ServiceError | None = None  # a scripted failure
    fail_after_polls: int | None = None
    # Set/UpdateAccessBindings: the bindings' changes when they apply (the deltas asked
    # for, or the whole new list as ADDs for Set); once done, the effective ones.
    deltas: list[Delta] | None = None
