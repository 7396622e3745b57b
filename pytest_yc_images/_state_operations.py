"""Operations (and the images they answered) as a state file holds them, and back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._controls import image_from_json
from ._core.model import Delta, Image, Operation
from ._core.roles import binding_from_json, binding_json
from ._wire import encode_image, encode_time, parse_time
from .errors import Code, ServiceError

__all__ = ["image_json", "operation_from_json", "operation_json"]

# Operation.pending's attributes by their names in the file (the API's JSON names).
_PENDING = {
    "name": "name",
    "description": "description",
    "minDiskSize": "min_disk_size",
    "labels": "labels",
    "status": "status",
}
_PENDING_NAMES = {attr: name for name, attr in _PENDING.items()}


def image_json(image: Image) -> dict[str, Any]:
    out = encode_image(image)
    # Written even at their default: a loaded image without them would get put_image's.
    out["storageSize"] = str(image.storage_size)
    out["minDiskSize"] = str(image.min_disk_size)
    return out


def _status(error: ServiceError) -> dict[str, Any]:
    return {"code": int(error.code), "message": error.message}


def operation_json(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": op.id,
        "method": op.method,
        "folderId": op.folder_id,
        "imageId": op.image_id,
        "description": op.description,
        "createdAt": encode_time(op.created_at),
        "createdBy": op.created_by,
        "modifiedAt": encode_time(op.modified_at),
        "done": op.done,
    }
    if op.error is not None:
        out["error"] = _status(op.error)
    if op.response is not None:
        out["response"] = image_json(op.response)
    if op.polls:
        out["polls"] = op.polls
    if op.due_at is not None:
        out["dueAt"] = op.due_at
    if op.pending is not None:
        out["pending"] = {_PENDING_NAMES[k]: v for k, v in op.pending.items()}
    if op.fail_with is not None:
        out["failWith"] = _status(op.fail_with)
    if op.fail_after_polls is not None:
        out["failAfterPolls"] = op.fail_after_polls
    if op.deltas is not None:
        out["deltas"] = [{"action": a, "accessBinding": binding_json(b)} for a, b in op.deltas]
    return out


def _deltas(data: list[Mapping[str, Any]]) -> list[Delta]:
    """A Set/UpdateAccessBindings operation's deltas, each checked as the request path
    checks a delta's binding (a ServiceError naming ``deltas[i].accessBinding...``)."""
    return [
        (delta["action"], binding_from_json(delta["accessBinding"], f"deltas[{i}].accessBinding"))
        for i, delta in enumerate(data)
    ]


def _status_error(status: Mapping[str, Any]) -> ServiceError:
    return ServiceError(Code(status["code"]), status["message"])


def operation_from_json(data: Mapping[str, Any]) -> Operation:
    response = None
    if "response" in data:
        response = image_from_json(data["response"], image_id="", created_at=0.0)
    pending = data.get("pending")
    return Operation(
        id=data["id"],
        method=data["method"],
        folder_id=data["folderId"],
        image_id=data["imageId"],
        description=data.get("description", ""),
        created_at=parse_time(data["createdAt"]),
        created_by=data["createdBy"],
        modified_at=parse_time(data["modifiedAt"]),
        done=data["done"],
        error=_status_error(data["error"]) if "error" in data else None,
        response=response,
        polls=data.get("polls", 0),
        due_at=data.get("dueAt"),
        pending=None if pending is None else {_PENDING[k]: v for k, v in pending.items()},
        fail_with=_status_error(data["failWith"]) if "failWith" in data else None,
        fail_after_polls=data.get("failAfterPolls"),
        deltas=_deltas(data["deltas"]) if "deltas" in data else None,
    )
