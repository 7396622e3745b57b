"""The generated part of benchmarks/README.md.

``run_all.py --write`` puts a whole run (its date, machine, command, the targets table
and every part's tables) between two markers, one pair per profile (``--quick`` and
the full run), replacing what the last run of that profile wrote there. ``run_all.py
--check`` and ``tests/test_benchmarks_readme.py`` check that every marked section has
the shape a run writes (never its numbers, which belong to the machine and the day).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

__all__ = ["ANCHOR", "begin", "block", "end", "problems", "replaced", "sections"]

ANCHOR = "## Latest runs"  # the heading the marked sections go under
HEAD = "| what | measured | target | result |"
RESULTS = ("met", "**missed**", "skipped")
_MARK = re.compile(r"<!-- run_all( --quick)?: (begin|end)[^>]*-->")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def begin(quick: bool) -> str:
    flag = " --quick" if quick else ""
    return f"<!-- run_all{flag}: begin (written by benchmarks/run_all.py --write; not by hand) -->"


def end(quick: bool) -> str:
    return f"<!-- run_all{' --quick' if quick else ''}: end -->"


def _demoted(text: str) -> list[str]:
    """A part's Markdown two heading levels down (its ``## title`` becomes ``####``), so
    it sits under the run's heading; lines inside code fences stay as they are."""
    out, fenced = [], False
    for line in text.rstrip("\n").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        out.append("##" + line if line.startswith("#") and not fenced else line)
    return out


def block(
    *,
    quick: bool,
    machine: Sequence[str],
    command: str,
    targets: str,
    footer: Sequence[str],
    parts: Sequence[tuple[str, str]],
) -> str:
    """The marked section of one run: ``machine`` (``_common.machine_lines``: a title,
    then ``- key: value`` lines, the first the date), ``targets`` (the checks table),
    ``footer`` (the parts' times, the total) and each part's name and rendered section."""
    facts = [line for line in machine if line.startswith("- ")]
    date = _DATE.search(facts[0]) if facts else None
    when = date[0] if date else "undated"
    lines = [
        begin(quick),
        "",
        f"### `run_all.py{' --quick' if quick else ''}`, {when}",
        "",
        f"- command: `{command}`",
        *facts,
        "",
        "#### Targets",
        "",
        targets.rstrip("\n"),
        "",
        *footer,
        "",
    ]
    for name, text in parts:
        rendered = _demoted(text)
        title = rendered[0].removeprefix("#### ") if rendered else ""
        lines += [f"#### {name}: {title}", *rendered[1:], ""]
    return "\n".join([*lines, end(quick)])


def sections(text: str) -> tuple[list[tuple[bool, str]], list[str]]:
    """Each marked section (quick or not, and its text between the markers), and what is
    wrong with the markers themselves."""
    found: list[tuple[bool, str]] = []
    wrong: list[str] = []
    opened: tuple[bool, int] | None = None
    for match in _MARK.finditer(text):
        quick, kind = match[1] is not None, match[2]
        if kind == "begin":
            if opened is not None:
                wrong.append(f"a begin marker at {match.start()} inside an open section")
            opened = (quick, match.end())
        elif opened is None or opened[0] != quick:
            wrong.append(f"an end marker at {match.start()} without its begin")
            opened = None
        else:
            found.append((quick, text[opened[1] : match.start()]))
            opened = None
    if opened is not None:
        wrong.append("a section without its end marker")
    return found, wrong


def replaced(text: str, quick: bool, new_block: str) -> str:
    """``text`` with the section of this profile replaced by ``new_block``, or with the
    block added at the end of the :data:`ANCHOR` heading's part, before the next
    heading of its level (the quick run's after the full one's)."""
    start, stop = text.find(begin(quick)), text.find(end(quick))
    if start >= 0 and stop > start:
        return text[:start] + new_block + text[stop + len(end(quick)) :]
    anchor = text.find("\n" + ANCHOR + "\n")
    if anchor < 0:
        raise ValueError(f"no {ANCHOR!r} heading to write the run under")
    at = text.find("\n## ", anchor + len(ANCHOR) + 1)
    at = len(text) if at < 0 else at + 1
    full_end = text.find(end(False), anchor)
    if not quick and text.find(begin(True), anchor) >= 0:
        at = min(at, text.index(begin(True), anchor))
    elif quick and 0 <= full_end < at:
        at = text.index("\n", full_end) + 1
    return text[:at] + new_block + "\n\n" + text[at:]


def problems(text: str, parts: Sequence[str]) -> list[str]:
    """What keeps ``text``'s marked sections from having the shape a run writes: the
    run's heading with its date, the command and machine lines, the targets table (its
    head, and each row's four cells and a result), the parts' times, and a heading for
    each of ``parts``, in order. Empty when every section has it."""
    found, wrong = sections(text)
    if not found and not wrong:
        wrong.append("no section written by run_all.py --write")
    for quick, body in found:
        name = "run_all.py" + (" --quick" if quick else "")
        wrong += [f"{name}: {p}" for p in _section_problems(body, quick, parts)]
    return wrong


def _section_problems(body: str, quick: bool, parts: Sequence[str]) -> list[str]:
    lines = body.strip("\n").splitlines()
    wrong = []
    title = f"### `run_all.py{' --quick' if quick else ''}`, "
    if not lines or not lines[0].startswith(title) or not _DATE.fullmatch(lines[0][len(title) :]):
        wrong.append(f"the first line is not {title!r} and a UTC date")
    for key in ("- command: `", "- date: ", "- machine: ", "- python: "):
        if not any(line.startswith(key) for line in lines):
            wrong.append(f"no {key.strip()!r} line")
    if not any(line.startswith("- command: `python benchmarks/run_all.py") for line in lines):
        wrong.append("the command is not run_all.py's")
    wrong += _targets_problems(lines)
    if not any(line.startswith("Parts: ") for line in lines):
        wrong.append("no 'Parts: ' line with each part's time")
    headings = [line[5:].split(":", 1)[0] for line in lines if line.startswith("#### ")]
    named = [h for h in headings if h != "Targets"]
    if named != list(parts):
        wrong.append(f"the parts' headings are {named}, not {list(parts)}")
    return wrong


def _targets_problems(lines: list[str]) -> list[str]:
    try:
        at = lines.index("#### Targets")
    except ValueError:
        return ["no '#### Targets' heading"]
    table = lines[at + 2 :]
    if table[:2] != [HEAD, "|---|---:|---|---|"]:
        return [f"the targets table does not start with {HEAD!r}"]
    rows = list(itertools.takewhile(lambda line: line.startswith("|"), table[2:]))
    if not rows:
        return ["the targets table has no rows"]
    wrong = []
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        if len(cells) != 4 or cells[3] not in RESULTS:
            wrong.append(f"a target row without four cells and a result ({RESULTS}): {row[:80]}")
    return wrong
