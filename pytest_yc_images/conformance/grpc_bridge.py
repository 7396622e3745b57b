"""An httpx transport that carries the suite's REST requests over gRPC.

The contracts speak REST (API.md's routes, the JSON mapping). :class:`GrpcBridge` takes
each request, finds its route in the route table (``pytest_yc_images.routes()``), builds
the request message (the SDK's class) from the path, the query string and the JSON body
with ``json_format.ParseDict`` (the JSON mapping is the same on both faces), calls the
route's gRPC method over TLS, and answers as the REST gateway would: HTTP 200 with
``MessageToDict(reply)``, or the HTTP status API.md pairs with the call's code and the
``google.rpc.Status`` of the ``grpc-status-details-bin`` trailer as the body. The
suite's checked client runs over it unchanged, so every gRPC reply meets the same schema
checks as a REST one.

The bridge never answers for the server: a request protobuf cannot carry (an enum name
the proto lacks, an unknown field, a body that is not a JSON object) raises
:class:`~.client.NotExpressible` and the contract is skipped, saying why; a reply it
cannot render raises :class:`BridgeError`, which fails the contract. Only a path with no
RPC at all gets the bridge's own 404 NOT_FOUND.

Needs the ``grpc`` extra (``pip install pytest-yc-images[grpc]``); only this module of
the suite imports grpc.
"""

from __future__ import annotations

import importlib
import json
import threading
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote

import grpc
import httpx
from google.protobuf import (
    descriptor_pool,
    empty_pb2,  # noqa: F401  # Delete's response Any
    message_factory,
)
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from google.rpc import error_details_pb2, status_pb2  # BadRequest, RequestInfo details

from pytest_yc_images import Route, routes

from .client import HTTP_STATUS, NotExpressible

__all__ = ["BridgeError", "GrpcBridge"]

_ = error_details_pb2  # imported for the descriptor pool: Any details render by @type
_OPERATIONS = "yandex.cloud.operation."  # services served by ``operation_endpoint``
# HTTP headers the REST face reads, as the gRPC metadata keys of the same meaning.
_METADATA = ("authorization", "idempotency-key", "x-request-id", "x-client-request-id")
_JSON = {"content-type": "application/json"}


@cache
def _message(full_name: str, module: str) -> Any:
    """A message class of the SDK by full name (``module`` defines it)."""
    importlib.import_module(module)
    found = descriptor_pool.Default().FindMessageTypeByName(full_name)
    return message_factory.GetMessageClass(found)


class BridgeError(AssertionError):
    """A gRPC reply the JSON mapping cannot show: the contract fails with this."""


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, headers=_JSON, content=json.dumps(body).encode())


def _status_body(error: Any) -> dict[str, Any]:
    """The call's ``google.rpc.Status`` (from the details trailer) in the JSON mapping."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            try:
                return dict(MessageToDict(status))
            except (TypeError, KeyError):  # a detail of a type this SDK does not know
                body = dict(MessageToDict(status_pb2.Status(code=status.code,
                                                            message=status.message)))  # fmt: skip
                body["details"] = [{"@type": d.type_url} for d in status.details]
                return body
    # No trailer: the status is the call's own code and message (details are optional).
    return dict(MessageToDict(status_pb2.Status(code=error.code().value[0],
                                                message=error.details() or "")))  # fmt: skip


def _null_field(node: Any, where: str = "") -> str:
    """The path of the first JSON null in ``node`` ("" if none)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()  # fmt: skip
    for key, value in items:
        path = f"{where}.{key}" if where else str(key)
        if value is None:
            return path
        found = _null_field(value, path)
        if found:
            return found
    return ""


class GrpcBridge(httpx.BaseTransport):
    """REST in, gRPC out: ``httpx.Client(transport=GrpcBridge("localhost:PORT", ca_pem=CA))``.

    ``operation_endpoint`` serves OperationService (default: ``endpoint``). ``ca_pem``: the
    CA certificates to trust (PEM bytes); None trusts grpc's default roots. Channels open
    on first use and again after :meth:`close`, so clients may share one bridge.
    """

    def __init__(
        self, endpoint: str, operation_endpoint: str = "", *, ca_pem: bytes | None = None
    ) -> None:
        self.endpoints = {"compute": endpoint, "operation": operation_endpoint or endpoint}
        self.ca_pem = ca_pem
        self._lock = threading.Lock()
        self._channels: dict[str, Any] = {}

    def _callable(self, route: Route) -> Any:
        """The route's method on a channel to its endpoint, as a generated stub has it."""
        service = "operation" if route.grpc_service.startswith(_OPERATIONS) else "compute"
        address = self.endpoints[service]
        with self._lock:
            channel = self._channels.get(address)
            if channel is None:
                credentials = grpc.ssl_channel_credentials(root_certificates=self.ca_pem)
                channel = self._channels[address] = grpc.secure_channel(address, credentials)
        response = _message(route.response_type, route.grpc_module)
        return channel.unary_unary(
            route.grpc_method,
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response.FromString,
        )

    def close(self) -> None:
        with self._lock:
            channels, self._channels = self._channels, {}
        for channel in channels.values():
            channel.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        matched = routes().match(path)
        if matched is None:
            return _json(404, {"code": 5, "message": f"No gRPC method for {path[:200]}"})
        methods, in_path = matched
        if request.method not in methods:
            raise NotExpressible(
                f"{request.method} {path}: gRPC has no HTTP methods (REST answers 405)"
            )
        route = methods[request.method]
        fields = self._fields(request, body, route.body)
        for name, value in in_path.items():
            if fields.setdefault(name, unquote(value)) != unquote(value):
                raise NotExpressible(f"{name} given both in the path and in the body")
        message_type = _message(route.request_type, route.grpc_module)
        try:
            message = ParseDict(fields, message_type())
        except ParseError as exc:
            raise NotExpressible(f"{message_type.DESCRIPTOR.name}: {exc}") from None
        return self._call(request, route, message)

    @staticmethod
    def _fields(request: httpx.Request, body: bytes, takes_body: bool) -> dict[str, Any]:
        query = request.url.query.decode("ascii")
        pairs = parse_qsl(query, keep_blank_values=True) if query else []
        fields: dict[str, Any] = dict(pairs)
        if len(fields) != len(pairs):
            raise NotExpressible("a query parameter given twice (a protobuf field is set once)")
        if not body.strip():
            return fields
        if not takes_body:
            raise NotExpressible(f"a body on {request.method} {request.url.path}")
        try:
            payload = json.loads(body)
        except ValueError:
            raise NotExpressible("a body that is not JSON") from None
        if not isinstance(payload, dict):
            raise NotExpressible("a body that is not a JSON object")
        null = _null_field(payload)
        if null:  # ParseDict reads null as unset: gRPC would get another request
            raise NotExpressible(f"{null}: null (protobuf has no null; it would be unset)")
        both = set(payload) & set(fields)
        if both:
            raise NotExpressible(f"fields both in the query and the body: {sorted(both)}")
        return fields | payload

    def _call(self, request: httpx.Request, route: Route, message: Any) -> httpx.Response:
        metadata = [(k, request.headers[k]) for k in _METADATA if k in request.headers]
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            reply = self._callable(route)(message, metadata=metadata, timeout=timeout)
        except grpc.RpcError as error:
            code = error.code().value[0]
            return _json(HTTP_STATUS.get(code, 500), _status_body(error))
        try:
            return _json(200, MessageToDict(reply, preserving_proto_field_name=False))
        except Exception as exc:
            raise BridgeError(f"the {route.rpc} reply has no JSON mapping: {exc}") from None
