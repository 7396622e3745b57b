"""The test controls of a fake: one implementation of each, for the Python API and HTTP.

Every control takes its request as the JSON body ``contracts/controls.yaml`` states, and
:func:`check` is the one check of it: the body's schema, then the few rules JSON Schema
cannot state (:data:`_RULES`). ``FakeImageService``'s methods and the ``/_fake/`` routes
(:mod:`._control_routes`) both pass through it, so a control applies whole or is refused
with a :class:`ControlError` naming the field, with nothing changed. Each control then
takes the fake's lock and calls the core.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._control_checks import check, refusal
from ._core.faults import KINDS, F, Fault
from ._core.journal import JournalEntry
from ._core.model import AccessBinding, Disk, Image, ObjectFile, Snapshot
from ._core.operations import Completion
from ._core.roles import SUBJECT_TYPES, SYSTEM_SUBJECTS, binding_json
from ._rpc import Rpc, method_name
from ._wire import encode_image, encode_operation, parse_time
from .errors import Code, FieldViolation, ServiceError

__all__ = [
    "SEED_HAS_NO_BINDINGS",
    "SHARED_ROLE",
    "Controls",
    "binding_body",
    "bindings_from_json",
    "checked_fault",
    "code_json",
    "disk_from_json",
    "error_from_json",
    "fault_from_json",
    "fault_from_spec",
    "fault_spec",
    "image_from_json",
    "object_from_json",
    "snapshot_from_json",
]

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")
# How a field's JSON value becomes the record's (a fresh copy, an int64 from a string).
_READ: dict[str, Callable[[Any], Any]] = {
    "labels": dict,
    "productIds": list,
    "size": int,
    "storageSize": int,
    "minDiskSize": int,
    "diskSize": int,
    "hardwareGeneration": lambda value: {k: dict(v) for k, v in value.items()},
    "kmsKey": dict,
}


def _record_fields(body: Mapping[str, Any], *skip: str) -> dict[str, Any]:
    """The record's keyword arguments for a checked body's fields (``osType`` ->
    ``os_type``), but for those in ``skip``."""
    return {
        _SNAKE.sub("_", name).lower(): _READ.get(name, _same)(value)
        for name, value in body.items()
        if name not in skip
    }


def _same(value: Any) -> Any:
    return value


def image_from_json(data: Mapping[str, Any], *, image_id: str, created_at: float) -> Image:
    """An image record from a (partial) image in the JSON mapping, as :func:`check` has
    passed it against ``PutImageRequest``; the defaults are that schema's."""
    image = Image(
        id=data.get("id") or image_id,
        folder_id=data["folderId"],
        created_at=parse_time(data["createdAt"]) if "createdAt" in data else created_at,
        **_record_fields(data, "id", "folderId", "createdAt", "os"),
    )
    if "storageSize" not in data:
        image.storage_size = 2 * 1024**3
    if "minDiskSize" not in data:
        image.min_disk_size = max(image.storage_size, 4 * 1024**2)
    os = data.get("os") or {}
    image.os_type = os.get("type", "LINUX")
    image.nvidia_driver = (os.get("nvidia") or {}).get("driver", "")
    return image


def disk_from_json(body: Mapping[str, Any]) -> Disk:
    """A disk from an ``AddDiskRequest`` that :func:`check` has passed."""
    return Disk(body["id"], body["folderId"], **_record_fields(body, "id", "folderId"))


def snapshot_from_json(body: Mapping[str, Any]) -> Snapshot:
    """A snapshot from an ``AddSnapshotRequest`` that :func:`check` has passed."""
    return Snapshot(body["id"], body["folderId"], **_record_fields(body, "id", "folderId"))


def object_from_json(body: Mapping[str, Any]) -> ObjectFile:
    """A file from a ``PutObjectRequest`` that :func:`check` has passed (storageSize
    defaults to size)."""
    size = int(body["size"])
    return ObjectFile(body["uri"], size, int(body.get("storageSize", size)))


SEED_HAS_NO_BINDINGS = (
    "the seed profile has no access bindings (ListAccessBindings and the others are the "
    "live profile's); leave them out or use profile='live'"
)
# The role a short-form binding ("userAccount:ID") grants: use of the image, no more.
SHARED_ROLE = "compute.images.user"
_SHORT_FORMS = (
    "a binding is a mapping {'roleId': ..., 'subject': {'id': ..., 'type': ...}}, a "
    f"subject 'TYPE:ID' (the role {SHARED_ROLE}) or a pair (ROLE, 'TYPE:ID'); the types: "
    f"{', '.join(SUBJECT_TYPES)}"
)


