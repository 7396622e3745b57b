"""What ``diff`` finds: each planted bug of ``tests/conformance/mutants.py``, measured.

    python tools/differential_mutants.py            # run, print the table
    python tools/differential_mutants.py --write    # run, put the table in docs/differential.md

For each bug it serves the fake with that bug on loopback (``tests/conformance/mutant_server``)
and runs ``diff`` against it from the in-process fake (seed :data:`SEED`, at most
:data:`PROGRAMS` programs), two bugs at a time. A row gives the programs hypothesis ran
(shrinking included), the steps of the shrunk program, the seconds, and the first
difference. ``tests/conformance/differential/test_mutants_diff.py -m slow`` asserts the
same runs (found, at most 5 steps); this script only reports them, dated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.conformance: the planted bugs and their server

PAGE = ROOT / "docs" / "differential.md"
BEGIN = "<!-- planted bugs: begin (tools/differential_mutants.py --write) -->"
END = "<!-- planted bugs: end -->"
SEED = 0
PROGRAMS = 3000


def find(name: str) -> tuple[str, int, int, float, str]:
    """Diff the fake against the fake with bug ``name``: (name, runs, steps, s, difference)."""
    from pytest_yc_images import FakeImageService
    from pytest_yc_images.conformance import Target
    from pytest_yc_images.conformance.differential import diff
    from tests.conformance.mutant_server import running

    with tempfile.TemporaryDirectory() as tmp, running(name, log=Path(tmp, "log")) as url:
        started = time.monotonic()
        served = Target(endpoint=url, folder_id="b1gdifferential00001", token="mutant-token")
        result = diff(FakeImageService(), served, programs=PROGRAMS, seed=SEED)
        seconds = time.monotonic() - started
    found = result.divergence
    if found is None:
        return name, result.programs, 0, seconds, result.error or "not found"
    return (name, result.programs, len(found.transcript.program.steps), seconds,
            found.differences[0])  # fmt: skip


def table(rows: list[tuple[str, int, int, float, str]]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Measured {when} on {os.cpu_count()} cores by `python "
             f"tools/differential_mutants.py` (seed {SEED}, at most {PROGRAMS} programs "
             "each; programs run include hypothesis' shrinking):", "",
             "| planted bug | programs run | steps (shrunk) | seconds | first difference |",
             "|---|---:|---:|---:|---|"]  # fmt: skip
    for name, runs, steps, seconds, first in rows:
        cell = first.replace("|", "\\|").replace("\n", " ")
        cell = cell if len(cell) <= 90 else cell[:87] + "..."
        lines.append(f"| `{name}` | {runs} | {steps or 'not found'} | {seconds:.1f} | "
                     f"`{cell}` |")  # fmt: skip
    found = sum(1 for row in rows if row[2])
    worst = max((row[2] for row in rows), default=0)
    lines += ["", f"{found} of {len(rows)} found; the longest shrunk program has {worst} "
              "steps."]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"put the table in {PAGE.name}")
    parser.add_argument("names", nargs="*", help="only these bugs")
    args = parser.parse_args(argv)
    from tests.conformance import mutants

    names = args.names or sorted(mutants.MUTANTS)
    with ProcessPoolExecutor(max_workers=2) as pool:
        rows = list(pool.map(find, names))
    text = table(rows)
    print(text)
    if args.write:
        page = PAGE.read_text(encoding="utf-8")
        if page.count(BEGIN) != 1 or page.count(END) != 1:
            print(f"{PAGE}: no one table between {BEGIN!r} and {END!r}", file=sys.stderr)
            return 2
        head, rest = page.split(BEGIN, 1)
        PAGE.write_text(f"{head}{BEGIN}\n{text}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")
    return 0 if all(row[2] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
