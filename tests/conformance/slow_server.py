"""A loopback server whose operations finish ~``seconds`` of wall time after they start.

The fake runs with ``completion="clock"``; a thread moves its virtual clock with the wall
clock, so an operation is done once it is ``seconds`` old, however often it is polled.
Run as a script to serve until Ctrl-C: ``python tests/conformance/slow_server.py 0.3``.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from types import TracebackType

from pytest_yc_images import FakeImageService


class SlowServer:
    def __init__(self, seconds: float = 0.3, tick: float = 0.01) -> None:
        durations = {"Create": seconds, "Update": seconds, "Delete": seconds}
        self.fake = FakeImageService(completion="clock", durations=durations)
        self._tick = tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-clock", daemon=True)
        self.server = self.fake.serve()
        self.url = self.server.url

    def _run(self) -> None:
        last = time.monotonic()
        for _ in range(10_000_000):  # bounded: about a day at 10 ms a tick
            if self._stop.wait(self._tick):
                return
            now = time.monotonic()
            self.fake.advance(now - last)
            last = now

    def __enter__(self) -> SlowServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(5)
        self.server.stop()


if __name__ == "__main__":
    with SlowServer(float(sys.argv[1]) if len(sys.argv) > 1 else 0.3) as slow:
        print(slow.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            time.sleep(3600)
