"""The pre-flight: before any contract, is the target there, trusted, and ours to read?

Three checks, in order, each bounded by the connect and read timeouts (the whole pre-flight
by their sum): the endpoint answers (a TCP connect), TLS verifies (https or gRPC: the --ca
file or the system's roots), and the token is accepted for the folder (one cheap read:
List with pageSize=1 in the folder; over gRPC through the SDK's stub). The operation
endpoint, when it is another address, gets the first two and a Get of an operation that
does not exist (any google.rpc answer but 401 and a 5xx will do). A failure is one line,
:class:`PreflightError`; ``yc-images-conformance`` prints it and exits 2.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from pytest_yc_images import validator

from .target import Target

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "DEFAULT_READ_TIMEOUT", "PreflightError", "preflight"]

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 5.0
_NO_OPERATION = "ycconformancepreflight"  # no operation has this ID


class PreflightError(Exception):
    """The target cannot be checked; ``str()`` is the one line to print."""


@dataclass(frozen=True)
class _Endpoint:
    host: str
    port: int
    tls: bool
    alpn: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def _from_url(url: str) -> _Endpoint:
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    return _Endpoint(parts.hostname or "", parts.port or (443 if tls else 80), tls)


def _from_address(address: str) -> _Endpoint:
    host, _, port = address.rpartition(":")
    return _Endpoint(host.strip("[]"), int(port), True, ("h2",))


class _Clock:
    """The pre-flight's budget: no step waits longer than its timeout or what is left."""

    def __init__(self, connect: float, read: float) -> None:
        self.connect, self.read = connect, read
        self.deadline = time.monotonic() + connect + read

    def left(self, step: float) -> float:
        return max(0.05, min(step, self.deadline - time.monotonic()))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the name: {exc.strerror or exc}"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _reach(endpoint: _Endpoint, target: Target, clock: _Clock) -> None:
    """TCP connect, then (for TLS) a verified handshake; one line on failure."""
    try:
        sock = socket.create_connection(
            (endpoint.host, endpoint.port), timeout=clock.left(clock.connect)
        )
    except OSError as exc:
        raise PreflightError(f"cannot connect to {endpoint.address} ({_reason(exc)})") from None
    with sock:
        if not endpoint.tls:
            return
        context = ssl.create_default_context(cafile=target.ca or None)
        if endpoint.alpn:
            context.set_alpn_protocols(list(endpoint.alpn))
        sock.settimeout(clock.left(clock.read))
        try:
            with context.wrap_socket(sock, server_hostname=endpoint.host):
                return
        except ssl.SSLCertVerificationError as exc:
            if exc.verify_code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH
                raise PreflightError(
                    f"TLS: the certificate of {endpoint.address} is not for {endpoint.host} "
                    f"({exc.verify_message})"
                ) from None
            if target.ca:
                raise PreflightError(
                    f"TLS: certificate not trusted by --ca {target.ca} ({exc.verify_message})"
                ) from None
            raise PreflightError("TLS: certificate not trusted; pass --ca") from None
        except (OSError, ssl.SSLError) as exc:
            raise PreflightError(
                f"TLS: no handshake with {endpoint.address} ({_reason(exc)})"
            ) from None


def _judge(where: str, status: int, body: Any, target: Target, *, listing: bool) -> None:
    """The answer to the pre-flight's read: fine, or the one line saying what is wrong."""
    code = body.get("code") if isinstance(body, dict) else None
    message = str(body.get("message", ""))[:120] if isinstance(body, dict) else ""
    if status == 401 or code == 16:
        raise PreflightError("the token is not accepted (401)")
    if listing and (status == 403 or code == 7):
        raise PreflightError(f"folder {target.folder_id} not visible (403)")
    if status >= 500:
        raise PreflightError(f"{where} answers HTTP {status} (the target failed: {message})")
    if listing and status == 200 and isinstance(body, dict):
        if not any(True for _ in validator("ListImagesResponse").iter_errors(body)):
            return
        message = "the body is not a ListImagesResponse"
    if not listing and isinstance(code, int) and status < 500:
        return
    shown = message or (json.dumps(body)[:120] if body is not None else "not JSON")
    raise PreflightError(
        f"{where} answers HTTP {status}, not as the ImageService API does ({shown})"
    )


