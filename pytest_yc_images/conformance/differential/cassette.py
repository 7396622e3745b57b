"""Cassettes: programs and their normalised replies, one JSON object per line.

The first line is the header (``{"cassette": 1, "profile": ..., "seed": ...}``); then, per
program, a ``program`` line (its steps) and one ``step`` line per step (the request as a
step, the reply as normalised on the recording side, the operations running there). No
line holds a token, a header or an ID: only symbols.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ..target import PROFILES
from .machine import Transcript
from .program import Program, Step

__all__ = ["FORMAT", "Cassette", "CassetteError", "Recorded", "read", "writer"]

FORMAT = 1


class CassetteError(ValueError):
    """A cassette that cannot be read: the file, the line and what is wrong."""


@dataclass
class Recorded:
    """One program of a cassette: its steps, the recorded replies, what ran at each step."""

    program: Program
    outcomes: list[dict[str, Any]]
    running: list[list[list[Any]]]


@dataclass
class Cassette:
    header: dict[str, Any]
    programs: list[Recorded] = field(default_factory=list)

    @property
    def profile(self) -> str:
        return str(self.header.get("profile", "live"))


class writer:
    """Write a cassette: the header now, then ``add(transcript)`` for each program."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.header = {"cassette": FORMAT, **header,
                       "recorded": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
        self.count = 0
        self._file: IO[str] | None = None

    def __enter__(self) -> writer:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("w", encoding="utf-8")
        self._line(self.header)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()

    def _line(self, data: dict[str, Any]) -> None:
        assert self._file is not None
        self._file.write(json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n")

    def __call__(self, transcript: Transcript) -> None:
        steps = transcript.program.steps
        self.count += 1
        self._line({"program": self.count, "steps": [s.to_json() for s in steps]})
        for n, step in enumerate(steps):
            self._line({"program": self.count, "step": n + 1, "request": step.to_json(),
                        "response": transcript.outcomes[0][n],
                        "running": transcript.running[n]})  # fmt: skip


def read(path: Path) -> Cassette:
    """Read and check a cassette (:class:`CassetteError` names the line)."""
    try:
        # "\n" alone ends a line: splitlines() would also split at U+0085 or U+2028 inside
        # a string, which json.dumps(ensure_ascii=False) leaves as they are.
        text = path.read_text(encoding="utf-8")
        lines = text.removesuffix("\n").split("\n") if text else []
    except (OSError, UnicodeDecodeError) as exc:
        raise CassetteError(f"{path}: cannot read it ({exc})") from None
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise CassetteError(f"{path}:{number}: not JSON ({exc})") from None
        if not isinstance(row, dict):
            raise CassetteError(f"{path}:{number}: a line is a JSON object")
        rows.append(row)
    if not rows or rows[0].get("cassette") != FORMAT:
        raise CassetteError(f"{path}:1: not a cassette of format {FORMAT} (its first line "
                            'is {"cassette": 1, ...})')  # fmt: skip
    cassette = Cassette(rows[0])
    if cassette.profile not in PROFILES:
        raise CassetteError(f"{path}:1: its profile must be one of {', '.join(PROFILES)}, not "
                            f"{cassette.profile!r}")  # fmt: skip
    for number, row in enumerate(rows[1:], 2):
        try:
            _add(cassette, row)
        except (IndexError, KeyError, TypeError, ValueError) as exc:
            raise CassetteError(f"{path}:{number}: {exc}") from None
    try:
        _complete(cassette)
    except ValueError as exc:
        raise CassetteError(f"{path}:{len(lines)}: {exc} (a truncated file?)") from None
    if not cassette.programs:  # replaying it would check nothing, and pass
        raise CassetteError(f"{path}:{len(lines)}: the cassette holds no program")
    return cassette


def _complete(cassette: Cassette) -> None:
    """The last program has a step line for each of its steps (the others are checked as
    the next program starts)."""
    if cassette.programs:
        last = cassette.programs[-1]
        have, want = len(last.outcomes), len(last.program.steps)
        if have < want:
            raise ValueError(f"{last.program.label} ends after {have} of its {want} steps")


def _add(cassette: Cassette, row: dict[str, Any]) -> None:
    if "steps" in row:
        _complete(cassette)
        program = Program.from_json(row["steps"], label=f"program {row.get('program')}")
        cassette.programs.append(Recorded(program, [], []))
        return
    if not cassette.programs or "request" not in row or "response" not in row:
        raise ValueError("a step line comes after its program line and has request, response")
    current = cassette.programs[-1]
    step = Step.from_json(row["request"])
    if len(current.outcomes) == len(current.program.steps):
        raise ValueError(f"{current.program.label} has {len(current.program.steps)} steps; "
                         "this is one more")  # fmt: skip
    expected = current.program.steps[len(current.outcomes)]
    if step != expected:
        raise ValueError(f"step {len(current.outcomes) + 1} is not the program's")
    if not isinstance(row["response"], dict):
        raise ValueError("response must be a JSON object")
    current.outcomes.append(row["response"])
    current.running.append(_running(row.get("running", [])))


def _running(value: Any) -> list[list[Any]]:
    """A step line's ``running``: ``[operation, method, image, [mask fields]]`` per row."""
    if isinstance(value, list) and all(
        isinstance(row, list) and len(row) == 4 and all(isinstance(x, str) for x in row[:3])
        and isinstance(row[3], list) and all(isinstance(m, str) for m in row[3])
        for row in value
    ):  # fmt: skip
        return value
    raise ValueError("running must be a list of [operation, method, image, [mask]], not "
                     f"{json.dumps(value)[:80]}")  # fmt: skip
