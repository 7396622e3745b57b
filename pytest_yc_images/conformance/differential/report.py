"""What the differential runs print and write: plain text for the terminal, Markdown for
``--report``. Pure functions of the results (:class:`DiffResult`, :class:`ReplayResult`,
:class:`RecordResult`, :class:`Divergence`); the caller redacts and writes.

A divergence shows the program (numbered steps, :meth:`Step.render`) and, per step, each
side's status and normalised body next to each other: a step before the divergence in
short (shape-only values such as ``<timestamp>`` left out, cut at :data:`SHORT`), the
diverging step in full, marked, with its differences.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .machine import Divergence
from .runs import DiffResult, RecordResult, ReplayResult

__all__ = [
    "SHORT",
    "Run",
    "diff_markdown",
    "diff_text",
    "divergence_markdown",
    "divergence_text",
    "outcome_text",
    "record_text",
    "replay_markdown",
    "replay_text",
]

SHORT = 140  # characters of a body shown for a step that agrees
_SHAPES = ("<timestamp>", "<text>")
Sides = Sequence[tuple[str, str]]  # (a short label, what the side is), the two sides


@dataclass(frozen=True)
class Run:
    """How the run was asked for: the command that reproduces it (no token) and its seed."""

    command: str
    seed: int | None = None
    report: str = ""  # the Markdown report's path, if any


# --- one outcome --------------------------------------------------------------------------
def _compact(node: Any, key: str = "") -> Any:
    """``node`` without its shape-only values, an ``@type`` by its message name only."""
    if isinstance(node, dict):
        return {k: _compact(v, k) for k, v in node.items() if v not in _SHAPES}
    if isinstance(node, list):
        return [_compact(v) for v in node]
    if key == "@type" and isinstance(node, str):
        return node.rsplit(".", 1)[-1]
    return node


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def outcome_text(outcome: dict[str, Any], *, limit: int | None = SHORT) -> str:
    """``HTTP 200 {...}``: the status and the normalised rest; with ``limit``, compacted
    (shape-only values left out, ``@type`` shortened) and cut to ``limit`` characters."""
    status = f"HTTP {outcome['http']}" if "http" in outcome else ""
    rest: Any = {k: v for k, v in outcome.items() if k != "http"}
    if set(rest) == {"body"}:
        rest = rest["body"]
    if limit is not None:
        rest = _compact(rest)
    body = "" if rest in ({}, None) else json.dumps(rest, sort_keys=True, ensure_ascii=False)
    return f"{status} {_cut(body, limit)}".strip() or "(nothing)"


# --- one divergence -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Row:
    number: int
    step: str  # in full (the program) ...
    short: str  # ... and cut (the transcripts)
    outcomes: tuple[str, str]
    diverges: bool


def _rows(divergence: Divergence) -> list[_Row]:
    """One per step up to the diverging one: the step and both sides' outcomes (in full at
    the diverging step, compacted before it)."""
    transcript = divergence.transcript
    rows = []
    for n, step in enumerate(transcript.program.steps[: divergence.index + 1]):
        last = n == divergence.index
        first, second = (
            outcome_text(side[n], limit=None if last else SHORT) if n < len(side) else "(not run)"
            for side in transcript.outcomes[:2]
        )
        rendered = step.render()
        rows.append(_Row(n + 1, rendered, _cut(rendered, SHORT), (first, second), last))
    return rows


def _not_run(divergence: Divergence) -> str:
    left = len(divergence.transcript.program.steps) - divergence.index - 1
    return f"({left} more step(s) of the program not run)" if left else ""


def divergence_text(divergence: Divergence, sides: Sides) -> str:
    """The program up to the diverging step and both transcripts, step by step."""
    width = max(len(label) for label, _ in sides)
    rows = _rows(divergence)
    lines = ["Program:"] + [f"  {row.number}. {row.step}" for row in rows]
    lines += [f"  {_not_run(divergence)}"] if _not_run(divergence) else []
    lines += ["", f"Transcripts ({' | '.join(label for label, _ in sides)}):"]
    for row in rows:
        mark = ">" if row.diverges else " "
        lines.append(f"  {mark} {row.number}. {row.short}" + ("   <- diverges" * row.diverges))
        lines += [f"       {label.ljust(width)}  {outcome}"
                  for (label, _), outcome in zip(sides, row.outcomes, strict=True)]  # fmt: skip
    lines += ["", f"Differences at step {divergence.index + 1}:"]
    lines += [f"  - {d}" for d in divergence.differences]
    return "\n".join(lines)


def _code(text: str, *, cell: bool = False) -> str:
    """``text`` as inline code (in a table ``cell``: its pipes escaped)."""
    text = text.replace("|", "\\|").replace("\n", " ") if cell else text
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def divergence_markdown(divergence: Divergence, sides: Sides, *, level: int = 2) -> str:
    """The program, a table of both transcripts (one row per step), the differences."""
    hashes = "#" * level
    rows = _rows(divergence)
    lines = [f"{hashes} Program", ""] + [f"{row.number}. {_code(row.step)}" for row in rows]
    lines += ["", _not_run(divergence)] if _not_run(divergence) else []
    labels = " | ".join(label for label, _ in sides)
    lines += ["", f"{hashes} Transcripts", "", f"| # | step | {labels} |", "|---|---|---|---|"]
    for row in rows:
        mark = f"**{row.number} (diverges)**" if row.diverges else str(row.number)
        cells = " | ".join(_code(outcome, cell=True) for outcome in row.outcomes)
        lines.append(f"| {mark} | {_code(row.short, cell=True)} | {cells} |")
    lines += ["", f"{hashes} Differences at step {divergence.index + 1}", ""]
    lines += [f"- {_code(d)}" for d in divergence.differences]
    return "\n".join(lines)


# --- the runs -----------------------------------------------------------------------------
def _summary(what: str, sides: Sides, counts: str, seconds: float, run: Run) -> list[str]:
    seed = "" if run.seed is None else f", seed {run.seed}"
    return [f"{what}: {counts}, {seconds:.1f} s{seed}"] + [
        f"  {label}: {side}" for label, side in sides
    ]


def _diff_sides(result: DiffResult) -> Sides:
    return [("A", result.sides[0]), ("B", result.sides[1])]


def _replay_sides(result: ReplayResult, cassette: str) -> Sides:
    return [("recorded", f"the cassette {cassette}"), ("replayed", result.target)]


def _tail(run: Run) -> list[str]:
    return ["", f"reproduce: {run.command}"] + ([f"report: {run.report}"] if run.report else [])


def _head_markdown(title: str, sides: Sides, facts: list[str], run: Run) -> list[str]:
    lines = [f"# Differential conformance: {title}", ""]
    lines += [f"- {label}: {side}" for label, side in sides] + [f"- {f}" for f in facts]
    return [*lines, "", "Reproduce:", "", "```", run.command, "```"]


def diff_text(result: DiffResult, run: Run) -> str:
    sides = _diff_sides(result)
    counts = f"{result.programs} program(s) run, {result.calls} call(s)"
    lines = _summary("diff", sides, counts, result.seconds, run)
    found = result.divergence
    if found is None:
        lines.append("no divergence")
    else:
        steps = len(found.transcript.program.steps)
        lines += [f"DIVERGENCE at step {found.index + 1} of a program of {steps} step(s) "
                  "(shrunk)", ""]  # fmt: skip
        lines.append(divergence_text(found, sides))
    return "\n".join(lines + _tail(run)) + "\n"


def diff_markdown(result: DiffResult, run: Run) -> str:
    sides = _diff_sides(result)
    found = result.divergence
    facts = [
        f"programs run: {result.programs}, calls: {result.calls}, {result.seconds:.1f} s, "
        f"seed {run.seed}",
        f"result: **{'no divergence' if found is None else 'divergence'}**",
    ]
    lines = _head_markdown("diff", sides, facts, run)
    if found is not None:
        lines += ["", divergence_markdown(found, sides)]
    return "\n".join(lines) + "\n"


def record_text(result: RecordResult, target: str, run: Run) -> str:
    counts = f"{result.programs} program(s), {result.steps} call(s)"
    lines = _summary("record", [("target", target)], counts, result.seconds, run)
    return "\n".join([*lines, f"cassette: {result.path}", *_tail(run)]) + "\n"


def _verdict(result: ReplayResult) -> str:
    found = len(result.divergences)
    return f"{found} divergent program(s)" if found else "no divergence"


def replay_text(result: ReplayResult, cassette: str, run: Run) -> str:
    sides = _replay_sides(result, cassette)
    counts = f"{result.programs} program(s), {result.steps} step(s)"
    lines = _summary("replay", sides, counts, result.seconds, run)
    if result.skipped:
        lines.append(f"{result.skipped} step(s) not expressible on this target (skipped)")
    lines.append(_verdict(result))
    for found in result.divergences:
        label = found.transcript.program.label or "a program"
        lines += ["", f"=== {label}: DIVERGENCE at step {found.index + 1}", ""]
        lines.append(divergence_text(found, sides))
    return "\n".join(lines + _tail(run)) + "\n"


def replay_markdown(result: ReplayResult, cassette: str, run: Run) -> str:
    sides = _replay_sides(result, cassette)
    facts = [
        f"programs: {result.programs}, steps: {result.steps} ({result.skipped} skipped), "
        f"{result.seconds:.1f} s",
        f"result: **{_verdict(result)}**",
    ]
    lines = _head_markdown("replay", sides, facts, run)
    for found in result.divergences:
        label = found.transcript.program.label or "a program"
        lines += ["", f"## {label.capitalize()}: divergence at step {found.index + 1}", ""]
        lines.append(divergence_markdown(found, sides, level=3))
    return "\n".join(lines) + "\n"