def _rest_read(target: Target, clock: _Clock) -> None:
    timeout = httpx.Timeout(clock.left(clock.read), connect=clock.left(clock.connect))
    verify: ssl.SSLContext | bool = (
        ssl.create_default_context(cafile=target.ca) if target.ca else True
    )
    headers = {"Authorization": f"Bearer {target.token}"}
    reads = [(target.endpoint, "/compute/v1/images", {"folderId": target.folder_id,
                                                      "pageSize": "1"}, True)]  # fmt: skip
    if target.operation_endpoint != target.endpoint:
        reads.append((target.operation_endpoint, f"/operations/{_NO_OPERATION}", {}, False))
    with httpx.Client(timeout=timeout, verify=verify, headers=headers) as client:
        for base, path, params, listing in reads:
            where = f"GET {base}{path}"
            try:
                reply = client.get(base + path, params=params)
            except httpx.TimeoutException:
                raise PreflightError(f"{where}: no answer in {clock.read:g} s") from None
            except httpx.HTTPError as exc:
                raise PreflightError(f"{where}: {type(exc).__name__} ({exc})") from None
            try:
                body = reply.json()
            except ValueError:
                body = None
            _judge(where, reply.status_code, body, target, listing=listing)


def _grpc_read(target: Target, clock: _Clock) -> None:
    import grpc
    from yandex.cloud.compute.v1 import image_service_pb2, image_service_pb2_grpc
    from yandex.cloud.operation import operation_service_pb2, operation_service_pb2_grpc

    ca = Path(target.ca).read_bytes() if target.ca else None
    metadata = [("authorization", f"Bearer {target.token}")]
    calls: list[tuple[str, Any, Any, bool]] = [(
        target.grpc_endpoint,
        lambda channel: image_service_pb2_grpc.ImageServiceStub(channel).List,
        image_service_pb2.ListImagesRequest(folder_id=target.folder_id, page_size=1),
        True,
    )]  # fmt: skip
    if target.operation_endpoint != target.grpc_endpoint:
        calls.append((
            target.operation_endpoint,
            lambda channel: operation_service_pb2_grpc.OperationServiceStub(channel).Get,
            operation_service_pb2.GetOperationRequest(operation_id=_NO_OPERATION),
            False,
        ))  # fmt: skip
    for address, method, request, listing in calls:
        where = f"gRPC {address} {'ImageService.List' if listing else 'OperationService.Get'}"
        channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=ca))
        try:
            method(channel)(request, metadata=metadata, timeout=clock.left(clock.read))
            status, body = 200, {}
        except grpc.RpcError as error:
            code = error.code().value[0]
            if code == 4:  # DEADLINE_EXCEEDED: the client's own deadline
                raise PreflightError(f"{where}: no answer in {clock.read:g} s") from None
            if code == 14:  # UNAVAILABLE
                raise PreflightError(f"{where}: unavailable ({error.details()})") from None
            from .client import HTTP_STATUS

            status = HTTP_STATUS.get(code, 500)
            body = {"code": code, "message": error.details() or ""}
        finally:
            channel.close()
        _judge(where, status, body, target, listing=listing)


def preflight(
    target: Target,
    *,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> None:
    """Raise :class:`PreflightError` unless ``target`` answers, is trusted and accepts the
    token for its folder. The in-process fake (``target.fake``) needs no pre-flight."""
    if target.fake:
        return
    clock = _Clock(connect_timeout, read_timeout)
    if target.grpc_endpoint:
        endpoints = [_from_address(target.grpc_endpoint)]
        if target.operation_endpoint != target.grpc_endpoint:
            endpoints.append(_from_address(target.operation_endpoint))
    else:
        endpoints = [_from_url(target.endpoint)]
        if target.operation_endpoint != target.endpoint:
            endpoints.append(_from_url(target.operation_endpoint))
    for endpoint in endpoints:
        _reach(endpoint, target, clock)
    if target.grpc_endpoint:
        _grpc_read(target, clock)
    else:
        _rest_read(target, clock)
