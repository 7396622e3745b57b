"""The one path every request takes, whatever the face: validate, decode, core, encode.

Faces hand in a request message in the JSON mapping plus the call's metadata (token,
idempotency key, request ID) and get back a :class:`Reply`: a code and a JSON body.
Faults, the journal and ``Idempotency-Key`` are applied here, once for all faces.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError

from . import _contracts
from ._core.faults import ErrorFault, LatencyFault, LostReplyFault
from ._core.model import Image
from ._core.rpcs import implemented
from ._core.service import ImageService
from ._routes import Route, routes
from ._schema_model import message as schema_model
from ._wire import decode_request, encode_image, encode_operation, encode_status
from .errors import Code, FieldViolation, ServiceError

__all__ = ["METHODS", "MethodSpec", "Reply", "Rpc"]


def _page(key: str) -> Callable[[tuple[list[Any], str]], dict[str, Any]]:
    def encode(result: tuple[list[Any], str]) -> dict[str, Any]:
        items, token = result
        out: dict[str, Any] = {}
        if items:
            out[key] = [
                encode_image(i) if isinstance(i, Image) else encode_operation(i) for i in items
            ]
        if token:
            out["nextPageToken"] = token
        return out

    return encode


@dataclass(frozen=True, slots=True)
class MethodSpec:
    request: str  # the request message's schema
    handler: str  # the ImageService method
    encode: Callable[[Any], dict[str, Any]]
    mutating: bool = False


# The reply encoder of each response message; a page of a listing is found by its shape.
_ENCODERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "yandex.cloud.compute.v1.Image": encode_image,
    "yandex.cloud.operation.Operation": encode_operation,
}


def _encoder(route: Route) -> Callable[[Any], dict[str, Any]]:
    if route.response_type in _ENCODERS:
        return _ENCODERS[route.response_type]
    if route.page_items is not None:
        return _page(route.page_items)
    raise LookupError(f"{route.rpc}: no encoder for {route.response_type}")


def _methods() -> dict[str, MethodSpec]:
    """The route table's RPCs that the core implements (the others answer UNIMPLEMENTED)."""
    handlers = implemented(ImageService)
    return {
        route.rpc: MethodSpec(
            route.request,
            handlers[route.rpc],
            _encoder(route),
            # Keyed: a repeat answers the operation the first call made, so only a call
            # that starts one (its reply typed by its metadata). Cancel takes the header
            # but starts nothing; a repeat cancels again, a no-op once done.
            mutating=route.mutating and route.metadata_type is not None,
        )
        for route in routes()
        if route.rpc in handlers
    }


METHODS: dict[str, MethodSpec] = _methods()


_OK = Code.OK
_REQUEST_PREFIX = uuid.uuid4().hex[:16]
_REQUEST_NUMBERS = itertools.count(1)


def new_request_id() -> str:
    """A request ID unique to this process's calls (cheaper than a uuid4 per call)."""
    return f"{_REQUEST_PREFIX}-{next(_REQUEST_NUMBERS):012x}"


def method_name(name: str) -> str:
    """``"Create"`` or ``"ImageService.Create"`` -> ``"ImageService.Create"``; ``*`` stays."""
    if name == "*" or name in METHODS:
        return name
    for full in METHODS:
        if full.startswith("ImageService.") and full.endswith("." + name):
            return full
    raise ValueError(f"unknown method {name!r}; known: {', '.join(METHODS)}")


@dataclass(frozen=True, slots=True)
class Reply:
    code: Code
    body: dict[str, Any]
    delay: float = 0.0  # seconds of scripted latency the face should wait before answering

    @property
    def http_status(self) -> int:
        return self.code.http_status


class Rpc:
    """Serialises calls into one :class:`ImageService` (faces may call from any thread)."""

    def __init__(self, service: ImageService, lock: threading.RLock | None = None) -> None:
        self.service = service
        self.lock = lock or threading.RLock()

    def call(
        self,
        method: str,
        message: Any,
        *,
        token: str | None,
        idempotency_key: str | None = None,
        request_id: str | None = None,
    ) -> Reply:
        spec = METHODS.get(method)
        with self.lock:
            service = self.service
            delay = 0.0
            faults = service.faults if service.faults.entries else None
            try:
                if spec is None:
                    raise ServiceError(Code.UNIMPLEMENTED, f"{method[:100]} is not implemented")
                if service.lifecycle.due:
                    service.settle()
                if faults is not None:
                    latency = faults.take(method, LatencyFault)
                    delay = latency.seconds if latency else 0.0
                    scripted = faults.take(method, ErrorFault)
                    if scripted is not None:
                        raise ServiceError(scripted.code, scripted.message or "Scripted fault")
                caller = service.access.authenticate(token)
                _validate(spec.request, message)
                # A repeat is the same request with the same key; a key reused for another
                # request (another image, other fields) does not return the first's operation.
                key = (
                    (caller.subject, method, idempotency_key, _fingerprint(message))
                    if idempotency_key and spec.mutating
                    else None
                )
                if key and key in service.idempotency:
                    result: Any = service.store.operations[service.idempotency[key]]
                else:
                    result = getattr(service, spec.handler)(caller, **decode_request(message))
                    if key:
                        service.idempotency[key] = result.id
                body = spec.encode(result)
                if faults is not None and faults.take(method, LostReplyFault) is not None:
                    raise ServiceError(Code.UNAVAILABLE, "The connection was reset")
                code = _OK
            except ServiceError as error:
                code, body = error.code, encode_status(error, request_id or new_request_id())
            ok = code is _OK
            service.journal.add(
                method,
                message if isinstance(message, dict) else {"": message},
                body if ok else None,
                None if ok else body,
                int(code),
                service.clock.now(),
                time.monotonic(),
                idempotency_key,
            )
            return Reply(code, body, delay)


