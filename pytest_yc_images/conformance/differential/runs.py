"""The three differential runs: :func:`diff`, :func:`record` and :func:`replay`.

A side is a :class:`~pytest_yc_images.conformance.Target` (``Target(fake=True, ...)`` for
the in-process fake of a profile) or a :class:`~pytest_yc_images.FakeImageService` itself
(any options: a completion mode, a seed, faults).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from pytest_yc_images import FakeImageService

from ..target import Target
from . import cassette as cassettes
from .machine import Divergence, Runner, Transcript, minimise, run_programs
from .program import Program, Step
from .side import Outcome, Party, Pending, Side, SideError

__all__ = ["DiffResult", "ReplayResult", "diff", "record", "replay"]

SideLike = Target | FakeImageService | Side


def _side(label: str, given: SideLike, what: str) -> Side:
    """``given`` as a side; ``what`` names the argument in the error of a wrong type."""
    if isinstance(given, Side):
        return given
    if isinstance(given, FakeImageService):
        return Side(label, fake=given)
    if isinstance(given, Target):
        return Side(label, target=given)
    raise TypeError(f"{what} must be a Target, a FakeImageService or a Side, not "
                    f"{type(given).__name__}")  # fmt: skip


def _at_least_one(**counts: int) -> None:
    for name, count in counts.items():
        if count < 1:
            raise ValueError(f"{name} must be at least 1, not {count}")


def _profile(side: Side) -> str:
    if side.fake is not None:
        return side.fake.profile
    assert side.target is not None
    return side.target.profile


@dataclass
class DiffResult:
    """What :func:`diff` found: ``divergence`` (the shrunk program), or None."""

    sides: tuple[str, str]
    programs: int
    calls: int
    seconds: float
    divergence: Divergence | None = None
    error: str = ""

    @property
    def status(self) -> int:
        """The CLI's exit status: 0 the same, 1 a divergence, 2 a side failed."""
        return 2 if self.error else (1 if self.divergence else 0)


def diff(a: SideLike, b: SideLike, *, programs: int = 100, seed: int = 0, steps: int = 10,
         profile: str | None = None) -> DiffResult:  # fmt: skip
    """Run ``programs`` seeded programs against ``a`` and ``b`` in lock-step; on the first
    divergence shrink the program and return it with both transcripts."""
    _at_least_one(programs=programs, steps=steps)
    sides = [_side("A", a, "side A"), _side("B", b, "side B")]
    started = time.monotonic()
    runner = Runner(list[Party](sides), profile or _profile(sides[0]))
    result = DiffResult((sides[0].describe(), sides[1].describe()), 0, 0, 0.0)
    try:
        for side in sides:
            side.start()
        runner.steps.sources = runner.source_kinds()
        run_programs(runner, programs=programs, seed=seed, steps=steps)
    except Divergence as found:
        result.divergence = minimise(runner, found)
    except SideError as exc:
        result.error = str(exc)
    except BaseExceptionGroup as group:  # several distinct failures: the shortest program
        found_all = [e for e in group.exceptions if isinstance(e, Divergence)]
        if not found_all:
            raise
        result.divergence = minimise(
            runner, min(found_all, key=lambda d: len(d.transcript.program.steps))
        )
    finally:
        for side in sides:
            side.close()
    result.programs = runner.programs
    result.calls = sum(s.calls for s in sides)
    result.seconds = time.monotonic() - started
    return result


@dataclass
class RecordResult:
    """What :func:`record` wrote: ``programs`` (each once) of ``steps`` in all, to ``path``."""

    programs: int
    steps: int
    seconds: float
    path: Path
    error: str = ""

    @property
    def status(self) -> int:
        """The CLI's exit status: 0 written, 2 a side failed."""
        return 2 if self.error else 0


