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
import math
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from . import _contracts
from ._core.clock import check_time
from ._core.faults import KINDS, F, Fault
from ._core.journal import JournalEntry
from ._core.model import Disk, Image, Snapshot
from ._core.operations import Completion
from ._rpc import Rpc, method_name
from ._validation import (
    _lone_surrogates,  # the API's walk for strings UTF-8 cannot carry
    collect,
    listed,
)
from ._wire import encode_image, encode_operation, parse_time
from .errors import Code, FieldViolation, ServiceError

__all__ = [
    "ControlError",
    "Controls",
    "check",
    "checked_fault",
    "code_json",
    "disk_from_json",
    "error_from_json",
    "fault_from_json",
    "fault_from_spec",
    "fault_spec",
    "image_from_json",
    "snapshot_from_json",
]

INT64_MAX = 2**63 - 1


class ControlError(ServiceError, ValueError):
    """A control request refused: INVALID_ARGUMENT with a field violation for each field,
    raised by the Python API and answered as a 400 by ``/_fake/``. A ``ValueError`` too,
    as the Python API's refusals always were."""

    __slots__ = ()


def _refusal(found: list[FieldViolation], unlisted: int = 0) -> ControlError:
    said = "; ".join(f"{v.field}: {v.description}" for v in found[:10])
    more = len(found) + unlisted - 10
    more_said = f" (and {more} more)" if more > 0 else ""
    return ControlError(  # the BadRequest as bounded as the API's (_validation.listed)
        Code.INVALID_ARGUMENT, f"Request validation error: {said}{more_said}", tuple(listed(found))
    )


# --- what JSON Schema cannot say -------------------------------------------------------
# A rule takes a field's value (of the type its schema has already checked) and says why
# it is refused, or None. These are the only rules of a control besides its schema.
_Rule = Callable[[Any], str | None]


def _int64(value: int | str) -> str | None:
    # The schema bounds a number; a decimal string's bound is this rule's.
    return f"must be at most {INT64_MAX}" if int(value) > INT64_MAX else None


def _finite(value: float) -> str | None:
    # NaN passes every minimum and maximum of JSON Schema.
    return None if math.isfinite(value) else "must be a finite number"


def _timestamp(value: str) -> str | None:
    try:
        check_time(parse_time(value))
    except ValueError:
        return "must be a date that exists, from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
    return None


def _method(value: str) -> str | None:
    # The RPCs are the route table's (openapi.yaml), not a list of the controls' document.
    try:
        method_name(value)
    except ValueError as exc:
        return str(exc)
    return None


_RULES: dict[str, dict[str, _Rule]] = {
    "PutImageRequest": {"createdAt": _timestamp, "storageSize": _int64, "minDiskSize": _int64},
    "AddDiskRequest": {"size": _int64},
    "AddSnapshotRequest": {"storageSize": _int64, "diskSize": _int64},
    "AdvanceClockRequest": {"seconds": _finite},
    "FaultSpec": {"method": _method, "seconds": _finite},
}


def inlined_control_schema(node: Any, document: Mapping[str, Any]) -> Any:
    """A schema of the controls' document with every ``$ref`` replaced by its target: to
    the document's own components here, to ``schemas/`` through :func:`_contracts.inline`."""
    if isinstance(node, list):
        return [inlined_control_schema(item, document) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: inlined_control_schema(value, document) for key, value in node.items() if key != "$ref"
    }
    ref = node.get("$ref")
    if ref is None:
        return out
    if ref.startswith("#/"):
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part]
        target = inlined_control_schema(target, document)
    else:
        target = _contracts.inline({"$ref": ref}, _contracts.CONTROLS_BASE)
    return {"allOf": [target, out]} if out else target


@cache
def _quick(schema_name: str) -> Callable[[Any], bool] | None:
    """A quick yes/no of the control's schema (jsonschema-rs on the inlined schema, some
    twenty times faster than following each ``$ref``), as the API's requests have; it
    never refuses alone: a no, or a value it cannot take, asks the full check."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - an optional speed-up, as in _contracts
        return None
    document = _contracts.controls_document()
    schema = inlined_control_schema(document["components"]["schemas"][schema_name], document)
    is_valid: Callable[[Any], bool] = jsonschema_rs.Draft202012Validator(schema).is_valid
    return is_valid


def _fits(schema_name: str, body: Any) -> bool:
    quick = _quick(schema_name)
    try:
        return quick is not None and quick(body)
    except (ValueError, OverflowError, TypeError):  # NaN, an int past 64 bits, ...
        return False


_SCALARS = (int, float, bool, type(None))


def _flat_ascii(body: Mapping[str, Any]) -> bool:
    """Keys and strings ASCII, no object or list inside: no string UTF-8 cannot carry."""
    return all(
        type(key) is str
        and key.isascii()
        and (value.isascii() if type(value) is str else type(value) in _SCALARS)
        for key, value in body.items()
    )


def check(schema_name: str | None, body: Any) -> None:
    """Raise :class:`ControlError` naming every field of ``body`` that the control's
    schema (``components/schemas/<schema_name>`` of controls.yaml; None: no body) or a
    rule of :data:`_RULES` refuses."""
    if schema_name is None:
        if body:
            raise _refusal([FieldViolation(str(name)[:100], "unknown field") for name in body])
        return
    if not _fits(schema_name, body):
        found, unlisted = collect(_contracts.control_validator(schema_name), schema_name, body)
        if found:
            raise _refusal(found, unlisted)
    if not _flat_ascii(body):
        unencodable = _lone_surrogates(body)  # stored, no face could serve them back
        if unencodable:
            raise _refusal(unencodable)
    found = [
        FieldViolation(name, why)
        for name, rule in _RULES.get(schema_name, {}).items()
        if name in body and (why := rule(body[name])) is not None
    ]
    if found:
        raise _refusal(found)


# --- checked bodies to records ---------------------------------------------------------
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")
# How a field's JSON value becomes the record's (a fresh copy, an int64 from a string).
_READ: dict[str, Callable[[Any], Any]] = {
    "labels": dict,
    "productIds": list,
    "size": int,
    "storageSize": int,
    "minDiskSize": int,
    "diskSize": int,
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
    image.os_type = (data.get("os") or {}).get("type", "LINUX")
    return image


def disk_from_json(body: Mapping[str, Any]) -> Disk:
    """A disk from an ``AddDiskRequest`` that :func:`check` has passed."""
    return Disk(body["id"], body["folderId"], **_record_fields(body, "id", "folderId"))


def snapshot_from_json(body: Mapping[str, Any]) -> Snapshot:
    """A snapshot from an ``AddSnapshotRequest`` that :func:`check` has passed."""
    return Snapshot(body["id"], body["folderId"], **_record_fields(body, "id", "folderId"))


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
        """Move the virtual clock; clock-driven operations that are due finish. A move the
        clock refuses (past 9999-12-31T23:59:59Z) is a :class:`ControlError` on
        ``seconds``, and nothing moves."""
        with self.rpc.lock:
            service = self.rpc.service
            try:
                now = service.clock.advance(seconds)
            except ValueError as exc:
                raise _refusal([FieldViolation("seconds", str(exc))]) from None
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
