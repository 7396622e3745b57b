"""A/B: two checkouts measured side by side in one run, taking turns.

    python benchmarks/ab.py --base REV [--quick] [--rounds N] [--only NAME,...]

A is ``REV``, checked out with ``git worktree add --detach`` into a scratch folder (removed
at the end); B is the working tree this script is in, uncommitted changes included. NAME is
one of: pytest (per-test overhead, ``bench_pytest.py``), in-process (GET image through
``fake.client()``, ``bench_fake.py``), loopback (GET image on ``fake.serve()``,
``bench_servers.py``). Every measurement runs in a fresh interpreter of this venv with its
side's checkout first on ``PYTHONPATH``; before measuring, each side proves which files it
runs: the package, every ``contracts/`` file it opened, and the pytest11 plugin as a pytest
session loaded it must all come from its own checkout, or the run stops. The measuring code
is this working tree's ``benchmarks/`` on both sides, and the installed metadata (the
pytest11 entry point's module name, the dependencies) this venv's. Rounds alternate the
order (A then B, B then A). Each part also measures a reference that runs none of our
code (the bare MockTransport, a trivial uvicorn app), by turns with its value in the same
interpreter; the verdict, B no more than 10% slower than A, compares each side's median
over the rounds of value / reference: load that slowed a run slowed its reference too.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import HERE, Check, Section, print_report

HEAD = HERE.parent
TOLERANCE = 0.10  # B may be this much worse than A
_WORKER_TIMEOUT = 1800


# --- what one side runs (in its own interpreter) -----------------------------------------
_WHERE_TEST = """
import json, os, sys


def test_where(request, yc_fake):
    plugin = request.config.pluginmanager.get_plugin("yc_images")
    where = {
        "pytest11 plugin, as pytest loaded it": plugin.__file__,
        "the yc_fake fixture's class": sys.modules[type(yc_fake).__module__].__file__,
    }
    with open(os.environ["AB_WHERE_FILE"], "w") as out:
        json.dump(where, out)
"""


def where() -> dict[str, Any]:
    """The files this interpreter, and a pytest session it starts, take our code from."""
    opened: list[str] = []

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and isinstance(args[0], str | os.PathLike):
            opened.append(os.fspath(args[0]))

    sys.addaudithook(audit)  # before the first import of the package: sees every read
    import pytest_yc_images as package

    package.openapi_document()
    for name in package.message_names():
        package.validator(name)
    from bench_pytest import pytest_session

    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp), Path(tmp, "where.json")
        (folder / "pytest.ini").write_text("[pytest]\n")
        (folder / "test_where.py").write_text(_WHERE_TEST)
        pytest_session(folder, ["test_where.py"], {"AB_WHERE_FILE": str(out)}, "the where test")
        in_pytest = json.loads(out.read_text())
    return {
        "the package": package.__file__,
        "contracts/ files opened": sorted({p for p in opened if "contracts" in Path(p).parts}),
        **in_pytest,
    }


def measure_pytest(quick: bool) -> dict[str, float]:
    from bench_pytest import BARE_NAME, OURS_NAME, interleaved

    turns = interleaved(quick)
    return {"value": turns.median(OURS_NAME), "reference": turns.median(BARE_NAME)}


def measure_in_process(quick: bool) -> dict[str, float]:
    from bench_fake import in_process_rows

    # The full profile's 100 batches even when quick: a round's ratio is only as good as
    # the least batch of each side, and 30 batches left some rounds 1.4x off on a busy
    # machine.
    _, _, ours, bare = in_process_rows(quick=False)[0]  # the first row is GET image
    return {"value": ours, "reference": bare}


def measure_loopback(quick: bool) -> dict[str, float]:
    """GET image on ``fake.serve()`` and on the trivial uvicorn app, by turns, each keeping
    its best turn: ``wrk -t1 -c8`` (one keep-alive httpx client where wrk is not
    installed), the servers on the first CPU and the load on the others."""
    import httpx
    from _common import checked, cpu_split, hammer, pinned, run_wrk
    from bench_servers import our_rows, trivial_app

    servers, clients = cpu_split() or (None, None)
    seconds, turns = (1, 3) if quick else (2, 5)
    has_wrk = shutil.which("wrk") is not None

    def rate(url: str, path: str, headers: dict[str, str]) -> float:
        if not has_wrk:
            return hammer(url, path, clients=1, seconds=seconds, headers=headers, cpus=clients)
        done = run_wrk(url + path, connections=8, seconds=seconds, headers=headers, cpus=clients)
        return done.rate or 0.0

    best = {"value": 0.0, "reference": 0.0}
    with pinned(servers), contextlib.ExitStack() as stack:
        ours = our_rows(stack)[0].call  # GET image
        size = len(checked(httpx.get(ours.url + ours.path, headers=ours.headers)).content)
        url, _ = stack.enter_context(trivial_app(size, size, "auto"))
        for _ in range(turns):
            best["value"] = max(best["value"], rate(ours.url, ours.path, ours.headers))
            best["reference"] = max(best["reference"], rate(url, "/image", {}))
    return best


@dataclass(frozen=True)
class Metric:
    name: str
    label: str  # what the value is, with its unit
    reference: str  # what the reference beside it is
    measure: Callable[[bool], dict[str, float]]
    higher_is_better: bool = False

    def cell(self, value: float) -> str:
        return f"{value:,.0f}" if self.higher_is_better else f"{value:,.2f}"

    def best(self, values: Iterable[float]) -> float:
        """The best of several runs: noise only ever makes a run slower."""
        return max(values) if self.higher_is_better else min(values)

    def worse(self, a: float, b: float) -> float:
        """How much slower B is than A (negative: faster), as a fraction of A's cost."""
        return a / b - 1 if self.higher_is_better else b / a - 1


