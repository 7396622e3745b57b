"""An httpx transport that carries the suite's REST requests over gRPC.

The contracts speak REST (API.md's routes, the JSON mapping). :class:`GrpcBridge` takes
each request, finds the RPC of its route, builds the request message from the path, the
query string and the JSON body with ``json_format.ParseDict`` (the JSON mapping is the
same on both faces), calls it through the official SDK's generated stubs over TLS, and
answers as the REST gateway would: HTTP 200 with ``MessageToDict(reply)``, or the HTTP
status API.md pairs with the call's code and the ``google.rpc.Status`` of the
``grpc-status-details-bin`` trailer as the body. The suite's checked client runs over it
unchanged, so every gRPC reply meets the same schema checks as a REST one.

The bridge never answers for the server: a request protobuf cannot carry (an enum name
the proto lacks, an unknown field, a body that is not a JSON object) raises
:class:`~.client.NotExpressible` and the contract is skipped, saying why; a reply it
cannot render raises :class:`BridgeError`, which fails the contract. Only a path with no
RPC at all gets the bridge's own 404 NOT_FOUND.

Needs the ``grpc`` extra (``pip install pytest-yc-images[grpc]``); only this module of
the suite imports grpc.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, unquote

import grpc
import httpx
from google.protobuf import empty_pb2  # noqa: F401  # Delete's response Any
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from google.rpc import error_details_pb2, status_pb2  # BadRequest, RequestInfo details
from yandex.cloud.compute.v1 import image_service_pb2, image_service_pb2_grpc
from yandex.cloud.operation import operation_service_pb2, operation_service_pb2_grpc

from .client import HTTP_STATUS, NotExpressible

__all__ = ["BridgeError", "GrpcBridge"]

_ = error_details_pb2  # imported for the descriptor pool: Any details render by @type
_IMAGES = "/compute/v1/images"
_ID = "(?P<{}>[^/:]+)"
# (path pattern, HTTP method) -> (service, RPC, request message, takes a body)
_Route = tuple[str, str, Any, bool]
_ROUTES: list[tuple[re.Pattern[str], dict[str, _Route]]] = [
    (re.compile(_IMAGES), {
        "GET": ("compute", "List", image_service_pb2.ListImagesRequest, False),
        "POST": ("compute", "Create", image_service_pb2.CreateImageRequest, True),
    }),
    (re.compile(_IMAGES + ":latestByFamily"), {
        "GET": ("compute", "GetLatestByFamily", image_service_pb2.GetImageLatestByFamilyRequest,
                False),
    }),
    (re.compile(f"{_IMAGES}/{_ID.format('imageId')}"), {
        "GET": ("compute", "Get", image_service_pb2.GetImageRequest, False),
        "PATCH": ("compute", "Update", image_service_pb2.UpdateImageRequest, True),
        "DELETE": ("compute", "Delete", image_service_pb2.DeleteImageRequest, False),
    }),
    (re.compile(f"{_IMAGES}/{_ID.format('imageId')}/operations"), {
        "GET": ("compute", "ListOperations", image_service_pb2.ListImageOperationsRequest, False),
    }),
    (re.compile(f"/operations/{_ID.format('operationId')}"), {
        "GET": ("operation", "Get", operation_service_pb2.GetOperationRequest, False),
    }),
    (re.compile(f"/operations/{_ID.format('operationId')}:cancel"), {
        "POST": ("operation", "Cancel", operation_service_pb2.CancelOperationRequest, False),
    }),
]  # fmt: skip
_STUBS: dict[str, Any] = {
    "compute": image_service_pb2_grpc.ImageServiceStub,
    "operation": operation_service_pb2_grpc.OperationServiceStub,
}
# HTTP headers the REST face reads, as the gRPC metadata keys of the same meaning.
_METADATA = ("authorization", "idempotency-key", "x-request-id", "x-client-request-id")
_JSON = {"content-type": "application/json"}


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

    def _stub(self, service: str) -> Any:
        address = self.endpoints[service]
        with self._lock:
            channel = self._channels.get(address)
            if channel is None:
                credentials = grpc.ssl_channel_credentials(root_certificates=self.ca_pem)
                channel = self._channels[address] = grpc.secure_channel(address, credentials)
        return _STUBS[service](channel)

    def close(self) -> None:
        with self._lock:
            channels, self._channels = self._channels, {}
        for channel in channels.values():
            channel.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        for pattern, methods in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if request.method not in methods:
                raise NotExpressible(
                    f"{request.method} {path}: gRPC has no HTTP methods (REST answers 405)"
                )
            service, rpc, message_type, takes_body = methods[request.method]
            fields = self._fields(request, body, takes_body)
            for name, value in match.groupdict().items():
                if fields.setdefault(name, unquote(value)) != unquote(value):
                    raise NotExpressible(f"{name} given both in the path and in the body")
            try:
                message = ParseDict(fields, message_type())
            except ParseError as exc:
                raise NotExpressible(f"{message_type.DESCRIPTOR.name}: {exc}") from None
            return self._call(request, service, rpc, message)
        return _json(404, {"code": 5, "message": f"No gRPC method for {path[:200]}"})

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
        both = set(payload) & set(fields)
        if both:
            raise NotExpressible(f"fields both in the query and the body: {sorted(both)}")
        return fields | payload

    def _call(self, request: httpx.Request, service: str, rpc: str, message: Any) -> httpx.Response:
        metadata = [(k, request.headers[k]) for k in _METADATA if k in request.headers]
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            reply = getattr(self._stub(service), rpc)(message, metadata=metadata, timeout=timeout)
        except grpc.RpcError as error:
            code = error.code().value[0]
            return _json(HTTP_STATUS.get(code, 500), _status_body(error))
        try:
            return _json(200, MessageToDict(reply, preserving_proto_field_name=False))
        except Exception as exc:
            raise BridgeError(f"the {service} {rpc} reply has no JSON mapping: {exc}") from None
