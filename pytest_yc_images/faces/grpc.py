"""The gRPC face: what the official SDKs call, on one TLS port on loopback.

The services share the port: ``yandex.cloud.endpoint.ApiEndpointService`` (the SDKs'
discovery, unauthenticated; every endpoint it lists is this port) and those of the route
table (``yandex.cloud.compute.v1.ImageService``, ``yandex.cloud.operation.OperationService``),
one handler per method the table lists. Each call is translated into the JSON mapping and
handed to :class:`~.._rpc.Rpc`, the one path REST takes too, so both faces validate,
answer and fail alike. Errors carry their ``google.rpc.Status`` (with ``BadRequest``
field violations) in the ``grpc-status-details-bin`` trailer.

This module needs the ``grpc`` extra (``pip install pytest-yc-images[grpc]``); nothing
else in the package imports it at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import threading
import uuid
import warnings
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import grpc
import grpc.aio
import trustme
from google.protobuf.message import Message
from yandex.cloud.endpoint import (
    api_endpoint_pb2,
    api_endpoint_service_pb2,
    api_endpoint_service_pb2_grpc,
)

from .._routes import RouteTable, routes
from .._rpc import Rpc
from .._wire import encode_status
from ..errors import Code, ServiceError
from . import grpc_codec
from .rest import MAX_BODY
from .server import LOOPBACK_HOSTS

__all__ = ["ENDPOINT_IDS", "GrpcServer"]

# Endpoint IDs ApiEndpointService.List gives, all at this server's address: the SDK
# looks up its service's ID (compute, operation) and "iam" for every authenticated channel.
ENDPOINT_IDS = ("compute", "operation", "iam", "endpoint")
_STATUS: dict[int, Any] = {code.value[0]: code for code in grpc.StatusCode}
_T = TypeVar("_T")


def _token(metadata: dict[str, str]) -> str | None:
    scheme, _, token = metadata.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def _abort(context: Any, code: Code, status: dict[str, Any]) -> NoReturn:
    details = grpc_codec.status_proto(status).SerializeToString()
    context.set_trailing_metadata((("grpc-status-details-bin", details),))
    await context.abort(_STATUS[int(code)], str(status.get("message", "")))
    raise AssertionError("unreachable: context.abort raises")  # pragma: no cover


class _Malformed:
    """What the deserializer hands on for bytes that are not the request message, so the
    handler answers INVALID_ARGUMENT (an exception in a deserializer is INTERNAL)."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


def _deserializer(message: type[Message]) -> Callable[[bytes], Any]:
    """The request's bytes as ``(message, size)``, or :class:`_Malformed`."""
    parse = message.FromString
    name = message.DESCRIPTOR.full_name

    def deserialize(raw: bytes) -> Any:
        try:
            return parse(raw), len(raw)
        except Exception as exc:  # DecodeError, or a message nested beyond protobuf's limit
            return _Malformed(f"does not parse as {name}: {str(exc)[:200]}")

    return deserialize


class _Face:
    """Translates one unary call: metadata and protobuf in, protobuf or status out.

    Runs on the server's event loop: the request path is synchronous and short (it holds
    the fake's lock for microseconds), and scripted latency is an ``asyncio.sleep``, so a
    slow call never holds up another."""

    def __init__(self, rpc: Rpc, log: Callable[[str], None] | None = None) -> None:
        self.rpc = rpc
        self.log = log

    async def unary(self, method: str, request: Any, context: Any) -> Any:
        metadata = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
        request_id = (
            metadata.get("x-request-id") or metadata.get("x-client-request-id") or str(uuid.uuid4())
        )
        if type(request) is _Malformed:
            error = ServiceError.invalid("body", request.why)
            await _abort(context, error.code, encode_status(error, request_id))
        message, size = request
        try:
            mapping = grpc_codec.to_mapping(message)
        except ServiceError as error:
            await _abort(context, error.code, encode_status(error, request_id))
        reply = self.rpc.call(
            method,
            mapping,
            token=_token(metadata),
            idempotency_key=metadata.get("idempotency-key") or None,
            request_id=request_id,
            size=size,
        )
        if reply.delay:  # scripted latency; a client that gives up cancels this task
            try:
                await asyncio.sleep(reply.delay)
            except asyncio.CancelledError:
                if self.log is not None:
                    self.log(f"gRPC {method} {reply.code.name} (the caller gave up waiting)")
                raise
        if self.log is not None:
            self.log(f"gRPC {method} {reply.code.name}")
        if reply.code is not Code.OK:
            await _abort(context, reply.code, reply.body)
        try:
            return grpc_codec.to_message(method, reply.body)
        except Exception as exc:  # a reply the SDK's messages cannot carry: say so loudly
            why = f"the fake cannot encode its {method} reply: {exc}"
            failure = ServiceError(Code.INTERNAL, why)
            await _abort(context, failure.code, encode_status(failure, request_id))


