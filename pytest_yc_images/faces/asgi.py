"""The REST face as an ASGI application (uvicorn serves it on loopback)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .rest import (
    MAX_BODY,
    HttpRequest,
    HttpResponse,
    RestRouter,
    controls_off,
    is_control_path,
    shutting_down,
)

__all__ = ["AsgiApp"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_BODILESS = frozenset({"GET", "HEAD"})  # no route reads a body on these: none is awaited
# A body larger than this is handled in a worker thread: parsing and validating up to 1 MiB
# takes long enough to hold up the other connections. Smaller ones stay on the event loop,
# where a thread hop would cost more than the request.
_IN_A_THREAD = 64 * 1024
_TICK = 0.05  # how often a reply held by a latency fault looks whether its server stops


class AsgiApp:
    """``controls``: whether ``/_fake/`` is served (:class:`~.server.LoopbackServer` sets
    it by its host). ``stopping``: set by the server when it stops; a reply still waiting
    out a latency fault then answers UNAVAILABLE at once instead of holding the stop."""

    def __init__(
        self,
        router: RestRouter,
        *,
        log: Callable[[str], None] | None = None,
        controls: bool = True,
    ) -> None:
        self.router = router
        self.log = log
        self.controls = controls
        self.stopping = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
            return
        method = scope["method"]
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.partition(b"?")[0].decode("latin-1")
        if not self.controls and is_control_path(path):  # a server beyond loopback
            reply = controls_off()
        else:
            request = HttpRequest(
                method,
                path,
                scope.get("query_string", b"").decode("latin-1"),
                {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
                b"" if method in _BODILESS else await _body(receive),
            )
            if len(request.body) > _IN_A_THREAD:  # parsing and checking it must not stop the loop
                reply = await asyncio.to_thread(self.router.handle, request)
            else:
                reply = self.router.handle(request)
        if reply.delay:
            reply = await self._wait(reply)
        headers = reply.wire_headers()
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})
        if self.log is not None:
            self.log(f"{method} {scope['path']} {reply.status}")

    async def _wait(self, reply: HttpResponse) -> HttpResponse:
        """``reply`` after its scripted latency, or UNAVAILABLE if the server stops first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + reply.delay
        while not self.stopping:
            left = deadline - loop.time()
            if left <= 0:
                return reply
            await asyncio.sleep(min(left, _TICK))
        return shutting_down()


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        if size <= MAX_BODY:  # keep the chunk that crosses the limit: the router sees it
            chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _lifespan(receive: Receive, send: Send) -> None:
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})
