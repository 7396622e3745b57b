"""A real HTTP server on loopback: uvicorn (httptools) running the ASGI app in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import warnings
from typing import Any

import uvicorn

from .asgi import AsgiApp

__all__ = ["LoopbackServer"]

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


class LoopbackServer:
    """Serves an app on ``host:port`` (port 0: a free one) until :meth:`stop`.

    Binds 127.0.0.1 by default; any other address is a loud, explicit choice.
    """

    def __init__(self, app: AsgiApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in _LOOPBACK:
            warnings.warn(
                f"serving the fake on {host}, beyond loopback: anyone who can reach this "
                "address can read and change its state",
                RuntimeWarning,
                stacklevel=2,
            )
        self.app = app
        self.host = host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            http="httptools",
            lifespan="off",
            access_log=False,
            log_level="warning",
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> LoopbackServer:
        self._thread = threading.Thread(
            target=self._run, name=f"yc-images-fake:{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                break
            time.sleep(0.002)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"the fake's server did not start on {self.url} in {timeout} s")
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._server.serve(sockets=[self._socket]))
        finally:
            loop.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._socket.close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
