"""Programs as a hypothesis state machine, run in lock-step against one or two sides.

Each rule of :func:`_machine` draws one step (:mod:`.generate`), the :class:`Runner`
sends it to every side, compares (two sides) and learns from side A's reply what the next
steps may name. One example of the machine is one program: the runner gives each program
fresh symbols (and on a fake, a folder of its own) and deletes what it made at the end.
On a divergence hypothesis shrinks the program and runs the smallest one last, so the
:class:`Divergence` that ends :func:`diff` carries the minimal program and both
transcripts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from .compare import Context, compare
from .generate import Model, Steps
from .program import WAIT, Program, Step
from .side import Outcome, Party, SideError

__all__ = ["Divergence", "Runner", "Transcript", "failure", "minimise", "run_programs"]

MAX_CREATES = 5  # images one program may create (each side), whatever the budget


@dataclass
class Transcript:
    """A program as it ran: its steps, each side's outcomes, the running operations."""

    program: Program
    outcomes: list[list[Outcome]]  # per side, per step
    running: list[list[list[Any]]] = field(default_factory=list)  # per step, side A's


class Divergence(AssertionError):
    """Two sides answered one step differently (after normalisation)."""

    def __init__(self, transcript: Transcript, index: int, differences: list[str],
                 labels: tuple[str, str]) -> None:  # fmt: skip
        self.transcript = transcript
        self.index = index
        self.differences = differences
        self.labels = labels
        super().__init__(f"step {index + 1} of {len(transcript.program.steps)}: "
                         + "; ".join(differences[:3]))  # fmt: skip


class _Spent(BaseException):  # not an Exception: hypothesis lets it through
    """The run's budget of images is spent: the run ends, with what it found."""