def _handlers(face: _Face, table: RouteTable) -> dict[str, dict[str, Any]]:
    """Service -> {method: handler} for every route of the table, each calling ``face``.

    Request and response classes come from protobuf's default pool (the SDK module of
    each service is imported for it). A method of an SDK service that the table does not
    list (in the seed profile, ImageService's access bindings) has no handler: gRPC
    answers UNIMPLEMENTED.
    """
    services: dict[str, dict[str, Any]] = {}
    for route in table:
        importlib.import_module(route.grpc_module)
        request = grpc_codec.message_class(route.request_type)
        response = grpc_codec.message_class(route.response_type)
        services.setdefault(route.grpc_service, {})[route.grpc_method.rsplit("/", 1)[1]] = (
            grpc.unary_unary_rpc_method_handler(
                functools.partial(face.unary, route.rpc),
                request_deserializer=_deserializer(request),
                response_serializer=response.SerializeToString,
            )
        )
    return services


_ApiEndpointServicer: Any = api_endpoint_service_pb2_grpc.ApiEndpointServiceServicer


class _ApiEndpointService(_ApiEndpointServicer):  # type: ignore[misc]
    """Discovery: every endpoint the SDK may ask for is this server, all in one page."""

    def __init__(self, address: str) -> None:
        self.endpoints = [api_endpoint_pb2.ApiEndpoint(id=i, address=address) for i in ENDPOINT_IDS]

    async def List(self, request: Any, context: Any) -> Any:
        return api_endpoint_service_pb2.ListApiEndpointsResponse(endpoints=self.endpoints)

    async def Get(self, request: Any, context: Any) -> Any:
        for endpoint in self.endpoints:
            if endpoint.id == request.api_endpoint_id:
                return endpoint
        error = ServiceError(Code.NOT_FOUND, f"No endpoint {request.api_endpoint_id[:100]!r}")
        await _abort(context, error.code, encode_status(error))


def _certificate(host: str) -> tuple[bytes, bytes, bytes]:
    """A fresh CA and a certificate it signed for loopback (and ``host``): CA, key, chain."""
    ca = trustme.CA(organization_name="pytest-yc-images fake")
    names = [*LOOPBACK_HOSTS, *([host] if host not in LOOPBACK_HOSTS else [])]
    cert = ca.issue_cert(*names)
    chain = b"".join(blob.bytes() for blob in cert.cert_chain_pems)
    return ca.cert_pem.bytes(), cert.private_key_pem.bytes(), chain


def _bind(server: Any, address: str, credentials: Any) -> int:
    try:
        port = int(server.add_secure_port(address, credentials))
    except RuntimeError as exc:
        raise OSError(f"cannot bind {address}: {exc}") from None
    if port == 0:  # older grpcio reports a failed bind this way
        raise OSError(f"cannot bind {address}")
    return port


