"""An httpx transport, sync and async, that answers from the fake in-process (no sockets)."""

from __future__ import annotations

import asyncio
import time
from typing import Any, SupportsIndex

import httpx

from .rest import HttpRequest, RestRouter

__all__ = ["FakeTransport"]


class _Reply(httpx.Response):
    """A reply whose whole body the transport already holds. ``read()`` and ``aread()``
    take it as it is and leave the response as httpx's own reading would (consumed, the
    bytes counted, closed, ``elapsed`` set by the client's stream, then the content)
    without running httpx's chunking pipeline over that one chunk (a test's six calls
    through ``yc_client`` went from ~1.46x to ~1.35x the same calls on a bare
    MockTransport, benchmarks/bench_pytest.py). Streaming (``iter_*``, ``aiter_*``) and
    every read the shortcut does not fit go to httpx: read before, consumed, closed, a
    sync read of an async stream, and a stream that is no longer the transport's own
    (a wrapping transport or a response hook replaced it)."""

    _body: bytes  # the transport's reply body; the fake never sets Content-Encoding
    _origin: httpx.ByteStream  # the stream the transport made for it

    def read(self) -> bytes:
        if self._unread() and isinstance(self.stream, httpx.SyncByteStream):
            self._take_body()
            self.close()
            self._content = self._body
        return super().read()

    async def aread(self) -> bytes:
        if self._unread() and isinstance(self.stream, httpx.AsyncByteStream):
            self._take_body()
            await self.aclose()
            self._content = self._body
        return await super().aread()

    def _unread(self) -> bool:
        if not _TAKES_A_BODY or hasattr(self, "_content"):
            return False
        if self.is_stream_consumed or self.is_closed:
            return False
        # Ours, bare or inside the client's Bound(Sync|Async)Stream: nothing in between
        # that would see, change or fail the bytes.
        stream = self.stream
        return stream is self._origin or getattr(stream, "_stream", None) is self._origin

    def _take_body(self) -> None:
        # httpx's own read sets these before it closes the stream and only then the
        # content (Response.iter_raw, Response.read): the same attributes in that order,
        # so that a close that raises leaves the same state.
        self.is_stream_consumed = True
        self._num_bytes_downloaded = len(self._body)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        # Pickled and copied as the plain httpx.Response it stands for, without the body
        # it held for the shortcut (httpx's own state keeps the content once read).
        state = {k: v for k, v in self.__getstate__().items() if k not in ("_body", "_origin")}
        return object.__new__, (httpx.Response,), state


def _takes_a_body() -> bool:
    """Whether this httpx keeps a read body where ``_Reply`` puts it (checked once)."""
    probe = httpx.Response(200, content=b"{}")
    return getattr(probe, "_content", None) == b"{}" and hasattr(probe, "_num_bytes_downloaded")


_TAKES_A_BODY = _takes_a_body()  # otherwise every read goes to httpx


class FakeTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Give it to ``httpx.Client(transport=...)`` or ``httpx.AsyncClient(transport=...)``.

    The host of a URL is ignored: compute and operation paths both reach the fake.
    """

    def __init__(self, router: RestRouter) -> None:
        self.router = router

    def _handle(self, request: httpx.Request, body: bytes) -> tuple[httpx.Response, float]:
        url = request.url
        reply = self.router.handle(
            HttpRequest(
                method=request.method,
                path=url.raw_path.split(b"?", 1)[0].decode("ascii"),
                query=url.query.decode("ascii"),
                headers={
                    k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw
                },
                body=body,
            )
        )
        headers = reply.wire_headers()
        # A ready stream with its length: httpx need not work the content headers out;
        # reading it whole takes the body as it is (_Reply).
        stream = httpx.ByteStream(reply.body)
        response = _Reply(reply.status, headers=headers, stream=stream)
        response._body, response._origin = reply.body, stream
        return response, reply.delay

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response, delay = self._handle(request, request.read())
        if delay:
            wait, timeout = _waited(request, delay)
            time.sleep(wait)
            if timeout is not None:
                raise _timed_out(request, delay, timeout)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response, delay = self._handle(request, await request.aread())
        if delay:
            wait, timeout = _waited(request, delay)
            await asyncio.sleep(wait)
            if timeout is not None:
                raise _timed_out(request, delay, timeout)
        return response


def _waited(request: httpx.Request, delay: float) -> tuple[float, float | None]:
    """How long a client waits for a reply delayed by ``delay`` (a scripted latency): the
    delay, or its read timeout if that is shorter (then also the timeout, else None)."""
    timeout = request.extensions.get("timeout", {}).get("read")
    if timeout is not None and delay > timeout:
        return timeout, timeout
    return delay, None


def _timed_out(request: httpx.Request, delay: float, timeout: float) -> httpx.ReadTimeout:
    """What the client raises when a server answers later than its read timeout (the
    call itself was made, as on a real server)."""
    return httpx.ReadTimeout(
        f"timed out: the reply waits {delay:g} s of scripted latency, "
        f"past the read timeout of {timeout:g} s",
        request=request,
    )
