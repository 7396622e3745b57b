"""Test-facing controls of a fake, shared by the Python API and the HTTP ``/_fake/`` face."""

from __future__ import annotations

from typing import Any

from ._core.faults import Fault
from ._core.model import Disk, Image, Snapshot
from ._core.operations import Completion
from ._rpc import Rpc, method_name
from ._wire import encode_image, encode_operation, parse_time
from .errors import Code, ServiceError

__all__ = ["Controls", "image_from_json"]

_IMAGE_FIELDS = {
    "name": "name",
    "description": "description",
    "labels": "labels",
    "family": "family",
    "productIds": "product_ids",
    "status": "status",
    "pooled": "pooled",
}


def image_from_json(data: dict[str, Any], *, image_id: str, created_at: float) -> Image:
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


class Controls:
    """What a test may do that the live service never allows. Thread-safe."""

    def __init__(self, rpc: Rpc) -> None:
        self.rpc = rpc

    @property
    def _service(self) -> Any:
        return self.rpc.service

    # --- state ---------------------------------------------------------------------
    def put_image(self, data: dict[str, Any]) -> dict[str, Any]:
        with self.rpc.lock:
            service = self._service
            image = image_from_json(
                data, image_id=service.ids.new("fd8"), created_at=service.stamp()
            )
            return encode_image(service.put_image(image))

    def add_disk(self, disk: Disk) -> None:
        with self.rpc.lock:
            self._service.store.disks[disk.id] = disk

    def add_snapshot(self, snapshot: Snapshot) -> None:
        with self.rpc.lock:
            self._service.store.snapshots[snapshot.id] = snapshot

    def images(self, folder_id: str | None = None) -> list[dict[str, Any]]:
        with self.rpc.lock:
            images = self._service.store.images.values()
            return [encode_image(i) for i in images if folder_id in (None, i.folder_id)]

    def operations(self, image_id: str | None = None) -> list[dict[str, Any]]:
        with self.rpc.lock:
            ops = self._service.store.operations.values()
            return [encode_operation(o) for o in ops if image_id in (None, o.image_id)]

    # --- time and operations -------------------------------------------------------
    def advance(self, seconds: float) -> float:
        with self.rpc.lock:
            self._service.advance(seconds)
            return float(self._service.clock.now())

    def set_completion(self, mode: str) -> None:
        with self.rpc.lock:
            self._service.lifecycle.completion = Completion(mode)

    def finish(self, operation_id: str, error: ServiceError | None = None) -> dict[str, Any]:
        with self.rpc.lock:
            return encode_operation(self._service.finish_operation(operation_id, error))

    def unfinished(self) -> list[str]:
        with self.rpc.lock:
            return [o.id for o in self._service.store.operations.values() if not o.done]

    # --- faults --------------------------------------------------------------------
    def add_fault(self, kind: str, method: str, **options: Any) -> Fault:
        if "code" in options:
            options["code"] = Code.parse(options["code"])
        fault = Fault(kind=kind, method=method_name(method), **options)
        with self.rpc.lock:
            added: Fault = self._service.faults.add(fault)
            return added

    # --- the HTTP face of the controls ---------------------------------------------
    def http(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """``/_fake/...`` requests; answers (HTTP status, JSON payload)."""
        try:
            return 200, self._http(method, path.removeprefix("/_fake").strip("/"), body)
        except (ValueError, TypeError, KeyError) as exc:
            return 400, {"code": 3, "message": f"bad control request: {exc}"}
        except ServiceError as error:
            return error.code.http_status, {"code": int(error.code), "message": error.message}

    def _http(self, method: str, path: str, body: dict[str, Any]) -> Any:
        service = self._service
        route = (method, path)
        if route == ("GET", "images"):
            return {"images": self.images(body.get("folderId"))}
        if route == ("POST", "images"):
            return self.put_image(body)
        if route == ("POST", "disks"):
            self.add_disk(Disk(**_snake(body)))
            return {}
        if route == ("POST", "snapshots"):
            self.add_snapshot(Snapshot(**_snake(body)))
            return {}
        if route == ("GET", "operations"):
            return {"operations": self.operations()}
        if method == "POST" and path.startswith("operations/") and ":" in path:
            op_id, _, verb = path.removeprefix("operations/").partition(":")
            if verb == "complete":
                return self.finish(op_id)
            if verb == "fail":
                code = Code.parse(body.get("code", "INTERNAL"))
                return self.finish(op_id, ServiceError(code, body.get("message", "Failed")))
        if route == ("POST", "clock:advance"):
            return {"now": self.advance(float(body["seconds"]))}
        if route == ("POST", "completion"):
            self.set_completion(body["mode"])
            return {}
        if route == ("GET", "faults"):
            with self.rpc.lock:
                return {"faults": [_fault_json(f) for f in service.faults.scripted]}
        if route == ("POST", "faults"):
            options = _snake(body)
            fault = self.add_fault(options.pop("kind"), options.pop("method"), **options)
            return _fault_json(fault)
        if route == ("DELETE", "faults"):
            with self.rpc.lock:
                service.faults.clear()
            return {}
        if route == ("GET", "journal"):
            with self.rpc.lock:
                return {"entries": [_entry_json(e) for e in service.journal.entries]}
        raise ServiceError(Code.NOT_FOUND, f"No such control: {method} /_fake/{path[:100]}")


def _snake(body: dict[str, Any]) -> dict[str, Any]:
    import re

    return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in body.items()}


def _fault_json(fault: Fault) -> dict[str, Any]:
    return {
        "kind": fault.kind,
        "method": fault.method,
        "code": fault.code.name,
        "times": fault.times,
        "seconds": fault.seconds,
        "afterPolls": fault.after_polls,
        "fired": fault.fired,
        "description": fault.describe(),
    }


def _entry_json(entry: Any) -> dict[str, Any]:
    return {
        "method": entry.method,
        "request": entry.request,
        "response": entry.response,
        "error": entry.error,
        "code": entry.code,
        "virtualTime": entry.virtual_time,
        "wallTime": entry.wall_time,
        "idempotencyKey": entry.idempotency_key,
    }
