"""The gRPC face: what the official SDKs call, on one TLS port on loopback.

Three services share the port: ``yandex.cloud.endpoint.ApiEndpointService`` (the SDKs'
discovery, unauthenticated; every endpoint it lists is this port),
``yandex.cloud.compute.v1.ImageService`` and ``yandex.cloud.operation.OperationService``.
Each call is translated into the JSON mapping and handed to :class:`~.._rpc.Rpc`, the one
path REST takes too, so both faces validate, answer and fail alike. Errors carry their
``google.rpc.Status`` (with ``BadRequest`` field violations) in the
``grpc-status-details-bin`` trailer.

This module needs the ``grpc`` extra (``pip install pytest-yc-images[grpc]``); nothing
else in the package imports it at import time.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
import warnings
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from typing import Any, NoReturn

import grpc
import trustme
from yandex.cloud.compute.v1 import image_service_pb2_grpc
from yandex.cloud.endpoint import (
    api_endpoint_pb2,
    api_endpoint_service_pb2,
    api_endpoint_service_pb2_grpc,
)
from yandex.cloud.operation import operation_service_pb2_grpc

from .._rpc import Rpc
from .._wire import encode_status
from ..errors import Code, ServiceError
from . import grpc_codec

__all__ = ["ENDPOINT_IDS", "GrpcServer"]

# Endpoint IDs ApiEndpointService.List gives, all at this server's address: the SDK
# looks up its service's ID (compute, operation) and "iam" for every authenticated channel.
ENDPOINT_IDS = ("compute", "operation", "iam", "endpoint")
_LOOPBACK = ("127.0.0.1", "::1", "localhost")
_STATUS: dict[int, Any] = {code.value[0]: code for code in grpc.StatusCode}


def _token(metadata: dict[str, str]) -> str | None:
    scheme, _, token = metadata.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _abort(context: Any, code: Code, status: dict[str, Any]) -> NoReturn:
    details = grpc_codec.status_proto(status).SerializeToString()
    context.set_trailing_metadata((("grpc-status-details-bin", details),))
    context.abort(_STATUS[int(code)], str(status.get("message", "")))
    raise AssertionError("unreachable: context.abort raises")  # pragma: no cover


class _Face:
    """Translates one unary call: metadata and protobuf in, protobuf or status out."""

    def __init__(self, rpc: Rpc, log: Callable[[str], None] | None = None) -> None:
        self.rpc = rpc
        self.log = log

    def unary(self, method: str, request: Any, context: Any) -> Any:
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        request_id = (
            metadata.get("x-request-id") or metadata.get("x-client-request-id") or str(uuid.uuid4())
        )
        try:
            message = grpc_codec.to_mapping(request)
        except ServiceError as error:
            _abort(context, error.code, encode_status(error, request_id))
        reply = self.rpc.call(
            method,
            message,
            token=_token(metadata),
            idempotency_key=metadata.get("idempotency-key") or None,
            request_id=request_id,
        )
        if reply.delay:  # scripted latency; a client that gives up frees the thread
            ended = threading.Event()
            if context.add_callback(ended.set):
                ended.wait(reply.delay)
        if self.log is not None:
            self.log(f"gRPC {method} {reply.code.name}")
        if reply.code is not Code.OK:
            _abort(context, reply.code, reply.body)
        try:
            return grpc_codec.to_message(method, reply.body)
        except Exception as exc:  # a reply the SDK's messages cannot carry: say so loudly
            why = f"the fake cannot encode its {method} reply: {exc}"
            failure = ServiceError(Code.INTERNAL, why)
            _abort(context, failure.code, encode_status(failure, request_id))


def _rpc_method(name: str) -> Callable[[Any, Any, Any], Any]:
    def handle(self: Any, request: Any, context: Any) -> Any:
        return self.face.unary(name, request, context)

    handle.__name__ = name.rsplit(".", 1)[1]
    return handle


# The generated servicer bases, as Any: their typed stubs (present only with the extra)
# declare per-message signatures that one generic handler does not repeat.
_ImageServicer: Any = image_service_pb2_grpc.ImageServiceServicer
_OperationServicer: Any = operation_service_pb2_grpc.OperationServiceServicer
_ApiEndpointServicer: Any = api_endpoint_service_pb2_grpc.ApiEndpointServiceServicer


class _ImageService(_ImageServicer):  # type: ignore[misc]
    def __init__(self, face: _Face) -> None:
        self.face = face

    Get = _rpc_method("ImageService.Get")
    GetLatestByFamily = _rpc_method("ImageService.GetLatestByFamily")
    List = _rpc_method("ImageService.List")
    Create = _rpc_method("ImageService.Create")
    Update = _rpc_method("ImageService.Update")
    Delete = _rpc_method("ImageService.Delete")
    ListOperations = _rpc_method("ImageService.ListOperations")


class _OperationService(_OperationServicer):  # type: ignore[misc]
    def __init__(self, face: _Face) -> None:
        self.face = face

    Get = _rpc_method("OperationService.Get")
    Cancel = _rpc_method("OperationService.Cancel")


class _ApiEndpointService(_ApiEndpointServicer):  # type: ignore[misc]
    """Discovery: every endpoint the SDK may ask for is this server, all in one page."""

    def __init__(self, address: str) -> None:
        self.endpoints = [api_endpoint_pb2.ApiEndpoint(id=i, address=address) for i in ENDPOINT_IDS]

    def List(self, request: Any, context: Any) -> Any:
        return api_endpoint_service_pb2.ListApiEndpointsResponse(endpoints=self.endpoints)

    def Get(self, request: Any, context: Any) -> Any:
        for endpoint in self.endpoints:
            if endpoint.id == request.api_endpoint_id:
                return endpoint
        error = ServiceError(Code.NOT_FOUND, f"No endpoint {request.api_endpoint_id[:100]!r}")
        _abort(context, error.code, encode_status(error))


def _certificate(host: str) -> tuple[bytes, bytes, bytes]:
    """A fresh CA and a certificate it signed for loopback (and ``host``): CA, key, chain."""
    ca = trustme.CA(organization_name="pytest-yc-images fake")
    names = [*_LOOPBACK, *([host] if host not in _LOOPBACK else [])]
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
    """

    def __init__(
        self,
        rpc: Rpc,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_workers: int = 16,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if host not in _LOOPBACK:
            warnings.warn(
                f"serving the fake's gRPC face on {host}, beyond loopback: anyone who can "
                "reach this address can read and change its state",
                RuntimeWarning,
                stacklevel=2,
            )
        self.host = host
        self.ca_pem, key, chain = _certificate(host)
        credentials = grpc.ssl_server_credentials([(key, chain)])
        self._server: Any = grpc.server(
            futures.ThreadPoolExecutor(max_workers, thread_name_prefix="yc-images-grpc"),
            options=[("grpc.so_reuseport", 0)],
        )
        self.port = _bind(self._server, _address(host, port), credentials)
        if host in ("127.0.0.1", "localhost"):
            with contextlib.suppress(OSError):  # "localhost" may resolve to ::1 first
                _bind(self._server, _address("::1", self.port), credentials)
        face = self._face = _Face(rpc, log)
        image_service_pb2_grpc.add_ImageServiceServicer_to_server(_ImageService(face), self._server)
        operation_service_pb2_grpc.add_OperationServiceServicer_to_server(
            _OperationService(face), self._server
        )
        api_endpoint_service_pb2_grpc.add_ApiEndpointServiceServicer_to_server(
            _ApiEndpointService(self.endpoint), self._server
        )
        self._started = False

    @property
    def rpc(self) -> Rpc:
        """The request path every call goes into; set it to serve another fake."""
        return self._face.rpc

    @rpc.setter
    def rpc(self, rpc: Rpc) -> None:
        self._face.rpc = rpc

    @property
    def endpoint(self) -> str:
        """``host:port`` as clients dial it: ``localhost:PORT`` on 127.0.0.1."""
        host = "localhost" if self.host in ("127.0.0.1", "localhost") else self.host
        return _address(host, self.port)

    def write_ca(self, path: str | Path) -> Path:
        """Write the CA certificate (PEM) to ``path``, for clients that read a file."""
        target = Path(path)
        target.write_bytes(self.ca_pem)
        return target

    def start(self) -> GrpcServer:
        if not self._started:
            self._server.start()
            self._started = True
        return self

    def stop(self, grace: float | None = None) -> None:
        self._server.stop(grace).wait()
        self._started = False

    def __enter__(self) -> GrpcServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
