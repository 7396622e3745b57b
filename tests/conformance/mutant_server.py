"""Serve the fake on loopback with one bug of :mod:`.mutants` (or a correct variant).

``python -m tests.conformance.mutant_server NAME``: prints the URL on the first line, as
``yc-images-fake serve`` does, and serves until stopped; the differential tests point
``diff`` at it (a real HTTP server, the mutant patched into its process only).
"""

from __future__ import annotations

import sys

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


if __name__ == "__main__":
    raise SystemExit(serve(*sys.argv[1:]))
