"""The cassette recorded from the fake and checked in: how it is made, and its header.

Re-record it (on purpose, in the commit that changes the fake's behaviour)::

    python -m tests.conformance.differential.fake_cassette

It is :data:`PROGRAMS` programs of the ``live`` profile from hypothesis seed :data:`SEED`,
recorded from ``FakeImageService(seed=ID_SEED)``: with seeded IDs the same fake records
the same file (but its ``recorded`` time), so a re-recording's diff shows only what
changed. ``test_fake_cassette.py`` replays it against ``Target(fake=True)`` on every run
and checks its header against these numbers (:func:`header_problems`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance.differential import RecordResult, record

PATH = Path(__file__).parent / "data" / "fake-live.cassette.jsonl"
COMMAND = "python -m tests.conformance.differential.fake_cassette"
SEED = 5
PROGRAMS = 100
STEPS = 10
PROFILE = "live"
ID_SEED = 18
EXPECTED = {"profile": PROFILE, "seed": SEED, "programs": PROGRAMS, "steps": STEPS}


def record_fake_cassette(path: Path = PATH) -> RecordResult:
    """Record the checked-in cassette (to ``path``)."""
    fake = FakeImageService(profile=PROFILE, seed=ID_SEED)
    return record(fake, path, programs=PROGRAMS, seed=SEED, steps=STEPS, profile=PROFILE)


def header_problems(header: dict[str, Any]) -> list[str]:
    """How ``header`` differs from what :func:`record_fake_cassette` writes (empty: none)."""
    return [f"{key}: {header.get(key)!r} in the file, {value!r} here"
            for key, value in EXPECTED.items() if header.get(key) != value]  # fmt: skip


def main() -> int:
    result = record_fake_cassette()
    if result.error:
        print(f"fake_cassette: {result.error}", file=sys.stderr)
        return 2
    size = PATH.stat().st_size
    print(f"{PATH}: {result.programs} programs, {result.steps} steps, {size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