def _subject(text: str) -> dict[str, str] | None:
    """``'userAccount:aje...'`` as a subject; a system ID (``allAuthenticatedUsers``,
    ``group:organization:<id>:users``) may leave its type out."""
    if SYSTEM_SUBJECTS.fullmatch(text):
        return {"id": text, "type": "system"}
    kind, colon, subject_id = text.partition(":")
    return {"id": subject_id, "type": kind} if colon and kind in SUBJECT_TYPES else None


def _binding_json(spec: Any, field: str) -> dict[str, Any]:
    if isinstance(spec, Mapping):
        return {
            key: dict(value) if isinstance(value, Mapping) else value for key, value in spec.items()
        }
    role, subject_text = SHARED_ROLE, spec
    if isinstance(spec, tuple | list) and len(spec) == 2:
        role, subject_text = spec
    subject = _subject(subject_text) if isinstance(subject_text, str) else None
    if subject is None or not isinstance(role, str):
        raise refusal([FieldViolation(field, f"{_SHORT_FORMS}; not {spec!r:.100}")])
    return {"roleId": role, "subject": subject}


def binding_body(image_id: str, specs: Iterable[Any]) -> dict[str, Any]:
    """The ``PutBindingsRequest`` of ``image_id`` with the bindings ``specs`` (mappings in
    the JSON mapping, ``'TYPE:ID'`` or ``(ROLE, 'TYPE:ID')``), checked (:func:`check`: a
    :class:`ControlError` names the field, ``accessBindings[1].subject.type``)."""
    if isinstance(specs, str | Mapping):
        specs = [specs]  # one binding, not its characters or keys
    bindings = [_binding_json(spec, f"accessBindings[{i}]") for i, spec in enumerate(specs)]
    body = {"imageId": image_id, "accessBindings": bindings}
    check("PutBindingsRequest", body)
    return body


def bindings_from_json(bindings: Iterable[Mapping[str, Any]]) -> list[AccessBinding]:
    """Records of bindings that :func:`check` has passed."""
    return [AccessBinding(b["roleId"], b["subject"]["type"], b["subject"]["id"]) for b in bindings]


def _code(value: Code | int | str) -> Code:
    return Code[value] if isinstance(value, str) else Code(int(value))


def error_from_json(body: Mapping[str, Any]) -> ServiceError:
    """The error of a ``FailOperationRequest`` that :func:`check` has passed."""
    return ServiceError(_code(body.get("code", Code.INTERNAL)), body.get("message", "Failed"))


def fault_from_json(spec: Mapping[str, Any]) -> Fault:
    """A fault from a ``FaultSpec`` that :func:`check` has passed; each kind takes the
    fields it reads. code defaults to UNAVAILABLE, times to 1."""
    cls = KINDS[spec["kind"]]
    times = spec.get("times", 1)
    given: dict[str, Any] = {
        "code": _code(spec.get("code", Code.UNAVAILABLE)),
        "message": spec.get("message", ""),
        "times": None if times is None else int(times),
        "seconds": float(spec.get("seconds", 0.0)),
        "after_polls": int(spec.get("afterPolls", 0)),
    }
    read = {f.name for f in dataclasses.fields(cls)}
    return cls(method=spec["method"], **{k: v for k, v in given.items() if k in read})


def code_json(value: Any) -> Any:
    """A code as a Python caller may give it (a Code, a name in any case), as JSON."""
    if isinstance(value, Code):
        return value.name
    return value.strip().upper() if isinstance(value, str) else value


def fault_spec(fault: Fault) -> dict[str, Any]:
    """A fault as its ``FaultSpec``, the body ``POST /_fake/faults`` takes."""
    spec: dict[str, Any] = {"kind": fault.kind}
    for field in dataclasses.fields(fault):
        value = getattr(fault, field.name)  # after_polls: fault_from_spec renames it
        spec[field.name] = code_json(value) if field.name == "code" else value
    return spec


def fault_from_spec(spec: Mapping[str, Any]) -> Fault:
    """A fault from its spec, as ``POST /_fake/faults`` and the ``yc_images`` marker give
    it: ``{"kind": "error", "method": "Create", "code": "UNAVAILABLE", "times": 1}``,
    checked as a ``FaultSpec`` (:func:`check`; :class:`ControlError` naming the field).

    For a Python caller ``kind`` defaults to ``error``, ``afterPolls`` may be spelt
    ``after_polls`` and ``code`` may be a :class:`Code` or a name in any case."""
    body = {"kind": "error", **spec}
    if "after_polls" in body and "afterPolls" not in body:
        body["afterPolls"] = body.pop("after_polls")
    if "code" in body:
        body["code"] = code_json(body["code"])
    check("FaultSpec", body)
    return fault_from_json(body)


