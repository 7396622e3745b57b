"""A fake's state as plain JSON data, and back: what a state file holds.

:func:`dump_state` writes what a restarted fake needs to answer as this one would:
images, disks, snapshots, objects (files at URIs), each image's access bindings,
operations (shown and resumed alike, with the deltas of access-binding operations),
Idempotency-Keys, the virtual clock, the ID source and the completion mode. Journal,
faults and ``access`` are not state. :func:`load_state` checks data against
``contracts/state.schema.json`` and loads it into a fresh service through the controls'
own checks, or raises
:class:`StateError` naming the first bad field; file I/O is the caller's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from typing import Any

from . import _contracts
from ._catalogue import catalogue
from ._control_checks import inlined_control_schema
from ._control_routes import control_routes
from ._controls import Controls
from ._core.model import Image, Operation
from ._core.roles import binding_json
from ._core.service import PUBLIC_FOLDER, ImageService
from ._core.sharing import BINDING_METHODS
from ._core.store import FirstCall
from ._state_operations import image_json, operation_from_json, operation_json
from ._validation import violations
from ._wire import encode_image
from .errors import Code, ServiceError

__all__ = [
    "STATE_VERSION",
    "StateError",
    "check_state",
    "dump_state",
    "load_state",
    "state_clock",
]

STATE_VERSION = 1


class StateError(ValueError):
    """State data that cannot be loaded: ``field`` is where (``images[2].os``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


# --- dump -------------------------------------------------------------------------------
def _changed(shared: Image | None, image: Image) -> bool:
    """Whether ``image`` differs from the catalogue's record ``shared``."""
    return shared is not image and (shared is None or encode_image(shared) != encode_image(image))


def _extras(hardware: dict[str, Any] | None, key: dict[str, str] | None) -> dict[str, Any]:
    """A disk's or snapshot's hardware generation and key, when it has them."""
    out: dict[str, Any] = {}
    if hardware is not None:
        out["hardwareGeneration"] = {k: dict(v) for k, v in hardware.items()}
    if key is not None:
        out["kmsKey"] = dict(key)
    return out


def dump_state(service: ImageService) -> dict[str, Any]:
    """``service``'s state as JSON-able data (call it under the fake's lock)."""
    shared = catalogue().store.images
    images = sorted(service.store.images.values(), key=lambda image: image.seq)
    key, count = service.ids.state()
    return {
        "version": STATE_VERSION,
        "profile": service.profile,
        "completion": str(service.lifecycle.completion),
        "clock": {"now": service.clock.now(), "lastStamp": service.last_stamp},
        "ids": {"key": key.hex(), "count": count},
        "images": [
            image_json(image)
            for image in images
            # The public folder's catalogue comes with every fake: only changes are state.
            if image.folder_id != PUBLIC_FOLDER or _changed(shared.get(image.id), image)
        ],
        "disks": [
            {
                "id": d.id,
                "folderId": d.folder_id,
                "size": str(d.size),
                "osType": d.os_type,
                "productIds": list(d.product_ids),
                **_extras(d.hardware_generation, d.kms_key),
            }
            for d in service.store.disks.values()
        ],
        "snapshots": [
            {
                "id": s.id,
                "folderId": s.folder_id,
                "storageSize": str(s.storage_size),
                "diskSize": str(s.disk_size),
                "osType": s.os_type,
                "productIds": list(s.product_ids),
                **_extras(s.hardware_generation, s.kms_key),
            }
            for s in service.store.snapshots.values()
        ],
        "objects": [
            {"uri": o.uri, "size": str(o.size), "storageSize": str(o.storage_size)}
            for o in service.store.objects.values()
        ],
        # Each image's access bindings, as POST /_fake/bindings takes them.
        "bindings": [
            {"imageId": image_id, "accessBindings": [binding_json(b) for b in held]}
            for image_id, held in service.store.bindings.items()
        ],
        "operations": [operation_json(op) for op in service.store.operations.values()],
        # Idempotency-Keys: the caller's subject and key; the first call's operation, method
        # and request digest (a repeat with others is still answered, and marked).
        "idempotency": [
            {
                "subject": subject,
                "key": key,
                "operationId": first.operation_id,
                "method": first.method,
                "digest": first.digest,
            }
            for (subject, key), first in service.idempotency.items()
        ],
    }


# --- load -------------------------------------------------------------------------------
def _where(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _check_finite(data: Any) -> None:
    """NaN and infinities (``1e999``, ``NaN``) fit no field: name the first one. Walked
    with a stack, not recursion, as the data may be deeply nested."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise StateError(where or "(top level)", f"must be a finite number, not {value}")
        if isinstance(value, dict):
            stack.extend((f"{where}.{k}" if where else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(value))


_CONTROL_BODY = "controls.yaml#/components/schemas/"


def _inlined(node: Any, controls: Mapping[str, Any]) -> Any:
    """The state schema with its references to the controls' bodies and to ``schemas/``
    inlined (its own ``#/$defs`` stay): what jsonschema-rs takes without a registry."""
    if isinstance(node, list):
        return [_inlined(item, controls) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inlined(value, controls) for key, value in node.items() if key != "$ref"}
    ref = node.get("$ref")
    if ref is None or ref.startswith("#"):
        return out if ref is None else {**out, "$ref": ref}
    if ref.startswith(_CONTROL_BODY):
        body = controls["components"]["schemas"][ref.removeprefix(_CONTROL_BODY)]
        target = inlined_control_schema(body, controls)
    else:
        target = _contracts.inline({"$ref": ref}, _contracts.STATE_SCHEMA_ID)
    return {"allOf": [target, out]} if out else target


@cache
def _quick_check() -> Any:
    """A quick yes/no of a state file (jsonschema-rs on the inlined schema), or None
    without jsonschema-rs; as for requests, a no asks the full check, which names why."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency, but an optional speed-up
        return None
    schema = _inlined(_contracts.state_schema(), _contracts.controls_document())
    return jsonschema_rs.Draft202012Validator(schema).is_valid


def check_state(data: Any) -> dict[str, Any]:
    """``data`` as a state mapping (a bare list is ``{"images": list}``), checked against
    the state file's schema; :class:`StateError` names the first field it refuses."""
    if isinstance(data, list):
        data = {"images": data}
    if not isinstance(data, dict):
        raise StateError("(top level)", f"must be a JSON object, not {type(data).__name__}")
    _check_finite(data)
    quick = _quick_check()
    if quick is not None:
        try:
            if quick(data):
                return data
        except (ValueError, OverflowError, TypeError):
            pass  # a value jsonschema-rs cannot take (a huge integer): ask jsonschema
    for error in _contracts.state_validator().iter_errors(data):
        found = violations(error, "state")
        if found:
            raise StateError(found[0].field, found[0].description)
        raise StateError(_where(error.absolute_path), error.message[:200])  # pragma: no cover
    return data


def state_clock(data: Mapping[str, Any]) -> float | None:
    """The virtual clock's reading that checked state ``data`` holds, if any."""
    clock = data.get("clock")
    return float(clock["now"]) if clock else None


def _run(where: str, apply: Any, *args: Any) -> Any:
    """Apply one item; a refusal becomes a :class:`StateError` naming the item's field."""
    try:
        return apply(*args)
    except ServiceError as error:
        if error.violations:
            first = error.violations[0]
            raise StateError(f"{where}.{first.field}", first.description) from None
        if error.code is Code.ALREADY_EXISTS and "name" in error.message:
            raise StateError(f"{where}.name", error.message) from None
        if error.code is Code.ALREADY_EXISTS:
            raise StateError(f"{where}.id", error.message) from None
        if error.code is Code.NOT_FOUND:  # bindings of an image the state does not hold
            raise StateError(f"{where}.imageId", error.message) from None
        raise StateError(where, error.message) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise StateError(where, str(exc)[:200]) from None


def load_state(controls: Controls, state: Mapping[str, Any]) -> None:
    """Load ``state`` (as :func:`check_state` gives it) into the fresh fake behind
    ``controls`` (its clock already at :func:`state_clock`): images, disks, snapshots,
    objects and bindings through the controls that store them, then operations, keys,
    the ID source and the completion mode."""
    service = controls.rpc.service
    if state.get("profile", service.profile) != service.profile:
        raise StateError(
            "profile",
            f"the state was saved by a {state['profile']!r} fake; this fake serves "
            f"{service.profile!r} (start it with that profile)",
        )
    standard = catalogue().store.images
    actions = control_routes().actions  # the checks and meaning of POST /_fake/images...
    with controls.rpc.lock:
        for index, image in enumerate(state.get("images", [])):
            if image.get("id") in standard and image.get("folderId") == PUBLIC_FOLDER:
                service.store.remove_image(image["id"])  # a changed catalogue image
            _run(f"images[{index}]", actions["put_image"].run, controls, image)
        for index, disk in enumerate(state.get("disks", [])):
            _run(f"disks[{index}]", actions["add_disk"].run, controls, disk)
        for index, snapshot in enumerate(state.get("snapshots", [])):
            _run(f"snapshots[{index}]", actions["add_snapshot"].run, controls, snapshot)
        for index, found in enumerate(state.get("objects", [])):
            _run(f"objects[{index}]", actions["put_object"].run, controls, found)
        bound: set[str] = set()
        for index, held in enumerate(state.get("bindings", [])):
            if held["imageId"] in bound:
                raise StateError(f"bindings[{index}].imageId", "the image is given twice")
            bound.add(held["imageId"])
            _run(f"bindings[{index}]", actions["put_bindings"].run, controls, held)
        _load_operations(service, state.get("operations", []))
        _load_keys(service, state.get("idempotency", []))
        ids = state.get("ids")
        if ids is not None:  # the IDs in use are the store's: the source keeps none
            service.ids.restore((bytes.fromhex(ids["key"]), ids["count"]))
        clock = state.get("clock")
        if clock is not None and "lastStamp" in clock:
            # As saved: loading drew stamps of its own (put_image's default createdAt).
            service.last_stamp = clock["lastStamp"]
        if "completion" in state:
            controls.set_completion(state["completion"])


def _load_keys(service: ImageService, entries: list[Any]) -> None:
    """Idempotency-Keys, oldest first. A file written before keys spanned methods keys
    each (subject, method, key, request) and names the digest ``request``: a key used
    there for several requests keeps its first, as the request path would have."""
    keys = service.idempotency
    for index, entry in enumerate(entries):
        if entry["operationId"] not in service.store.operations:
            raise StateError(f"idempotency[{index}].operationId", "no such operation")
        key = (entry["subject"], entry["key"].lower())  # a UUID, as the request path keeps it
        if key in keys:
            if "digest" in entry:  # only an old file may hold a key twice
                raise StateError(f"idempotency[{index}].key", "the key is given twice")
            continue
        if ("digest" in entry) == ("request" in entry):
            problem = "is required" if "digest" not in entry else "and request: give one"
            raise StateError(f"idempotency[{index}].digest", problem)
        digest = entry["digest"] if "digest" in entry else entry["request"]
        keys[key] = FirstCall(entry["operationId"], entry["method"], digest)


def _check_deltas(where: str, op: Operation) -> None:
    """Deltas only on the access-binding operations; a running Set holds its new
    bindings as ADDs (a done one, the effective deltas: REMOVEs too)."""
    if op.deltas is None:
        return
    if op.method not in BINDING_METHODS:
        raise StateError(
            f"{where}.deltas",
            f"only a {' or '.join(BINDING_METHODS)} operation has deltas, not {op.method}",
        )
    if op.method == "SetAccessBindings" and not op.done:
        for i, (action, _) in enumerate(op.deltas):
            if action != "ADD":
                raise StateError(
                    f"{where}.deltas[{i}].action",
                    "a running SetAccessBindings holds its new bindings, each an ADD",
                )


def _load_operations(service: ImageService, operations: list[Any]) -> None:
    store = service.store
    for index, data in enumerate(operations):
        where = f"operations[{index}]"
        op = _run(where, operation_from_json, data)
        if op.id in store.operations:
            raise StateError(f"{where}.id", f"operation {op.id} is given twice")
        _check_deltas(where, op)
        image = store.images.get(op.image_id)
        if not op.done and image is None:
            raise StateError(
                f"{where}.imageId",
                f"a running operation's image {op.image_id} is not among the images",
            )
        store.add_operation(op)
        if op.due_at is not None and not op.done:
            service.lifecycle.due.append((op.due_at, op.id))
    service.lifecycle.due.sort()  # a sorted list is a heap
