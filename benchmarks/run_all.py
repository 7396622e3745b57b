"""Every benchmark in one run, then one table: each target of the issue, met or missed.

    python benchmarks/run_all.py [--quick] [--only NAME,...] [--write [FILE]]
    python benchmarks/run_all.py --check [FILE]

NAME is one of: in-process, scale, pytest, servers, grpc, conformance, hostile (default:
all, in that order). ``--quick`` makes every part small (a few minutes in all on 2 busy cores);
the full run is for a quiet machine. The ratios compare measurements taken in this same
run: on a shared machine compare those, not absolute times across runs.

``--write`` puts the run (date, machine, command, the targets and every part's tables)
into its marked section of benchmarks/README.md (one for ``--quick``, one for the full
run; it needs every part). ``--check`` only checks that the file's marked sections have
the shape a run writes, and exits 1 saying what is wrong otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import _report
import bench_conformance
import bench_fake
import bench_grpc
import bench_hostile
import bench_memory
import bench_pytest
import bench_servers
from _common import HERE, Check, Section, checks_table, load_average, machine_lines

PARTS: dict[str, tuple[Callable[[bool], Section], list[tuple[str, str]]]] = {
    # name: (measure, the targets it checks, for the table when it fails outright)
    "in-process": (bench_fake.measure_in_process, [("in-process GET image", "≤ 1.5x")]),
    "scale": (
        bench_fake.measure_scale,
        [("List page / GetLatestByFamily at 100k vs 1k", "≤ 1.5x"), ("memory", "≤ 2 KB")],
    ),
    "pytest": (
        bench_pytest.measure,
        [
            ("per-test overhead vs the bare MockTransport floor", "≤ 1.5x"),
            ("per-test overhead vs moto tuned", "≥ 50x lower"),
            ("vs moto per module", "lower"),
        ],
    ),
    "servers": (
        bench_servers.measure,
        [("loopback GET vs trivial uvicorn", "≥ 50%"), ("loopback GET vs moto", "≥ 50x")],
    ),
    "grpc": (bench_grpc.measure, [(bench_grpc.TARGET, "≤ 5 ms")]),
    "conformance": (bench_conformance.measure, [(bench_conformance.TARGET, "< 15 s")]),
    "memory": (bench_memory.measure, []),  # reported, no target
    "hostile": (
        bench_hostile.measure,
        [(bench_hostile.TARGET, "< 1 s"), (bench_hostile.GET_TARGET, "< 100 ms")],
    ),
}


def run_part(name: str, quick: bool) -> tuple[Section, float, str]:
    """The part's section (or one saying how it failed), its seconds and the load before."""
    measure, targets = PARTS[name]
    load = load_average()
    started = time.perf_counter()
    try:
        section = measure(quick)
    except Exception as exc:  # one part failing must not hide the others
        section = Section(f"{name}: failed")
        section.add("```", traceback.format_exc().rstrip()[-3000:], "```", "")
        section.checks = [
            Check(what, f"error: {exc!r}"[:200], target, None) for what, target in targets
        ]
    return section, time.perf_counter() - started, load


README = HERE / "README.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and short runs")
    parser.add_argument("--only", help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument(
        "--write", nargs="?", const=README, type=Path, metavar="FILE",
        help="write the run into FILE's marked section (default: benchmarks/README.md)",
    )  # fmt: skip
    parser.add_argument(
        "--check", nargs="?", const=README, type=Path, metavar="FILE",
        help="check the shape of FILE's marked sections, run nothing",
    )  # fmt: skip
    args = parser.parse_args()
    if args.check is not None:
        wrong = _report.problems(args.check.read_text(encoding="utf-8"), list(PARTS))
        print("\n".join(wrong) or f"{args.check}: every marked section has a run's shape")
        raise SystemExit(1 if wrong else 0)
    names = list(PARTS) if not args.only else [n.strip() for n in args.only.split(",")]
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        parser.error(f"unknown parts {unknown}; choose from {', '.join(PARTS)}")
    if args.write is not None and names != list(PARTS):
        parser.error("--write records a whole run: drop --only")
    began = time.perf_counter()
    machine = machine_lines("run_all", args.quick)
    print("\n".join(machine), flush=True)
    checks: list[Check] = []
    timings = []
    parts: list[tuple[str, str]] = []
    for name in names:
        section, seconds, load = run_part(name, args.quick)
        parts.append((name, section.render()))
        print(parts[-1][1], flush=True)
        checks += section.checks
        timings.append(f"{name} {seconds:.0f} s (load before: {load})")
    footer = [
        f"Parts: {'; '.join(timings)}.",
        f"Total: {time.perf_counter() - began:.0f} s; load average at the end: {load_average()}.",
    ]
    print("## Targets\n")
    print(checks_table(checks))
    print("\n" + "\n".join(footer))
    if args.write is not None:
        write(args.write, args.quick, machine, checks, footer, parts)
    broken = [c.name for c in checks if c.met is None and c.measured.startswith("error")]
    if broken:  # a missed target is a number to read; a benchmark that crashed is a bug
        raise SystemExit(f"benchmarks that failed to run: {', '.join(broken)}")


def write(
    path: Path,
    quick: bool,
    machine: list[str],
    checks: list[Check],
    footer: list[str],
    parts: list[tuple[str, str]],
) -> None:
    """The run into ``path``'s marked section of its profile, checked before it is kept."""
    command = "python benchmarks/run_all.py" + (" --quick" if quick else "") + " --write"
    block = _report.block(
        quick=quick,
        machine=machine,
        command=command,
        targets=checks_table(checks),
        footer=footer,
        parts=parts,
    )
    text = _report.replaced(path.read_text(encoding="utf-8"), quick, block)
    wrong = _report.problems(text, list(PARTS))
    if wrong:
        print("not written:", *wrong, sep="\n", file=sys.stderr)
        raise SystemExit(1)
    path.write_text(text, encoding="utf-8")
    print(f"\nwritten into {path}", flush=True)


if __name__ == "__main__":
    main()
