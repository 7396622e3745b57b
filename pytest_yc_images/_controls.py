"""The test controls of a fake: one implementation of each, for the Python API and HTTP.

Each control takes the fake's lock and calls the core; ``FakeImageService``'s methods
and the ``/_fake/`` routes (:mod:`._control_routes`) both call these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ._core.faults import KINDS, ErrorFault, F, Fault, OperationFault
from ._core.journal import JournalEntry
from ._core.model import Disk, Image, Snapshot
from ._core.operations import Completion
from ._rpc import Rpc, method_name
from ._wire import encode_image, encode_operation, parse_time
from .errors import Code, ServiceError

__all__ = ["Controls", "fault_from_spec", "image_from_json"]

_IMAGE_FIELDS = {
    "name": "name",
    "description": "description",
    "labels": "labels",
    "family": "family",
    "productIds": "product_ids",
    "status": "status",
    "pooled": "pooled",
}


def image_from_json(data: Mapping[str, Any], *, image_id: str, created_at: float) -> Image:
    """An image record from a (partial) image in the JSON mapping."""
    unknown = set(data) - {
        *_IMAGE_FIELDS,
        "id",
        "folderId",
        "createdAt",
        "storageSize",
        "minDiskSize",
        "os",
    }
    if unknown:
        raise ValueError(f"unknown image fields: {', '.join(sorted(unknown))}")
    if "folderId" not in data:
        raise ValueError("an image needs a folderId")
    image = Image(
        id=data.get("id") or image_id,
        folder_id=data["folderId"],
        created_at=parse_time(data["createdAt"]) if "createdAt" in data else created_at,
    )
    for key, attr in _IMAGE_FIELDS.items():
        if key in data:
            value = data[key]
            setattr(
                image,
                attr,
                dict(value) if key == "labels" else list(value) if key == "productIds" else value,
            )
    image.storage_size = int(data.get("storageSize", 2 * 1024**3))
    image.min_disk_size = int(data.get("minDiskSize", max(image.storage_size, 4 * 1024**2)))
    image.os_type = (data.get("os") or {}).get("type", "LINUX")
    if image.status not in ("CREATING", "READY", "ERROR", "DELETING"):
        raise ValueError(f"unknown image status {image.status!r}")
    return image


# The fields a fault spec may hold, by their JSON names, and the Python keyword of each.
_SPEC_FIELDS = {
    "code": "code",
    "message": "message",
    "times": "times",
    "seconds": "seconds",
    "afterPolls": "after_polls",
    "after_polls": "after_polls",
}


def fault_from_spec(spec: Mapping[str, Any]) -> Fault:
    """A fault from its spec, as ``POST /_fake/faults`` and the ``yc_images`` marker give
    it: ``{"kind": "error", "method": "Create", "code": "UNAVAILABLE", "times": 1}``.

    ``kind`` (``error``, ``latency``, ``lost_reply``, ``operation_error``) defaults to
    ``error``, ``code`` to UNAVAILABLE, ``times`` to 1 (``None``: every call);
    ``afterPolls`` may also be spelt ``after_polls``. Each kind takes the fields it reads
    and ignores the others; a field no kind reads is refused (ValueError)."""
    options = dict(spec)
    kind = options.pop("kind", "error")
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
    if "method" not in options:
        raise ValueError("a fault needs a method")
    method = options.pop("method")
    unknown = set(options) - set(_SPEC_FIELDS)
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(map(str, unknown)))}")
    cls = KINDS[kind]
    given = {_SPEC_FIELDS[name]: value for name, value in options.items()}
    given.setdefault("times", 1)
    if issubclass(cls, (ErrorFault, OperationFault)):
        given["code"] = Code.parse(given.get("code", Code.UNAVAILABLE))
    read = {f.name for f in dataclasses.fields(cls)}
    return cls(method=method, **{k: v for k, v in given.items() if k in read})


class Controls:
    """What a test may do that the live service never allows. Thread-safe: each control
    takes the fake's lock, so it never runs in the middle of an API call."""

    def __init__(self, rpc: Rpc) -> None:
        self.rpc = rpc
        # What POST /_fake/state:save runs: writes the state file, returns its path.
        self.state_saver: Callable[[], str] | None = None

    # --- state ---------------------------------------------------------------------
    def put_image(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Store an image given in the JSON mapping (any status), without an operation."""
        with self.rpc.lock:
            service = self.rpc.service
            image = image_from_json(
                data, image_id=service.ids.new("fd8"), created_at=service.stamp()
            )
            return encode_image(service.put_image(image))

    def add_disk(self, disk: Disk) -> None:
        with self.rpc.lock:
            self.rpc.service.store.disks[disk.id] = disk

    def add_snapshot(self, snapshot: Snapshot) -> None:
        with self.rpc.lock:
            self.rpc.service.store.snapshots[snapshot.id] = snapshot

    def list_images(self, folder_id: str | None = None) -> list[dict[str, Any]]:
        with self.rpc.lock:
            images = self.rpc.service.store.images.values()
            return [encode_image(i) for i in images if folder_id in (None, i.folder_id)]

    def list_operations(self, image_id: str | None = None) -> list[dict[str, Any]]:
        with self.rpc.lock:
            ops = self.rpc.service.store.operations.values()
            return [encode_operation(o) for o in ops if image_id in (None, o.image_id)]

    def unfinished_operations(self) -> list[str]:
        with self.rpc.lock:
            return [o.id for o in self.rpc.service.store.operations.values() if not o.done]

    # --- time and operations -------------------------------------------------------
    def advance_clock(self, seconds: float) -> float:
        """Move the virtual clock; clock-driven operations that are due finish."""
        with self.rpc.lock:
            service = self.rpc.service
            now = service.clock.advance(seconds)
            service.lifecycle.settle(now)
            return float(now)

    def set_completion(self, mode: Completion | str) -> None:
        completion = Completion(mode)
        with self.rpc.lock:
            self.rpc.service.lifecycle.completion = completion

    def finish_operation(
        self, operation_id: str, error: ServiceError | None = None
    ) -> dict[str, Any]:
        """Finish a running operation, successfully or with ``error``."""
        with self.rpc.lock:
            return encode_operation(self.rpc.service.finish_operation(operation_id, error))

    # --- faults --------------------------------------------------------------------
    def add_fault(self, fault: F) -> F:
        """Script ``fault`` (its method in short form, ``"Create"``, is made full); returns
        the fault as scripted, the object :meth:`fired` counts."""
        method = method_name(fault.method)
        if method != fault.method:
            fault = dataclasses.replace(fault, method=method)
        with self.rpc.lock:
            self.rpc.service.faults.add(fault)
            return fault

    def list_faults(self) -> list[tuple[Fault, int]]:
        """Every scripted fault with how often it fired."""
        with self.rpc.lock:
            return self.rpc.service.faults.counted()

    def fired(self, fault: Fault) -> int:
        with self.rpc.lock:
            return self.rpc.service.faults.fired(fault)

    def unfired_faults(self) -> list[Fault]:
        with self.rpc.lock:
            return self.rpc.service.faults.unfired()

    def clear_faults(self) -> None:
        with self.rpc.lock:
            self.rpc.service.faults.clear()

    # --- the journal -----------------------------------------------------------------
    def read_journal(self) -> list[JournalEntry]:
        with self.rpc.lock:
            return self.rpc.service.journal.entries