METRICS = {
    m.name: m
    for m in (
        Metric(
            "pytest",
            "per-test overhead: ms per test through `yc_client` (median)",
            "the same 6 calls on a bare MockTransport, ms per test",
            measure_pytest,
        ),
        Metric(
            "in-process",
            "in-process GET image: µs per call (least batch)",
            "bare MockTransport GET, µs per call",
            measure_in_process,
        ),
        Metric(
            "loopback",
            "loopback GET image on `fake.serve()`: req/s, wrk -t1 -c8 (or 1 httpx client)",
            "a trivial uvicorn app's GET, req/s, wrk -t1 -c8",
            measure_loopback,
            higher_is_better=True,
        ),
    )
}


def worker(what: str, quick: bool) -> None:
    """One measurement (or ``where``) in this interpreter; its JSON is the last line out."""
    gc.collect()
    result: dict[str, Any] = where() if what == "where" else METRICS[what].measure(quick)
    if what != "where":
        import pytest_yc_images

        result["package"] = pytest_yc_images.__file__
    print(json.dumps(result))


# --- the two sides -----------------------------------------------------------------------
@dataclass(frozen=True)
class Side:
    name: str  # "A" or "B"
    title: str  # which checkout, for people
    root: Path

    def run(self, what: str, quick: bool) -> dict[str, Any]:
        """``ab.py --worker what`` in a fresh interpreter with this checkout first."""
        path = os.pathsep.join(p for p in (str(self.root), os.environ.get("PYTHONPATH")) if p)
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", what]
        done = subprocess.run(
            [*command, *(["--quick"] if quick else [])],
            env={**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"},
            cwd=tempfile.gettempdir(),  # not a checkout: nothing shadows PYTHONPATH
            capture_output=True,
            text=True,
            timeout=_WORKER_TIMEOUT,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.name} {what} failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        if what != "where":
            self.check_files({"the package": result["package"]})
        return result

    def check_files(self, found: dict[str, Any]) -> None:
        """Every file named in ``found`` lies in this side's checkout; else stop the run."""
        for what, paths in found.items():
            if not paths:
                raise SystemExit(f"{self.name} ({self.title}): no {what}: cannot tell where from")
            for path in [paths] if isinstance(paths, str) else paths:
                if not Path(path).resolve().is_relative_to(self.root.resolve()):
                    raise SystemExit(f"{self.name} ({self.title}): {what} is {path}")


@contextlib.contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """A detached worktree of ``rev`` in a scratch folder, removed afterwards."""
    git = ["git", "-C", str(HEAD)]
    with tempfile.TemporaryDirectory(prefix="yc-ab-") as tmp:
        folder = Path(tmp, "base")
        subprocess.run([*git, "worktree", "add", "--detach", "-q", str(folder), rev], check=True)
        try:
            yield folder
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(folder)], check=False)


def describe(rev: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(HEAD), "log", "-1", "--format=%h %s", rev],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()[:80]


