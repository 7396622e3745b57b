"""Serve the fake on loopback with one bug of :mod:`.mutants` (or a correct variant).

``python -m tests.conformance.mutant_server NAME``: prints the URL on the first line, as
``yc-images-fake serve`` does, and serves until stopped; the differential tests point
``diff`` at it (a real HTTP server, the mutant patched into its process only).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pytest_yc_images.cli import main

from . import mutants


def serve(name: str, *extra: str) -> int:
    if name not in mutants.MUTANTS and name not in mutants.CORRECT:
        known = ", ".join(sorted(mutants.MUTANTS) + sorted(mutants.CORRECT))
        print(f"mutant_server: no mutant {name!r} (known: {known})", file=sys.stderr)
        return 2
    mutants.apply(name, pytest.MonkeyPatch())
    return main(["serve", "--port", "0", *extra])


ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def running(name: str, *extra: str, log: Path) -> Iterator[str]:
    """Serve mutant ``name`` in a subprocess while the block runs; yields its URL. The
    server's stderr goes to ``log`` (a pipe nobody reads would fill and stall it)."""
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tests.conformance.mutant_server", name,
                                 *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=err,
                                text=True)  # fmt: skip
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            if not url:
                proc.kill()
                proc.wait(10)
                pytest.fail(f"the mutant server did not start: {log.read_text()[-2000:]}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            if proc.stdout is not None:
                proc.stdout.close()


if __name__ == "__main__":
    raise SystemExit(serve(*sys.argv[1:]))
