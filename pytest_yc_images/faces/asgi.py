"""The REST face as an ASGI application (uvicorn serves it on loopback)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .rest import MAX_BODY, HttpRequest, HttpResponse, RestRouter

__all__ = ["AsgiApp"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class AsgiApp:
    def __init__(self, router: RestRouter, *, log: Callable[[str], None] | None = None) -> None:
        self.router = router
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
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
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw_path = scope.get("raw_path") or scope["path"].encode()
        reply = self.router.handle(
            HttpRequest(
                method=scope["method"],
                path=raw_path.split(b"?", 1)[0].decode("latin-1"),
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=headers,
                body=b"".join(chunks),
            )
        )
        if reply.delay:
            await asyncio.sleep(reply.delay)
        await _send(send, reply)
        if self.log is not None:
            self.log(f"{scope['method']} {scope['path']} {reply.status}")


async def _send(send: Send, reply: HttpResponse) -> None:
    headers = [(k.encode(), v.encode()) for k, v in reply.headers]
    headers.append((b"content-length", b"%d" % len(reply.body)))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})
