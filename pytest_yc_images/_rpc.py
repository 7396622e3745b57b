"""The one path every request takes, whatever the face: validate, decode, core, encode.

Faces hand in a request message in the JSON mapping plus the call's metadata (token,
idempotency key, request ID) and get back a :class:`Reply`: a code and a JSON body.
Faults, the journal and ``Idempotency-Key`` are applied here, once for all faces.

``Idempotency-Key`` as the API design guide (concepts/idempotency) has it: "The header
must contain the UUID [...] the server checks whether an operation with this UUID has
already been created. If so, the server returns the Operation." A key is the caller's
(its subject, so a refreshed token keeps its keys) and spans methods: a repeat returns
the first call's operation whatever its method and fields, and the journal marks it
(``replayed``, ``replayed_with_other_body``). A key that is not a UUID is
INVALID_ARGUMENT naming ``Idempotency-Key``; an empty one is no key.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ._contracts import DEFAULT_PROFILE, PROFILES
from ._core.faults import ErrorFault, LatencyFault, LostReplyFault
from ._core.model import AccessBinding, Image
from ._core.roles import binding_json
from ._core.rpcs import implemented
from ._core.service import ImageService
from ._core.store import FirstCall
from ._routes import Route, routes
from ._validation import validate
from ._wire import decode_request, encode_image, encode_operation, encode_status
from .errors import Code, ServiceError

__all__ = ["KEY_FIELD", "METHODS", "MethodSpec", "Reply", "Rpc", "check_idempotency_key"]


def _page_reply(key: str, live: bool, result: tuple[list[Any], str]) -> dict[str, Any]:
    """A page as JSON: its items under ``key`` and the next page's token, each left out
    when empty (an empty page is ``{}``)."""
    items, token = result
    out: dict[str, Any] = {}
    if items:
        out[key] = [_item(i, live) for i in items]
    if token:
        out["nextPageToken"] = token
    return out


def _item(item: Any, live: bool) -> dict[str, Any]:
    if isinstance(item, Image):
        return encode_image(item, live=live)
    if isinstance(item, AccessBinding):
        return binding_json(item)
    return encode_operation(item, live=live)


@dataclass(frozen=True, slots=True)
class MethodSpec:
    request: str  # the request message's schema
    handler: str  # the ImageService method
    encode: Callable[[Any], dict[str, Any]]
    mutating: bool = False  # keyed: a repeat of its Idempotency-Key answers the first's operation
    takes_key: bool = False  # declares Idempotency-Key (its value is checked to be a UUID)


# The reply encoder of each response message; a page of a listing is found by its shape.
_ENCODERS: dict[str, Callable[..., dict[str, Any]]] = {
    "yandex.cloud.compute.v1.Image": encode_image,
    "yandex.cloud.operation.Operation": encode_operation,
}


def _encoder(route: Route, profile: str) -> Callable[[Any], dict[str, Any]]:
    live = profile == "live"
    if route.response_type in _ENCODERS:
        return partial(_ENCODERS[route.response_type], live=live)
    if route.page_items is not None:
        # Bound here, at import; the work is _page_reply's, at each reply.
        return partial(_page_reply, route.page_items, live)
    raise LookupError(f"{route.rpc}: no encoder for {route.response_type}")


def _methods(profile: str) -> dict[str, MethodSpec]:
    """The RPCs of ``profile``'s route table that the core implements (the others answer
    UNIMPLEMENTED)."""
    handlers = implemented(ImageService)
    return {
        route.rpc: MethodSpec(
            route.request,
            handlers[route.rpc],
            _encoder(route, profile),
            # Keyed: a repeat answers the operation the first call made, so only a call
            # that starts one (its reply typed by its metadata). Cancel takes the header
            # but starts nothing; a repeat cancels again, a no-op once done.
            mutating=route.mutating and route.metadata_type is not None,
            takes_key=route.mutating,
        )
        for route in routes(profile=profile)
        if route.rpc in handlers
    }


# Per profile: the seed's and today's.
PROFILE_METHODS: dict[str, dict[str, MethodSpec]] = {p: _methods(p) for p in PROFILES}
METHODS: dict[str, MethodSpec] = PROFILE_METHODS[DEFAULT_PROFILE]


_OK = Code.OK
# What the journal charges for a reply, without serialising it: each resource it carries
# (an image or an operation is ~0.5-1 KB of JSON; its fields are bounded by the schemas)
# and a Status with its field violations (capped in number by validation).
_REPLY_BYTES = 1024
_STATUS_BYTES = 256
_VIOLATION_BYTES = 128
_REQUEST_PREFIX = uuid.uuid4().hex[:16]
_REQUEST_NUMBERS = itertools.count(1)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
KEY_FIELD = "Idempotency-Key"  # as an error names it, whichever face carried it


def check_idempotency_key(value: str) -> str:
    """A key as the fake keeps it: a UUID in its 8-4-4-4-12 hexadecimal form, in lower case
    (one UUID however it is written); INVALID_ARGUMENT naming ``Idempotency-Key`` if not."""
    if _UUID.fullmatch(value) is None:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise ServiceError.invalid(
            KEY_FIELD,
            f"must be a UUID (8-4-4-4-12 hexadecimal digits), not {shown!r}",
        )
    return value.lower()


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
        size: int | None = None,
    ) -> Reply:
        """Answer one call. ``size``: the request's bytes as the face received them (the
        journal weighs calls by it); without it, the request is serialised to weigh it."""
        profile = self.service.profile
        spec = PROFILE_METHODS[profile].get(method)
        # Checked before the lock (it reads no state): a huge invalid request does not hold
        # up other callers. Its error is raised where the check stood, after authentication.
        invalid = _invalid(spec.request, message, profile) if spec is not None else None
        key_text = None  # the key as kept: a UUID in lower case
        if idempotency_key and spec is not None and spec.takes_key:
            try:
                key_text = check_idempotency_key(idempotency_key)
            except ServiceError as error:  # the header is read before the body
                invalid = error
        with self.lock:
            service = self.service
            delay = 0.0
            replayed = other = False
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
                if invalid is not None:
                    raise invalid
                # The caller's key, across methods: a repeat gets the first call's
                # operation whatever its request; one whose operation was released
                # (store.py) is answered as a new call.
                key = (caller.subject, key_text) if key_text and spec.mutating else None
                result: Any = None
                digest = ""
                if key is not None:
                    digest = _digest(message)
                    first = service.idempotency.get(key)
                    if first is not None:
                        result = service.store.operations.get(first.operation_id)
                        if result is not None:
                            replayed = True
                            other = first.method != method or first.digest != digest
                if result is None:
                    result = getattr(service, spec.handler)(caller, **decode_request(message))
                    if key is not None:
                        service.idempotency.add(key, FirstCall(result.id, method, digest))
                body = spec.encode(result)
                reply_size = _REPLY_BYTES * (len(result[0]) if type(result) is tuple else 1)
                if faults is not None and faults.take(method, LostReplyFault) is not None:
                    raise ServiceError(Code.UNAVAILABLE, "The connection was reset")
                code = _OK
            except ServiceError as error:
                code, body = error.code, encode_status(error, request_id or new_request_id())
                reply_size = (
                    _STATUS_BYTES + len(error.message) + _VIOLATION_BYTES * len(error.violations)
                )
            ok = code is _OK
            if size is None:
                size = _weigh(message)
            service.journal.add(
                method,
                message if isinstance(message, dict) else {"": message},
                body if ok else None,
                None if ok else body,
                int(code),
                service.clock.now(),
                time.monotonic(),
                idempotency_key,
                size,
                reply_size,
                replayed=replayed,
                replayed_with_other_body=other,
            )
            return Reply(code, body, delay)


def _weigh(message: Any) -> int:
    """About the bytes of a request no face weighed (a Python caller's dict, which may
    hold what JSON cannot: its repr is about as long as its JSON)."""
    try:
        return len(repr(message))
    except RecursionError:
        return 0


def _invalid(message_name: str, message: Any, profile: str) -> ServiceError | None:
    try:
        validate(message_name, message, profile)
    except ServiceError as error:
        return error
    return None


def _digest(message: Any) -> str:
    """The request, as a digest: a key weighs the same whatever the request's size. Two
    writings of one protobuf message digest alike (:func:`_canonical`), so a replay is
    marked as having another body only when the request differs. (State files before
    keys spanned methods kept a digest of the raw request as ``request``.)"""
    text = json.dumps(_canonical(message), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(errors="surrogatepass"), digest_size=16).hexdigest()


# Fields whose empty value the proto3 JSON mapping reads as absent: scalars at their
# default, lists and maps (not messages: an empty message that is set, such as
# generation2Features {}, is present).
_EMPTY: tuple[Any, ...] = ("", 0, False, [])
_MAPS = frozenset({"labels"})


def _canonical(value: Any, key: str = "") -> Any:
    """``value`` as protobuf reads it: int64 strings as numbers, fields at their default
    and empty maps left out (a validated request: types are as the schema says)."""
    if isinstance(value, dict):
        out = {}
        for name, item in value.items():
            item = _canonical(item, name)
            if (item is None or any(item is e or (item == e and type(item) is type(e))
                                    for e in _EMPTY)
                    or (name in _MAPS and item == {})):  # fmt: skip
                continue
            out[name] = item
        return out
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if key in _INT64_KEYS and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


_INT64_KEYS = frozenset({"minDiskSize", "pageSize", "size", "storageSize"})