def record(target: SideLike, out: str | Path, *, programs: int = 50, seed: int = 0,
           steps: int = 10, profile: str | None = None) -> RecordResult:  # fmt: skip
    """Run ``programs`` seeded programs against ``target`` and write the cassette ``out``."""
    _at_least_one(programs=programs, steps=steps)
    side = _side("recorded", target, "the target")
    started = time.monotonic()
    header = {"profile": profile or _profile(side), "seed": seed, "programs": programs,
              "steps": steps, "target": side.describe()}  # fmt: skip
    path = Path(out)
    error, count = "", 0
    with cassettes.writer(path, header) as add:
        seen: set[str] = set()

        def once(transcript: Transcript) -> None:  # hypothesis may run a program twice
            key = json.dumps(transcript.program.to_json(), sort_keys=True)
            if key not in seen:
                seen.add(key)
                add(transcript)

        runner = Runner([side], str(header["profile"]), on_program=once)
        try:
            side.start()
            runner.steps.sources = runner.source_kinds()
            run_programs(runner, programs=programs, seed=seed, steps=steps, shrink=False)
        except SideError as exc:
            error = str(exc)
        finally:
            side.close()
        count = add.count
    return RecordResult(count, side.calls, time.monotonic() - started, path, error)


@dataclass
class ReplayResult:
    """What :func:`replay` found: each divergent program (it stops at its first)."""

    target: str
    programs: int
    steps: int
    skipped: int
    seconds: float
    divergences: list[Divergence] = field(default_factory=list)
    error: str = ""

    @property
    def status(self) -> int:
        return 2 if self.error else (1 if self.divergences else 0)


def replay(cassette: str | Path | cassettes.Cassette, target: SideLike) -> ReplayResult:
    """Send a cassette's programs to ``target``; compare each reply with the recorded one."""
    tape = cassette if isinstance(cassette, cassettes.Cassette) else cassettes.read(Path(cassette))
    side = _side("replayed", target, "the target")
    started = time.monotonic()
    result = ReplayResult(side.describe(), 0, 0, 0, 0.0)
    try:
        if side.fake is not None and side.fake.profile != tape.profile:
            raise SideError(
                f"the cassette was recorded in the {tape.profile} profile; the "
                f"fake serves {side.fake.profile} (--profile {tape.profile})"
            )
        side.start()
        _check_sources(tape, side)
        runner = Runner([Recording(), side], tape.profile)
        for recorded in tape.programs:
            _replay_one(runner, recorded, result)
    except SideError as exc:
        result.error = str(exc)
    finally:
        side.close()
    result.seconds = time.monotonic() - started
    return result


def _check_sources(tape: cassettes.Cassette, side: Side) -> None:
    """Every source the cassette creates from is one ``side`` has (before any program)."""
    named = {s for r in tape.programs for step in r.program.steps for s in step.symbols()}
    given = ("source-image", "source-disk", "source-snapshot")  # each by a --*-id option
    missing = sorted(s for s in named if s in given and s not in side.sources)
    if missing:
        raise SideError(f"the cassette creates from <{missing[0]}>: give the target one "
                        f"(--{missing[0]}-id)")  # fmt: skip


class Recording:
    """The recorded side of a replay: it answers each step as the cassette recorded it,
    with the operations that were running there then."""

    label = "recorded"
    fresh_folders = True
    budget: int | None = None

    def __init__(self) -> None:
        self.sources = {s: "" for s in ("source-image", "source-disk", "source-snapshot")}
        self.pending: dict[str, Pending] = {}
        self.calls = 0
        self.tape = cassettes.Recorded(Program(), [], [])
        self._next = 0

    def begin(self, program: int) -> None:
        self._next = 0
        self.pending = self._running(0)

    def run(self, step: Step) -> Outcome:
        outcome = self.tape.outcomes[self._next]
        self._next += 1
        self.calls += 1
        self.pending = self._running(self._next)
        return outcome

    def cleanup(self) -> None:
        return None

    def _running(self, index: int) -> dict[str, Pending]:
        rows = self.tape.running[index] if index < len(self.tape.running) else []
        return {str(r[0]): Pending(str(r[1]), str(r[2]), tuple(r[3])) for r in rows}


def _replay_one(runner: Runner, recorded: cassettes.Recorded, result: ReplayResult) -> None:
    recording = runner.sides[0]
    assert isinstance(recording, Recording)
    recording.tape = recorded
    found = runner.run(recorded.program.steps)
    ran = runner.current.outcomes[1]
    result.programs += 1
    result.steps += len(ran)
    result.skipped += sum("skipped" in outcome for outcome in ran)
    if found is not None:  # reported with the whole program, as recorded
        ran_so_far = Transcript(recorded.program, found.transcript.outcomes,
                                found.transcript.running)  # fmt: skip
        labels = ("recorded", result.target)
        result.divergences.append(Divergence(ran_so_far, found.index, found.differences, labels))
