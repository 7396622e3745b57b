"""Wall time of the conformance suite against the in-process fake.

    python benchmarks/bench_conformance.py [--quick]

Runs ``yc-images-conformance --fake`` serially and with ``-- -n 2`` (pytest-xdist), each
in a fresh process from a scratch directory; skips, saying why, if the command or its
``--fake`` option is not there.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time

from _common import Check, Section, print_report, script_command

TARGET = "conformance suite `--fake`, serial, wall time"
TIMEOUT = 300


def run(command: list[str], folder: str) -> tuple[float, int, str]:
    """Wall seconds, exit status and the last line pytest printed."""
    started = time.perf_counter()
    try:
        result = subprocess.run(
            command, cwd=folder, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, -1, f"timed out after {TIMEOUT} s"
    elapsed = time.perf_counter() - started
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return elapsed, result.returncode, lines[-1].strip("= ") if lines else ""


def measure(quick: bool) -> Section:
    section = Section("Conformance suite against the in-process fake, wall time")
    command = script_command("yc-images-conformance")
    if command is None:
        section.add("Skipped: `yc-images-conformance` is not installed.", "")
        section.skipped(TARGET, "< 15 s", "yc-images-conformance not installed")
        return section
    usage = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60)
    if "--fake" not in usage.stdout:
        section.add("Skipped: `yc-images-conformance` has no `--fake` option yet.", "")
        section.skipped(TARGET, "< 15 s", "no --fake option")
        return section
    base = [*command, "--fake", "--", "-q", "-p", "no:cacheprovider"]
    variants = {"serial": base, "`-n 2` (pytest-xdist)": [*base, "-n", "2"]}
    repeats = 1 if quick else 2
    rows, results = [], {}
    with tempfile.TemporaryDirectory() as folder:
        for label, argv in variants.items():
            best = min((run(argv, folder) for _ in range(repeats)), key=lambda r: r[0])
            results[label] = best
            rows.append([label, f"{best[0]:.1f} s", str(best[1]), best[2]])
    section.table(["run", "wall", "exit", "pytest's summary"], rows)
    section.add(
        f"Best of {repeats} run(s) each, the whole process (start-up and collection "
        "included), the command as a user types it (plus `-q -p no:cacheprovider`).",
        "",
    )
    wall, status, summary = results["serial"]
    if status != 0:
        section.skipped(TARGET, "< 15 s", f"the suite failed (exit {status}: {summary})")
    else:
        section.checks.append(Check(TARGET, f"{wall:.1f} s", "< 15 s", wall < 15))
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each instead of two")
    quick = parser.parse_args().quick
    print_report("bench_conformance", quick, [measure(quick)])


if __name__ == "__main__":
    main()