def compare(sides: tuple[Side, Side], names: list[str], rounds: int, quick: bool) -> Section:
    section = Section("A/B, taking turns")
    section.add(f"- A: `{sides[0].title}` at {sides[0].root}")
    section.add(f"- B: `{sides[1].title}` at {sides[1].root}", "")
    section.add("Where each side's code came from (checked: all inside its own checkout):", "")
    for side in sides:
        found = side.run("where", quick)
        side.check_files(found)
        for what, paths in found.items():
            shown = paths if isinstance(paths, str) else f"{len(paths)} files, e.g. {paths[0]}"
            section.add(f"- {side.name}: {what}: `{shown}`")
    section.add("")
    results: dict[str, dict[str, list[dict[str, float]]]] = {
        n: {s.name: [] for s in sides} for n in names
    }
    for round_ in range(rounds):
        order = sides if round_ % 2 == 0 else sides[::-1]
        for name in names:
            for side in order:
                results[name][side.name].append(side.run(name, quick))
    rows, verdicts = [], []
    for name in names:
        metric = METRICS[name]
        runs = [results[name][s.name] for s in sides]
        a, b = (metric.best(r["value"] for r in side) for side in runs)
        ref_a, ref_b = (metric.best(r["reference"] for r in side) for side in runs)
        rel_a, rel_b = (
            statistics.median(r["value"] / r["reference"] for r in side) for side in runs
        )
        each = "; ".join(
            f"{s.name} " + ", ".join(metric.cell(r["value"]) for r in side)
            for s, side in zip(sides, runs, strict=True)
        )
        rows.append([metric.label, metric.cell(a), metric.cell(b), f"{b / a:.3f}", each])
        rows.append(
            [metric.reference, metric.cell(ref_a), metric.cell(ref_b), f"{ref_b / ref_a:.3f}", ""]
        )
        each_rel = "; ".join(
            f"{s.name} " + ", ".join(f"{r['value'] / r['reference']:.3f}" for r in side)
            for s, side in zip(sides, runs, strict=True)
        )
        worse = metric.worse(rel_a, rel_b)
        said = f"B {'slower' if worse > 0 else 'faster'} by {abs(worse):.1%}"
        verdicts.append(
            [
                name,
                f"{rel_a:.3f}",
                f"{rel_b:.3f}",
                f"{rel_b / rel_a:.3f}",
                each_rel,
                f"{metric.worse(a, b):+.1%}",
                said,
            ]
        )
        section.checks.append(
            Check(
                f"{name}: B within 10% of A",
                f"{said} (median of value / reference; best values: {metric.worse(a, b):+.1%})",
                "≤ 10% slower",
                worse <= TOLERANCE,
            )
        )
    section.table(["what", "A", "B", "B/A", "each round"], rows)
    section.add(
        f"{rounds} rounds; a round measures each part on A and on B, one after the other, "
        "the order turning each round; above, each side's best round (the least time, "
        "the most requests/s: noise only ever makes a run slower). Each part measures a "
        "reference beside its value, by turns in the same interpreter, that does not run "
        "our code: the bare MockTransport, the trivial app. The verdict compares each "
        "side's median over the rounds of value / reference: a round's load slows its "
        "reference as it slows its value (the loopback rates can double from one round "
        "to the next, the trivial app's alike), and the median outvotes a round where "
        "load fell on one of the two only.",
        "",
    )
    section.table(
        [
            "part",
            "A median value/ref",
            "B",
            "B/A",
            "each round's value/ref",
            "best values",
            "verdict",
        ],
        verdicts,
    )
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="the revision A (git rev-parse syntax: HEAD~1, main)")
    parser.add_argument("--quick", action="store_true", help="the parts' quick profiles")
    parser.add_argument("--rounds", type=int, help="rounds of A and B (default 4, quick 3)")
    parser.add_argument("--only", help=f"comma-separated parts: {', '.join(METRICS)}")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.quick)
        return
    if not args.base:
        parser.error("--base REV is required")
    names = list(METRICS) if not args.only else [n.strip() for n in args.only.split(",")]
    if unknown := [n for n in names if n not in METRICS]:
        parser.error(f"unknown parts {unknown}; choose from {', '.join(METRICS)}")
    rounds = args.rounds or (3 if args.quick else 4)
    with checkout(args.base) as base:
        sides = (
            Side("A", f"{args.base}: {describe(args.base)}", base),
            Side("B", "the working tree", HEAD),
        )
        section = compare(sides, names, rounds, args.quick)
    print_report("ab", args.quick, [section])


if __name__ == "__main__":
    main()
