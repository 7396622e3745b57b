"""What a Create's source gives the new image: sizes, OS, licences, hardware generation
and key; and the rules on ``minDiskSize`` that the sizes decide."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import Code, FieldViolation, ServiceError
from .access import Access, Caller
from .model import DEFAULT_HARDWARE_GENERATION, Disk, Image, ObjectFile, Snapshot
from .store import Store

__all__ = ["MIN_DISK_SIZE", "SOURCES", "Source", "no_source", "resolve", "too_small"]

SOURCES = ("imageId", "diskId", "snapshotId", "uri")  # the oneof, in the proto's order
MIN_DISK_SIZE = 4 * 1024**2  # the smallest minDiskSize the API takes


@dataclass(slots=True)
class Source:
    size: int  # the virtual size: the disk the image unpacks to
    storage_size: int  # the bytes stored
    min_disk_size: int  # the image's minDiskSize when the request gives none
    os_type: str = ""
    nvidia_driver: str = ""
    product_ids: list[str] = field(default_factory=list)
    hardware_generation: dict[str, Any] | None = None
    kms_key: dict[str, str] | None = None
    # A URI's sizes are read once the upload runs: a minDiskSize too small fails the
    # operation, not the request.
    deferred: bool = False

    @property
    def needed(self) -> int:
        """The smallest minDiskSize the image takes: its data and its virtual disk fit."""
        return max(self.size, self.storage_size)


def no_source() -> ServiceError:
    """A Create with none of the source fields set (or each set to ""): one violation per
    member, as validation names an empty oneof."""
    why = "exactly one of imageId, diskId, snapshotId and uri must be set"
    return ServiceError(
        Code.INVALID_ARGUMENT,
        "Request validation error: " + ", ".join(SOURCES),
        tuple(FieldViolation(name, why) for name in SOURCES),
    )


def too_small(min_disk_size: int, needed: int, what: str) -> str:
    """Why ``min_disk_size`` is refused: the data or the virtual disk would not fit."""
    return f"must be at least {what} ({needed} bytes), not {min_disk_size}"


def _hardware(given: dict[str, Any] | None) -> dict[str, Any]:
    return _copy(given) if given else _copy(DEFAULT_HARDWARE_GENERATION)


def _copy(value: dict[str, Any]) -> dict[str, Any]:
    return {k: dict(v) if isinstance(v, dict) else v for k, v in value.items()}


def _volume(volume: Disk | Snapshot, size: int, storage_size: int) -> Source:
    """What a disk or a snapshot gives: its sizes, OS, licences, generation and key (an
    encrypted one's); a disk made from the image needs the whole volume."""
    return Source(
        size=size,
        storage_size=storage_size,
        min_disk_size=size,
        os_type=volume.os_type,
        product_ids=list(volume.product_ids),
        hardware_generation=_hardware(volume.hardware_generation),
        kms_key=None if volume.kms_key is None else dict(volume.kms_key),
    )


def resolve(
    store: Store,
    access: Access,
    caller: Caller,
    image_for: Callable[[Caller, str, str], Image],
    *,
    image_id: str,
    disk_id: str,
    snapshot_id: str,
    uri: str,
) -> Source:
    """The source a Create names; NOT_FOUND for one the caller cannot see. An image of
    another folder is a source for a caller that may ``use`` it (a role bound on it:
    access.py), PERMISSION_DENIED for one that may only get it."""
    if image_id:
        try:
            src = image_for(caller, image_id, "use")
        except ServiceError as exc:
            if exc.code is not Code.NOT_FOUND:
                raise
            raise ServiceError(Code.NOT_FOUND, f"Source image {image_id} not found") from None
        if src.status != "READY":
            raise ServiceError(
                Code.FAILED_PRECONDITION, f"Source image {image_id} is {src.status}, not READY"
            )
        return Source(
            # An image stored without a size (put by a test): its data is its disk.
            size=src.size or src.storage_size,
            storage_size=src.storage_size,
            min_disk_size=src.min_disk_size,
            os_type=src.os_type,
            nvidia_driver=src.nvidia_driver,
            product_ids=list(src.product_ids),
            hardware_generation=_hardware(src.hardware_generation),
            kms_key=None if src.kms_key is None else dict(src.kms_key),
        )
    if disk_id:
        disk = store.disks.get(disk_id)
        if disk is None or not access.can_read(caller, disk.folder_id):
            raise ServiceError(Code.NOT_FOUND, f"Disk {disk_id} not found")
        return _volume(disk, disk.size, disk.size)
    if snapshot_id:
        snap = store.snapshots.get(snapshot_id)
        if snap is None or not access.can_read(caller, snap.folder_id):
            raise ServiceError(Code.NOT_FOUND, f"Snapshot {snapshot_id} not found")
        return _volume(snap, snap.disk_size, snap.storage_size)
    if uri:
        if not uri.startswith("https://"):
            raise ServiceError.invalid("uri", "only https:// links to Object Storage are supported")
        found = store.objects.get(uri) or ObjectFile(uri)
        return Source(
            size=found.size,
            storage_size=found.storage_size,
            min_disk_size=max(found.size, found.storage_size, MIN_DISK_SIZE),
            hardware_generation=_hardware(None),
            deferred=True,
        )
    raise no_source()