def checked_fault(fault: Fault | Mapping[str, Any]) -> Fault:
    """A fault or a spec, through :func:`fault_from_spec`'s check; a fault that passes
    unchanged is returned itself (the object :meth:`Controls.fired` counts)."""
    if isinstance(fault, Mapping):
        return fault_from_spec(fault)
    if not isinstance(fault, tuple(KINDS.values())):
        raise TypeError(f"not a fault: {fault!r}; the fault types: {', '.join(KINDS)}")
    made = fault_from_spec(fault_spec(fault))
    return fault if made == fault else made


class Controls:
    """What a test may do that the live service never allows. Thread-safe: each control
    takes the fake's lock, so it never runs in the middle of an API call. The bodies and
    records given here have passed :func:`check` (``ControlRoute.run`` checks them)."""

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
            return encode_image(service.put_image(image), live=service.profile == "live")

    def add_disk(self, disk: Disk) -> None:
        with self.rpc.lock:
            self.rpc.service.store.disks[disk.id] = disk

    def add_snapshot(self, snapshot: Snapshot) -> None:
        with self.rpc.lock:
            self.rpc.service.store.snapshots[snapshot.id] = snapshot

    def put_object(self, found: ObjectFile) -> None:
        with self.rpc.lock:
            self.rpc.service.store.objects[found.uri] = found

    def list_images(self, folder_id: str | None = None) -> list[dict[str, Any]]:
        with self.rpc.lock:
            images = self.rpc.service.store.images.values()
            live = self.rpc.service.profile == "live"
            return [encode_image(i, live=live) for i in images if folder_id in (None, i.folder_id)]

    def put_bindings(self, image_id: str, bindings: list[AccessBinding]) -> dict[str, Any]:
        """Replace an image's access bindings at once (no operation); NOT_FOUND for an
        image the fake does not hold; the seed profile holds none (it has no sharing)."""
        with self.rpc.lock:
            if bindings and self.rpc.service.profile == "seed":
                raise refusal([FieldViolation("accessBindings", SEED_HAS_NO_BINDINGS)])
            store = self.rpc.service.store
            if image_id not in store.images:
                raise ServiceError(Code.NOT_FOUND, f"Image {image_id[:64]} not found")
            store.set_bindings(image_id, bindings)
            return _image_bindings(image_id, store.bindings.get(image_id, []))

    def list_bindings(self, image_id: str | None = None) -> list[dict[str, Any]]:
        """Each image's bindings: of every image that has any, or of ``image_id`` (an
        unknown image is NOT_FOUND)."""
        with self.rpc.lock:
            store = self.rpc.service.store
            if image_id is None:
                return [_image_bindings(i, held) for i, held in store.bindings.items()]
            if image_id not in store.images:
                raise ServiceError(Code.NOT_FOUND, f"Image {image_id[:64]} not found")
            return [_image_bindings(image_id, store.bindings.get(image_id, []))]

    def list_operations(self, image_id: str | None = None) -> list[dict[str, Any]]:
        with self.rpc.lock:
            ops = self.rpc.service.store.operations.values()
            live = self.rpc.service.profile == "live"
            return [encode_operation(o, live=live) for o in ops if image_id in (None, o.image_id)]

    def unfinished_operations(self) -> list[str]:
        with self.rpc.lock:
            return [o.id for o in self.rpc.service.store.operations.values() if not o.done]

    # --- time and operations -------------------------------------------------------
    def advance_clock(self, seconds: float) -> float:
        """Move the virtual clock; clock-driven operations that are due finish. A move the
        clock refuses (past 9999-12-31T23:59:59Z) is a :class:`ControlError` on
        ``seconds``, and nothing moves."""
        with self.rpc.lock:
            service = self.rpc.service
            try:
                now = service.clock.advance(seconds)
            except ValueError as exc:
                raise refusal([FieldViolation("seconds", str(exc))]) from None
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
            service = self.rpc.service
            return encode_operation(
                service.finish_operation(operation_id, error), live=service.profile == "live"
            )

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


def _image_bindings(image_id: str, bindings: list[AccessBinding]) -> dict[str, Any]:
    return {"imageId": image_id, "accessBindings": [binding_json(b) for b in bindings]}
