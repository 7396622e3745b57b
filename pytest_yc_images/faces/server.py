"""A real HTTP server on loopback: uvicorn (httptools) running the ASGI app in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import warnings
from typing import Any

from .asgi import AsgiApp

__all__ = [
    "LOOPBACK_HOSTS",
    "SHUTDOWN_GRACE",
    "LoopbackServer",
    "bind",
    "controls_enabled",
    "uvicorn_config",
]

# The hosts a fake serves without a warning: anything else exposes its state and controls.
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")

# Seconds a stopping server gives requests in flight before it cancels them: a reply
# held by a latency fault (up to its cap) must not hold the stop, so SIGTERM or
# ``stop()`` ends the server within this grace plus a moment, whatever is in flight.
SHUTDOWN_GRACE = 2


def controls_enabled(host: str, controls: str = "auto") -> bool:
    """Whether a server on ``host`` serves the ``/_fake/`` controls: ``"on"``, ``"off"``,
    or ``"auto"`` (the default of the CLI and :class:`LoopbackServer`): on for a loopback
    host only, since beyond it anyone who reaches the port could change the fake."""
    if controls not in ("auto", "on", "off"):
        raise ValueError(f"controls must be 'auto', 'on' or 'off', not {controls!r}")
    return controls == "on" or (controls == "auto" and host in LOOPBACK_HOSTS)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: a free port) with Nagle off.

    asyncio turns TCP_NODELAY on only for sockets made with IPPROTO_TCP; without it each
    response's body waits behind its headers for the client's delayed ACK (~40 ms).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)  # connections queue from now on, before the server loop runs
    except OSError:
        sock.close()
        raise
    return sock


def uvicorn_config(app: Any) -> Any:
    """How the fake runs under uvicorn: httptools, no lifespan, no access log (the CLI
    logs its own line), no proxy-header rewriting (nothing stands in front of a loopback
    fake) and no ``server`` header."""
    import uvicorn

    return uvicorn.Config(
        app,
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        timeout_keep_alive=30,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )


class LoopbackServer:
    """Serves an app on ``host:port`` (port 0: a free one) until :meth:`stop`.

    Binds 127.0.0.1 by default; any other address is a loud, explicit choice, and there
    the ``/_fake/`` controls are off unless ``controls="on"`` (the rule of
    :func:`controls_enabled`, which the CLI follows too).
    """

    def __init__(
        self, app: AsgiApp, *, host: str = "127.0.0.1", port: int = 0, controls: str = "auto"
    ) -> None:
        app.controls = controls_enabled(host, controls)
        if host not in LOOPBACK_HOSTS:
            warnings.warn(
                f"serving the fake on {host}, beyond loopback: anyone who can reach this "
                "address can read and change its state",
                RuntimeWarning,
                stacklevel=2,
            )
        import uvicorn  # here, not at import time: REST-in-process users never pay for it

        self.app = app
        self.host = host
        self._socket = bind(host, port)
        self.port: int = self._socket.getsockname()[1]
        self._server: Any = uvicorn.Server(uvicorn_config(app))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> LoopbackServer:
        if self._thread is not None:  # already running (``with fake.serve() as server``)
            return self
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
        try:  # uvloop where it is installed (not on Windows): a faster loop, same behaviour
            import uvloop

            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        except ImportError:
            loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._server.serve(sockets=[self._socket]))
        finally:
            loop.close()

    def stop(self, timeout: float = SHUTDOWN_GRACE + 3.0) -> None:
        self.app.stopping = True
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._socket.close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
