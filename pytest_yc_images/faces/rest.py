"""The REST face, sans I/O: an HTTP request in, an HTTP response out.

Paths, query parameters and bodies as API.md gives them; every answer is JSON, and every
error a ``google.rpc.Status`` with the gateway's HTTP status.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import orjson

from .._control_routes import control_routes
from .._controls import Controls
from .._routes import RouteTable, routes
from .._rpc import Reply, Rpc, new_request_id
from .._wire import encode_status
from ..errors import Code, ServiceError

__all__ = [
    "MAX_BODY",
    "HttpRequest",
    "HttpResponse",
    "RestRouter",
    "controls_off",
    "is_control_path",
    "shutting_down",
]

MAX_BODY = 1024 * 1024
_JSON = "application/json"
_JSON_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"content-type", _JSON.encode()),)
_ENCODER = json.JSONEncoder(separators=(",", ":"))


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str  # as sent, percent-encoded
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""


@dataclass(slots=True)
class HttpResponse:
    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...] = _JSON_HEADERS  # without Content-Length
    delay: float = 0.0

    def wire_headers(self) -> list[tuple[bytes, bytes]]:
        """The headers to send: these and the body's Content-Length."""
        return [*self.headers, (b"content-length", b"%d" % len(self.body))]


def encode_json(payload: Any) -> bytes:
    """Compact JSON, UTF-8. orjson where it can (several times faster than the standard
    library on every reply); the standard library for what orjson refuses (integers
    beyond 64 bits, strings with lone surrogates), which it escapes."""
    try:
        return orjson.dumps(payload)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _ENCODER.encode(payload).encode()


def _json_response(
    status: int, payload: Any, extra: list[tuple[str, str]] | None = None, delay: float = 0.0
) -> HttpResponse:
    headers = _JSON_HEADERS
    if extra:
        headers += tuple((k.encode(), v.encode()) for k, v in extra)
    return HttpResponse(status, encode_json(payload), headers, delay)


def _error(
    error: ServiceError,
    request_id: str | None,
    status: int | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    body = encode_status(error, request_id or new_request_id())
    return _json_response(status or error.code.http_status, body, extra)


_CONTROLS_OFF = "The fake's HTTP controls are disabled"


def is_control_path(path: str) -> bool:
    """Whether ``path`` (as sent) is one of the ``/_fake/`` controls'."""
    return path.startswith("/_fake/") or path == "/_fake"


def controls_off() -> HttpResponse:
    """What a ``/_fake/`` path answers where the controls are off."""
    return _error(ServiceError(Code.NOT_FOUND, _CONTROLS_OFF), None)


def shutting_down() -> HttpResponse:
    """What a request still waiting out a latency fault gets when its server stops."""
    return _error(ServiceError(Code.UNAVAILABLE, "The fake's server is shutting down"), None)


def _token(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


class RestRouter:
    """Routes REST requests into :class:`Rpc`; ``/_fake/...`` into the test controls."""

    def __init__(
        self,
        rpc: Rpc,
        *,
        controls: Controls | None = None,
        table: RouteTable | None = None,
        control_token: str | None = None,
    ) -> None:
        self.rpc = rpc
        self.controls = controls
        # What /_fake/ takes as its bearer token while the service has access= set.
        self.control_token = control_token
        # Without a table, the profile's (read per request: reset() may change it).
        self._table = table

    def handle(self, request: HttpRequest) -> HttpResponse:
        # The caller's request ID, if it sent one; otherwise one is made only for an error.
        request_id = request.headers.get("x-request-id") or request.headers.get(
            "x-client-request-id"
        )
        try:
            if request.path.startswith("/_fake/") or request.path == "/_fake":
                return self._control(request)
            return self._api(request, request_id)
        except ServiceError as error:
            return _error(error, request_id)

    def _api(self, request: HttpRequest, request_id: str | None) -> HttpResponse:
        path = request.path
        table = self._table or routes(profile=self.rpc.service.profile)
        for pattern, methods in table.by_path:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if request.method not in methods:
                # As the gateway answers: 405 with Allow, the Status code UNIMPLEMENTED.
                allow = ", ".join(methods)
                error = ServiceError(
                    Code.UNIMPLEMENTED, f"Method {request.method[:20]} not allowed"
                )
                return _error(error, request_id, 405, [("allow", allow)])
            route = methods[request.method]
            message = _query(request.query, route.query_parameters)
            in_path = match.groupdict()
            if route.body:
                body = _body(request)
                for name in in_path:
                    if name in body:
                        raise ServiceError.invalid(
                            name, "unknown field in the body: it is given in the path"
                        )
                message.update(body)
            for name, value in in_path.items():
                message[name] = unquote(value) if "%" in value else value
            reply = self.rpc.call(
                route.rpc,
                message,
                token=_token(request.headers),
                idempotency_key=request.headers.get("idempotency-key") or None,
                request_id=request_id,
                size=len(request.body) + len(request.query) + len(path),
            )
            return _reply(reply)
        raise ServiceError(Code.NOT_FOUND, f"No such path: {path[:200]}")

    def _control(self, request: HttpRequest) -> HttpResponse:
        if self.controls is None:
            raise ServiceError(Code.NOT_FOUND, _CONTROLS_OFF)
        if self.rpc.service.access.tokens is not None:
            self._check_control_token(request)
        route, params = control_routes().match(request.method, request.path)
        query = _query(request.query, route.query)
        body = _body(request) if request.body else {}
        return _json_response(200, route.run(self.controls, body, params=params, query=query))

    def _check_control_token(self, request: HttpRequest) -> None:
        """With access= set, callers are told apart by token, so the controls (which
        reach every folder) take only the control token."""
        given = _token(request.headers) or ""
        expected = self.control_token
        if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
            raise ServiceError(
                Code.UNAUTHENTICATED,
                "The /_fake/ controls of a fake with access= need its control token "
                "(Authorization: Bearer <control token>)",
            )


def _reply(reply: Reply) -> HttpResponse:
    return _json_response(reply.http_status, reply.body, None, reply.delay)


def _query(raw: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not raw:
        return out
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ServiceError.invalid("query", "the query string is not valid UTF-8") from None
    for name, value in pairs:
        if name not in allowed:
            raise ServiceError.invalid(name[:100], "unknown query parameter")
        if name in out:
            raise ServiceError.invalid(name, "given more than once")
        out[name] = value
    return out


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise ServiceError(
            Code.RESOURCE_EXHAUSTED, f"The request body is larger than {MAX_BODY} bytes"
        )
    content_type = request.headers.get("content-type", _JSON).split(";")[0].strip().lower()
    if content_type and content_type != _JSON and not content_type.endswith("+json"):
        raise ServiceError.invalid("Content-Type", f"must be {_JSON}, not {content_type[:100]!r}")
    if not request.body.strip():
        return {}
    try:
        payload = json.loads(request.body)
    except (ValueError, RecursionError) as exc:
        raise ServiceError.invalid("body", f"not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(payload, dict):
        raise ServiceError.invalid("body", "must be a JSON object")
    return payload
