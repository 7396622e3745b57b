"""A trivial JSON app under uvicorn (httptools, one worker): the yardstick for our server.

    python benchmarks/_trivial_app.py --image-bytes N --list-bytes M [--loop auto|asyncio]

Binds 127.0.0.1 on a free port, prints its URL as the first line, then answers
``/image`` and ``/list`` with fixed JSON bodies of those sizes until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def body(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes (at least 10)."""
    return b'{"pad":"' + b"x" * max(0, size - 10) + b'"}'


def make_app(
    routes: dict[str, bytes],
) -> Callable[[dict[str, Any], Receive, Send], Awaitable[None]]:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        content = routes.get(scope["path"], b"{}")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(content)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-bytes", type=int, default=229)
    parser.add_argument("--list-bytes", type=int, default=23_754)
    parser.add_argument("--loop", choices=("auto", "asyncio"), default="auto")
    args = parser.parse_args()
    app = make_app({"/image": body(args.image_bytes), "/list": body(args.list_bytes)})
    # Made with IPPROTO_TCP so that asyncio turns Nagle off, as the fake's server does.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        app,
        http="httptools",
        loop=args.loop,
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
