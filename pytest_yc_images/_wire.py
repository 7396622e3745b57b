"""The proto3 JSON mapping: records to REST dictionaries and back.

camelCase names, int64 as decimal strings, RFC 3339 timestamps, enum names, fields at
their default omitted, ``google.protobuf.Any`` with ``@type``.
"""

from __future__ import annotations

import calendar
import copy
import re
import time
from functools import lru_cache
from typing import Any

from ._core.model import Image, Operation
from ._core.roles import binding_json
from ._core.sharing import BINDING_METHODS
from .errors import ServiceError

__all__ = [
    "TYPE_PREFIX",
    "decode_request",
    "encode_image",
    "encode_operation",
    "encode_status",
    "encode_time",
    "parse_time",
]

TYPE_PREFIX = "type.googleapis.com/"
_COMPUTE = TYPE_PREFIX + "yandex.cloud.compute.v1."
_ACCESS = TYPE_PREFIX + "yandex.cloud.access."
_INT64_FIELDS = frozenset({"minDiskSize", "pageSize", "size", "storageSize"})
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@lru_cache(maxsize=4096)  # an image's timestamps are encoded on every read of it
def encode_time(when: float) -> str:
    """``when`` (seconds since the epoch, years 0001-9999) as proto3 JSON writes a
    Timestamp: UTC, ``Z``, and 0, 3 or 6 fraction digits, the fewest that write the
    time exactly once rounded to the microsecond (a float holds no finer time); as
    ``google.protobuf.Timestamp.ToJsonString()`` writes it."""
    # Exact arithmetic on the float's value: rounding (when - floor) * 1e6 in floats
    # can land a tie on the wrong side, and far from 1970 lose the last digit.
    numerator, denominator = when.as_integer_ratio()
    micros, rest = divmod(numerator * 1_000_000, denominator)
    if 2 * rest > denominator or (2 * rest == denominator and micros & 1):
        micros += 1  # to the nearest microsecond, ties to even
    seconds, micros = divmod(micros, 1_000_000)  # floor: before 1970 the fraction is forward
    moment = time.gmtime(seconds)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", moment)
    if moment.tm_year < 1000:  # %Y does not pad it to four digits
        text = text.zfill(19)
    if not micros:
        return text + "Z"
    if micros % 1000:
        return f"{text}.{micros:06d}Z"
    return f"{text}.{micros // 1000:03d}Z"


_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z")


def parse_time(text: str) -> float:
    match = _TIME.fullmatch(text)
    if not match:
        raise ValueError(f"not an RFC 3339 UTC timestamp: {text!r}")
    base = time.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    fraction = float("0." + match.group(2)) if match.group(2) else 0.0
    return float(calendar.timegm(base)) + fraction


def encode_image(image: Image, *, live: bool = True) -> dict[str, Any]:
    """``image`` in the JSON mapping; without ``live`` (the seed profile), none of the
    fields the seed does not document."""
    out: dict[str, Any] = {
        "id": image.id,
        "folderId": image.folder_id,
        "createdAt": encode_time(image.created_at),
    }
    if image.name:
        out["name"] = image.name
    if image.description:
        out["description"] = image.description
    if image.labels:
        out["labels"] = dict(image.labels)
    if image.family:
        out["family"] = image.family
    if live and image.size:
        out["size"] = str(image.size)
    if image.storage_size:
        out["storageSize"] = str(image.storage_size)
    if image.min_disk_size:
        out["minDiskSize"] = str(image.min_disk_size)
    if image.product_ids:
        out["productIds"] = list(image.product_ids)
    out["status"] = image.status
    if image.os_type:
        out["os"] = {"type": image.os_type}
    if live and image.nvidia_driver:
        out.setdefault("os", {})["nvidia"] = {"driver": image.nvidia_driver}
    if image.pooled:
        out["pooled"] = True
    if live and image.hardware_generation is not None:
        out["hardwareGeneration"] = copy.deepcopy(image.hardware_generation)
    if live and image.kms_key:
        out["kmsKey"] = dict(image.kms_key)
    return out


def encode_status(error: ServiceError, request_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"code": int(error.code), "message": error.message}
    details: list[dict[str, Any]] = []
    if error.violations:
        details.append(
            {
                "@type": TYPE_PREFIX + "google.rpc.BadRequest",
                "fieldViolations": [
                    {"field": v.field, "description": v.description} for v in error.violations
                ],
            }
        )
    if request_id:
        details.append({"@type": TYPE_PREFIX + "google.rpc.RequestInfo", "requestId": request_id})
    if details:
        out["details"] = details
    return out


def encode_operation(op: Operation, *, live: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": op.id,
        "description": op.description,
        "createdAt": encode_time(op.created_at),
        "createdBy": op.created_by,
        "modifiedAt": encode_time(op.modified_at),
        # Written when false too, as the REST gateway's replies show it (proto3 JSON
        # could omit it): clients that read op["done"] work against both.
        "done": op.done,
    }
    if op.method in BINDING_METHODS:
        out["metadata"] = {"@type": f"{_ACCESS}{op.method}Metadata", "resourceId": op.image_id}
    else:
        out["metadata"] = {"@type": f"{_COMPUTE}{op.method}ImageMetadata", "imageId": op.image_id}
    if op.error is not None:
        out["error"] = encode_status(op.error)
    elif op.done and op.method in BINDING_METHODS:
        result: dict[str, Any] = {"@type": _ACCESS + "AccessBindingsOperationResult"}
        if op.deltas:
            result["effectiveDeltas"] = [
                {"action": action, "accessBinding": binding_json(binding)}
                for action, binding in op.deltas
            ]
        out["response"] = result
    elif op.done:
        if op.method == "Delete" or op.response is None:
            out["response"] = {"@type": TYPE_PREFIX + "google.protobuf.Empty"}
        else:
            out["response"] = {"@type": _COMPUTE + "Image", **encode_image(op.response, live=live)}
    return out


@lru_cache(maxsize=256)
def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def decode_request(message: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for the core from a validated request in the JSON mapping."""
    out: dict[str, Any] = {}
    for key, value in message.items():
        if key == "os":
            os = value if isinstance(value, dict) else {}
            out["os_type"] = os.get("type", "")
            if os.get("nvidia"):  # live only: the seed's schema refuses it
                out["nvidia_driver"] = os["nvidia"].get("driver", "")
        elif key in _INT64_FIELDS:
            out[_snake(key)] = int(value)
        elif key == "hardwareGeneration" and isinstance(value, dict):
            out["hardware_generation"] = _without_zero_enums(value)
        else:
            out[_snake(key)] = value
    return out


def _without_zero_enums(generation: dict[str, Any]) -> dict[str, Any]:
    """A hardware generation as protobuf holds it: an enum at its zero value is the field
    left out (``{"pciTopology": "PCI_TOPOLOGY_UNSPECIFIED"}`` is ``{}``, as a gRPC
    client's 0 arrives)."""
    return {
        features: {k: v for k, v in inner.items() if not str(v).endswith("_UNSPECIFIED")}
        if isinstance(inner, dict)
        else inner
        for features, inner in generation.items()
    }
