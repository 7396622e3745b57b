"""An httpx transport, sync and async, that answers from the fake in-process (no sockets)."""

from __future__ import annotations

import asyncio
import time

import httpx

from .rest import HttpRequest, RestRouter

__all__ = ["FakeTransport"]


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
        # A ready stream with its length: httpx need not work the content headers out.
        response = httpx.Response(
            reply.status, headers=headers, stream=httpx.ByteStream(reply.body)
        )
        return response, reply.delay

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response, delay = self._handle(request, request.read())
        if delay:
            time.sleep(delay)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response, delay = self._handle(request, await request.aread())
        if delay:
            await asyncio.sleep(delay)
        return response
