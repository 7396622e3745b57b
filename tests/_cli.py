"""Starting ``yc-images-fake serve`` as a user would: a subprocess on a free port."""

from __future__ import annotations

import signal
import subprocess
import sys


def serve(*args: str, lines: int = 1) -> tuple[subprocess.Popen[str], list[str]]:
    """``yc-images-fake serve --port 0 ARGS`` and the first ``lines`` lines it prints
    (the URL first); fails with its stderr if it printed nothing."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_yc_images.cli", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    printed = [proc.stdout.readline().strip() for _ in range(lines)]
    if not printed[0]:
        proc.kill()
        raise AssertionError(f"the server did not start: {proc.communicate()[1]}")
    return proc, printed


def stop_server(
    proc: subprocess.Popen[str], sig: int = signal.SIGTERM, timeout: float = 20
) -> tuple[str, str]:
    """Send ``sig`` and wait for the server to end (killed if it outlives ``timeout``);
    what it printed after the lines already read, on stdout and stderr."""
    try:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return out, err