class GrpcServer:
    """Serves an :class:`Rpc` over gRPC with TLS on ``host:port`` (0: a free port).

    ``endpoint`` is what an SDK takes (``localhost:PORT``); ``ca_pem`` is the certificate
    of the CA that signed the server's certificate, to pass as the client's root
    certificates. Binds 127.0.0.1 (and ::1 on the same port, when free) by default.

    The server is grpc's asyncio server, on an event loop of its own in a daemon thread:
    calls wait (scripted latency) without taking a thread, so any number of slow calls
    leave the others answering at once. ``max_workers`` is accepted and ignored, for
    callers written when a thread pool served the calls.
    """

    def __init__(
        self,
        rpc: Rpc,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_workers: int = 16,
        log: Callable[[str], None] | None = None,
        table: RouteTable | None = None,
    ) -> None:
        if host not in LOOPBACK_HOSTS:
            warnings.warn(
                f"serving the fake's gRPC face on {host}, beyond loopback: anyone who can "
                "reach this address can read and change its state",
                RuntimeWarning,
                stacklevel=2,
            )
        self.host = host
        self.ca_pem, key, chain = _certificate(host)
        self._face = _Face(rpc, log)
        handlers = _handlers(self._face, table or routes())
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="yc-images-grpc", daemon=True
        )
        self._thread.start()
        try:
            self.port = self._run(self._build(host, port, (key, chain), handlers))
        except BaseException:
            self._close()
            raise
        self._started = False

    async def _build(
        self,
        host: str,
        port: int,
        key_chain: tuple[bytes, bytes],
        handlers: dict[str, dict[str, Any]],
    ) -> int:
        """The server, made on its loop (grpc.aio binds a server to the loop it is made on)."""
        # Requests above the REST face's cap are refused as there (RESOURCE_EXHAUSTED),
        # before they are read whole, rather than at grpc's default of 4 MiB.
        options = [("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", MAX_BODY)]
        self._server: Any = grpc.aio.server(options=options)
        credentials = grpc.ssl_server_credentials([key_chain])
        bound = _bind(self._server, _address(host, port), credentials)
        if host in ("127.0.0.1", "localhost"):
            with contextlib.suppress(OSError):  # "localhost" may resolve to ::1 first
                _bind(self._server, _address("::1", bound), credentials)
        for service, methods in handlers.items():
            self._server.add_generic_rpc_handlers(
                (grpc.method_handlers_generic_handler(service, methods),)
            )
            # As generated code does: registered methods skip the generic handlers' lookup.
            self._server.add_registered_method_handlers(service, methods)
        api_endpoint_service_pb2_grpc.add_ApiEndpointServiceServicer_to_server(
            _ApiEndpointService(_address(_dialled(host), bound)), self._server
        )
        return bound

    def _run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _close(self) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    @property
    def rpc(self) -> Rpc:
        """The request path every call goes to; settable, to serve another fake."""
        return self._face.rpc

    @rpc.setter
    def rpc(self, rpc: Rpc) -> None:
        self._face.rpc = rpc

    @property
    def endpoint(self) -> str:
        """``host:port`` as clients dial it: ``localhost:PORT`` on 127.0.0.1."""
        return _address(_dialled(self.host), self.port)

    def write_ca(self, path: str | Path) -> Path:
        """Write the CA certificate (PEM) to ``path``, for clients that read a file."""
        target = Path(path)
        target.write_bytes(self.ca_pem)
        return target

    def start(self) -> GrpcServer:
        if self._loop.is_closed():
            raise RuntimeError("this GrpcServer was stopped; start a new one")
        if not self._started:
            self._run(self._server.start())
            self._started = True
        return self

    def stop(self, grace: float | None = None) -> None:
        """Stop serving: calls in flight end at once (``grace``: after that many seconds),
        scripted latency included. A stopped server cannot start again."""
        if not self._loop.is_closed():
            self._run(self._server.stop(grace))
            self._close()
        self._started = False

    def __enter__(self) -> GrpcServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _dialled(host: str) -> str:
    return "localhost" if host in ("127.0.0.1", "localhost") else host


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