def _fingerprint(message: Any) -> str:
    return json.dumps(message, sort_keys=True, separators=(",", ":"), default=str)


def _validate(message_name: str, message: Any) -> None:
    unencodable = _lone_surrogates(message)
    if unencodable:
        fields = ", ".join(v.field for v in unencodable)
        raise ServiceError(
            Code.INVALID_ARGUMENT, f"Request validation error: {fields}", tuple(unencodable)
        )
    quick = _contracts.fast_check(message_name)
    if quick is not None:
        try:
            if quick(message):
                return
        except (ValueError, OverflowError, TypeError):
            pass  # a value jsonschema-rs cannot take (e.g. a huge integer): ask jsonschema
    errors = list(_contracts.validator(message_name).iter_errors(message))
    if not errors:
        return
    violations: list[FieldViolation] = []
    for error in errors:
        for violation in _violations(error, message_name):
            if violation not in violations:
                violations.append(violation)
    fields = ", ".join(v.field for v in violations)
    raise ServiceError(
        Code.INVALID_ARGUMENT, f"Request validation error: {fields}", tuple(violations)
    )


def _lone_surrogates(message: Any) -> list[FieldViolation]:
    """Strings proto3 cannot carry: JSON may escape a lone surrogate (``"\\ud800"``), UTF-8
    cannot encode one. Walked with a stack, not recursion: the body may be deeply nested."""
    if type(message) is dict:  # the common case, flat and ASCII: nothing to walk
        for key, value in message.items():
            if not (type(value) is str and value.isascii() and type(key) is str and key.isascii()):
                break
        else:
            return []
    found: list[FieldViolation] = []
    stack: list[tuple[str, Any]] = [("", message)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not _utf8(value):
                found.append(FieldViolation(path or "body", "must be valid UTF-8 (lone surrogate)"))
        elif isinstance(value, dict):
            for key, item in value.items():
                if not _utf8(str(key)):
                    found.append(FieldViolation(path or "body", "keys must be valid UTF-8"))
                else:
                    stack.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return sorted(set(found), key=lambda v: v.field)


def _utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _violations(error: ValidationError, message_name: str) -> list[FieldViolation]:
    """Name the field(s) behind one schema error of a ``message_name``, in the JSON mapping's
    names."""
    base = _path(error.absolute_path)
    keyword: Any = error.validator
    value: Any = error.validator_value
    schema: Any = error.schema
    instance: Any = error.instance

    def at(name: Any) -> str:  # a key of a Python caller's message may be any type
        return f"{base}.{name}" if base else str(name)

    if keyword == "required":
        have = instance if isinstance(instance, dict) else {}
        return [FieldViolation(at(n), "is required") for n in value if n not in have]
    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = schema.get("properties", {})
        return [FieldViolation(at(n), "unknown field") for n in instance if n not in known]
    schema_path = list(error.relative_schema_path)
    if "dependentSchemas" in schema_path:  # a oneof: the schema model knows its members
        source = str(schema_path[schema_path.index("dependentSchemas") + 1])
        *others, last = schema_model(message_name).oneof(source) or (source,)
        listed = f"{', '.join(others)} and {last}" if others else last
        return [FieldViolation(at(source), f"only one of {listed} may be set")]
    if keyword == "propertyNames":
        return [FieldViolation(base or "body", f"key {_short(instance)} {_why(error.context)}")]
    if keyword in ("anyOf", "oneOf") and isinstance(schema, dict) and schema.get("description"):
        return [FieldViolation(base or "body", schema["description"])]
    if keyword == "type" and not base:
        return [FieldViolation("body", "must be a JSON object")]
    return [FieldViolation(base or "body", _describe(keyword, value, instance))]


def _why(context: Any) -> str:
    if not context:
        return "is not allowed"
    first = context[0]
    return _describe(first.validator, first.validator_value, first.instance)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(keyword: Any, value: Any, instance: Any) -> str:
    match keyword:
        case "maxLength":
            return f"must be at most {value} characters long"
        case "minLength":
            return "is required" if value == 1 else f"must be at least {value} characters long"
        case "pattern":
            return f"value {_short(instance)} must match the regular expression {value}"
        case "maximum":
            return f"must be at most {value}"
        case "minimum":
            return f"must be at least {value}"
        case "maxProperties":
            return f"must have at most {value} entries"
        case "maxItems":
            return f"must have at most {value} items"
        case "enum":
            return "must be one of " + ", ".join(map(str, value))
        case "type":
            return f"must be of type {value}"
        case _:
            return f"has an invalid value {_short(instance)}"