class _Abort(BaseException):  # not an Exception: hypothesis lets it through
    """A side failed: the run stops here, with no shrinking (hypothesis takes an Exception
    for a failing example, and would shrink toward it and find the run inconsistent)."""

    def __init__(self, error: SideError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class Runner:
    """Runs programs on ``sides`` (one: record; two: diff) and keeps their transcripts."""

    sides: list[Party]
    profile: str
    on_program: Callable[[Transcript], None] | None = None
    programs: int = 0
    creates: int = 0
    failure: SideError | None = None
    found: Divergence | None = None  # the shortest divergence so far
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.steps = Steps(self.profile, self.source_kinds())
        self.current = Transcript(Program(), [[] for _ in self.sides])
        self.uncertain: set[str] = set()
        self.cancelled: set[str] = set()

    def source_kinds(self) -> tuple[str, ...]:
        have = [set(s.sources) for s in self.sides]
        kinds = [
            k
            for k, symbol in (
                ("image", "source-image"),
                ("disk", "source-disk"),
                ("snapshot", "source-snapshot"),
            )
            if all(symbol in h for h in have)
        ]
        if all(s.fresh_folders for s in self.sides):
            kinds.append("uri")
        return tuple(kinds)

    @property
    def budget(self) -> int | None:
        """Images the whole run may still create on its costliest side (None: no limit)."""
        limits = [s.budget for s in self.sides if s.budget is not None]
        return min(limits) - self.creates if limits else None

    def may_create(self) -> bool:
        """At most MAX_CREATES a program (the run's budget is :meth:`execute`'s: a
        precondition on the run's state would draw another program when hypothesis runs
        one again)."""
        return self.steps.model.creates < MAX_CREATES

    # --- one program ------------------------------------------------------------------------
    def begin(self) -> None:
        if self.failure is not None:
            raise _Abort(self.failure)  # a side is broken: the run ends
        self.programs += 1
        self.steps.model = Model()
        self.uncertain, self.cancelled = set(), set()
        self.current = Transcript(Program(label=f"program {self.programs}"),
                                  [[] for _ in self.sides])  # fmt: skip
        for side in self.sides:
            self._guard(side.begin, self.programs)

    def execute(self, step: Step) -> None:
        if step.rpc == "ImageService.Create":
            if self.budget is not None and self.budget <= 0:
                raise _Spent  # no Create past the budget of a target
            self.steps.model.creates += 1
            self.creates += 1
        context = Context.of(
            *(s.pending for s in self.sides),
            uncertain=self.uncertain,
            cancelled=self.cancelled,
            families=self.steps.model.families,
        )
        running = [[op, p.method, p.image, list(p.mask)] for s in self.sides[:1]
                   for op, p in s.pending.items()]  # fmt: skip
        outcomes = [self._guard(side.run, step) for side in self.sides]
        index = len(self.current.program.steps)
        self.current.program.steps.append(step)
        self.current.running.append(running)
        for n, outcome in enumerate(outcomes):
            self.current.outcomes[n].append(outcome)
            if "transport" in outcome:
                self.failure = SideError(f"side {self.sides[n].label}: {outcome['transport']} "
                                         f"(step {index + 1}: {step.render()[:200]})")  # fmt: skip
                raise _Abort(self.failure)
        failed = failure(outcomes, [s.label for s in self.sides], index, step)
        if failed:  # every side failed alike: no outcome to compare, nor to record
            self.failure = SideError(failed)
            raise _Abort(self.failure)
        if step.rpc == "OperationService.Cancel":
            self.cancelled.add(step.path["operationId"])
        self.uncertain |= self.steps.model.observe(step, outcomes[0])
        if len(outcomes) == 2:
            differences = compare(step, outcomes[0], outcomes[1], context)
            if differences:
                labels = (self.sides[0].label, self.sides[1].label)
                found = Divergence(self.current, index, differences, labels)
                if self.found is None or index < self.found.index:
                    self.found = found
                raise found

    def end(self) -> None:
        for side in self.sides:
            self._guard(side.cleanup)
        if self.on_program is not None and self.current.program.steps:
            self.on_program(self.current)

    def run(self, steps: list[Step]) -> Divergence | None:
        """Run a given program (no drawing): the divergence it shows, if any; a side that
        fails, or a spent budget, is a :class:`SideError`."""
        try:
            self.begin()
            try:
                for step in steps:
                    self.execute(step)
            except Divergence as found:
                return found
            finally:
                self.end()
        except _Abort as stop:
            raise stop.error from None
        except _Spent:
            raise SideError("the budget of images is spent (--max-images)") from None
        return None

    def _guard(self, call: Callable[..., Any], *args: Any) -> Any:
        """A side's own failure stops the run (never shrunk into a 'divergence')."""
        try:
            return call(*args)
        except SideError as exc:
            self.failure = exc
            raise _Abort(exc) from exc


def failure(outcomes: list[Outcome], labels: list[str], index: int, step: Step) -> str:
    """Why the run stops when every side answered ``step`` with a 5xx (the target failed:
    the same failure on both sides is no evidence that they agree); "" when one did not."""
    codes = [o.get("http") for o in outcomes]
    if not all(isinstance(c, int) and c >= 500 for c in codes):
        return ""
    who = f"side {labels[0]}" if len(labels) == 1 else f"sides {' and '.join(labels)}"
    return (f"{who}: HTTP {'/'.join(map(str, dict.fromkeys(codes)))} at step {index + 1} "
            f"({step.render()[:200]}): the target failed")  # fmt: skip


def _machine(runner: Runner) -> type[RuleBasedStateMachine]:
    steps = runner.steps

    def has(what: str) -> Callable[[Any], bool]:
        return lambda self: bool(getattr(steps.model, what))

    class Programs(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            runner.begin()

        def teardown(self) -> None:
            runner.end()

        def _run(self, make: Callable[[Any], Step], data: Any) -> None:
            runner.execute(make(data.draw))

        @initialize(data=st.data())
        def images(self, data: Any) -> None:
            """Most programs start with a few images (lists need several to page), often
            of one family, and often waited for (reads then see them settled)."""
            family = data.draw(st.sampled_from(["", "f<run>a"]))
            for _ in range(data.draw(st.sampled_from([0, 1, 2, 2, 3]))):
                if runner.may_create():
                    runner.execute(steps.create(data.draw, family=family or None))
            if steps.model.ops and data.draw(st.booleans()):
                for op in list(steps.model.ops):
                    runner.execute(Step(WAIT, path={"operationId": op}))

        @precondition(lambda self: runner.may_create())
        @rule(data=st.data())
        def create(self, data: Any) -> None:
            self._run(steps.create, data)

        @precondition(lambda self: runner.may_create())
        @rule(data=st.data())
        def create_invalid(self, data: Any) -> None:
            self._run(steps.create_invalid, data)

        @precondition(lambda self: runner.may_create())
        @rule(data=st.data())
        def boundary_create(self, data: Any) -> None:
            self._run(lambda draw: steps.boundary(draw, create=True), data)

        @rule(data=st.data())
        def boundary_update_or_list(self, data: Any) -> None:
            self._run(lambda draw: steps.boundary(draw, create=False), data)

        @rule(data=st.data())
        def list_paged(self, data: Any) -> None:
            """Lists again, in small pages: paging needs several images and pages."""
            self._run(steps.list_paged, data)

        @precondition(lambda self: bool(steps.model.keys) and runner.may_create())
        @rule(data=st.data())
        def repeat_create(self, data: Any) -> None:
            self._run(steps.repeat_create, data)

        @rule(data=st.data())
        def get(self, data: Any) -> None:
            self._run(steps.get, data)

        @rule(data=st.data())
        def list(self, data: Any) -> None:
            self._run(steps.list, data)

        @rule(data=st.data())
        def list_invalid(self, data: Any) -> None:
            self._run(steps.list_invalid, data)

        @rule(data=st.data())
        def latest(self, data: Any) -> None:
            self._run(steps.latest, data)

        @precondition(has("images"))
        @rule(data=st.data())
        def update(self, data: Any) -> None:
            self._run(steps.update, data)

        @precondition(has("images"))
        @rule(data=st.data())
        def delete(self, data: Any) -> None:
            self._run(steps.delete, data)

        @precondition(lambda self: bool(steps.model.images or steps.model.gone))
        @rule(data=st.data())
        def list_operations(self, data: Any) -> None:
            self._run(steps.list_operations, data)

        @rule(data=st.data())
        def unauthenticated(self, data: Any) -> None:
            self._run(steps.unauthenticated, data)

        @precondition(has("ops"))
        @rule(data=st.data())
        def wait(self, data: Any) -> None:
            self._run(steps.wait, data)

        @precondition(has("ops"))
        @rule()
        def wait_latest(self) -> None:
            """Wait for the newest operation (what a client does after each call)."""
            runner.execute(Step(WAIT, path={"operationId": steps.model.ops[-1]}))

        @precondition(has("ops"))
        @rule(data=st.data())
        def get_operation(self, data: Any) -> None:
            self._run(steps.get_operation, data)

        @precondition(has("ops"))
        @rule(data=st.data())
        def cancel(self, data: Any) -> None:
            self._run(steps.cancel, data)

    return Programs


def minimise(runner: Runner, found: Divergence, *, runs: int = 200) -> Divergence:
    """Drop steps from the program while it still diverges at a step of the same RPC: after
    hypothesis' shrinking, a pass that removes single steps it kept (a Create whose image a
    later step no longer needs, for one). At most ``runs`` programs."""
    rpc = found.transcript.program.steps[found.index].rpc
    best = found
    for _ in range(runs):
        steps = best.transcript.program.steps[: best.index + 1]
        for drop in range(len(steps) - 1):
            kept = steps[:drop] + steps[drop + 1 :]
            creates = sum(s.rpc == "ImageService.Create" for s in kept)
            if runner.budget is not None and creates > runner.budget:
                return best  # the run's budget of images is spent
            try:
                trial = runner.run(kept)
            except SideError:  # a side failed, or the budget is spent: keep what was found
                return best
            runs -= 1
            if trial is not None and trial.transcript.program.steps[trial.index].rpc == rpc:
                best = trial
                break
            if runs <= 0:
                return best
        else:
            return best
    return best


def run_programs(runner: Runner, *, programs: int, seed: int, steps: int = 10,
                 shrink: bool = True) -> None:  # fmt: skip
    """Run ``programs`` programs of at most ``steps`` steps (seeded): a :class:`Divergence`
    (shrunk when ``shrink``) or a :class:`SideError` ends it."""
    machine = _machine(runner)
    hypothesis_seed(seed)(machine)
    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
    options = settings(max_examples=programs, stateful_step_count=steps, deadline=None,
                       database=None, phases=phases, verbosity=Verbosity.quiet,
                       suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                       print_blob=False)  # fmt: skip
    try:
        run_state_machine_as_test(machine, settings=options)
    except (_Abort, _Spent, Flaky) as exc:
        stop = _stop(exc)
        if isinstance(stop, _Abort):
            raise stop.error from None
        if stop is None:
            raise
        if runner.found is not None:  # the budget is spent: the shortest divergence found
            raise runner.found from None


def _stop(exc: BaseException) -> _Abort | _Spent | None:
    """The stop behind ``exc``: hypothesis, stopped while it runs a program again to
    shrink it, raises its own error about a program that ended early."""
    seen: BaseException | None = exc
    for _ in range(20):  # a chain of contexts, bounded
        if seen is None or isinstance(seen, (_Abort, _Spent)):
            return seen
        seen = seen.__context__
    return None
