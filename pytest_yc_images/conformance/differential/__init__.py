"""Differential conformance: run generated programs against two implementations and
compare them, or record one's answers in a cassette and replay it against another.

    >>> from pytest_yc_images import FakeImageService
    >>> from pytest_yc_images.conformance.differential import diff
    >>> diff(FakeImageService(), FakeImageService(completion="immediate"), programs=5).status
    0

See ``docs/differential.md`` for the normalisation table and the asynchrony rules.
"""

from __future__ import annotations

from .cassette import Cassette, CassetteError
from .machine import Divergence, Transcript
from .normalise import TABLE, table_markdown
from .program import Program, Step
from .runs import DiffResult, RecordResult, ReplayResult, diff, record, replay
from .side import Side, SideError

__all__ = [
    "TABLE",
    "Cassette",
    "CassetteError",
    "DiffResult",
    "Divergence",
    "Program",
    "RecordResult",
    "ReplayResult",
    "Side",
    "SideError",
    "Step",
    "Transcript",
    "diff",
    "record",
    "replay",
    "table_markdown",
]
