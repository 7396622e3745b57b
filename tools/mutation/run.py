"""Mutation testing of the fake, with the shipped conformance suite as the only test command.

    python tools/mutation/run.py [--profile live|seed|both] [--max-children N]
        [--only GLOB ...] [--report PATH] [--keep | --recheck]
    python tools/mutation/run.py --pinned      # CI: the pinned mutants must be killed

The tool is mutmut (3.x): it rewrites every function of the mutated modules into a
trampoline holding all its mutants, runs the test command once to learn which tests reach
which function, then forks one child per mutant that runs only those tests, so a run of
~3,000 mutants takes minutes, not hours. The test command is the conformance suite
(``contracts/conformance``) against the in-process fake (``--yc-fake``) in one profile,
nothing of the project's own tests.

Each profile works in its own folder (``build/mutation/<profile>/``: a copy of the package
and the contracts, and the ``[tool.mutmut]`` table mutmut reads). Survivors (and mutants
no contract reaches) are classified by ``tools/mutation/classes/*.toml``: **equivalent**,
**undocumented**, or, when no entry matches, **gap**. The report lists every mutant.
Exit status: 0 done (and with --pinned: every pinned mutant killed), 1 otherwise, 2 usage.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PACKAGE = "pytest_yc_images"
# The modules mutated, by the face of the fake the suite reaches them through: the gRPC
# codec only carries gRPC calls, so its mutants run with the suite aimed at the fake's
# gRPC face (grpc_face.py); everything else with the suite in-process (REST).
MUTATED = {
    "rest": (f"{PACKAGE}/_core/*", f"{PACKAGE}/_rpc.py", f"{PACKAGE}/_wire.py",
             f"{PACKAGE}/faces/rest.py"),
    "grpc": (f"{PACKAGE}/faces/grpc_codec.py",),
}  # fmt: skip
FACES = tuple(MUTATED)
PROFILES = ("live", "seed")
KILLED = {"killed", "timeout", "killed (whole suite)"}  # a mutant that hangs the suite: caught
_NAME = re.compile(r"^(?P<func>.+)__mutmut_(?P<n>\d+|orig)$")


@dataclass(frozen=True)
class Mutant:
    name: str  # mutmut's: <module>.<x_function or xǁClassǁmethod>__mutmut_<n>
    status: str  # killed, survived, no tests, timeout, ...
    where: str = ""  # path:line of the first changed line in the real source
    change: str = ""  # "- old / + new", the changed lines
    klass: str = ""  # for a survivor: equivalent, undocumented or gap
    why: str = ""

    @property
    def function(self) -> str:
        return _NAME.sub(r"\g<func>", self.name)

    @property
    def survived(self) -> bool:
        return self.status not in KILLED


# --- running mutmut ------------------------------------------------------------------------
def workdir(profile: str, face: str = "rest") -> Path:
    return ROOT / "build" / "mutation" / (profile if face == "rest" else f"{profile}-{face}")


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def prepare(profile: str, face: str, keep: bool) -> Path:
    """A folder mutmut can work in: the package, the contracts and its configuration."""
    work = workdir(profile, face)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in (PACKAGE, "contracts"):
        shutil.rmtree(work / folder, ignore_errors=True)
        shutil.copytree(ROOT / folder, work / folder, ignore=ignore)
    also_copy = ["contracts/"]
    if face == "grpc":  # the fake's gRPC face in the test process; grpc is not fork-safe
        shutil.copy(HERE / "grpc_face.py", work / "grpc_face.py")
        also_copy.append("grpc_face.py")
    suite_args = suite_options(profile, face)
    (work / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        f'source_paths = ["{PACKAGE}/"]\n'
        f"only_mutate = {_toml_list(MUTATED[face])}\n"
        f"also_copy = {_toml_list(also_copy)}\n"
        f"pytest_add_cli_args = {_toml_list(suite_args)}\n"
        'pytest_add_cli_args_test_selection = ["contracts/conformance"]\n'
        "use_git_change_detection = false\n"
        f'process_isolation = "{"forkserver" if face == "grpc" else "fork"}"\n',
        "utf-8",
    )
    return work


def suite_options(profile: str, face: str) -> list[str]:
    """pytest's options for the conformance suite against the fake in ``profile``."""
    options = ["-p", f"{PACKAGE}.plugin", "--yc-fake", "--yc-profile", profile,
               "-c", "contracts/conformance/pytest.ini", "--yc-max-images", "1000"]  # fmt: skip
    return options + (["-p", "grpc_face"] if face == "grpc" else [])


def _env(**more: str) -> dict[str, str]:
    env = os.environ | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "CI": "true"} | more
    env.pop("PYTHONPATH", None)
    return env


def mutmut(work: Path, *args: str, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).with_name("mutmut")
    return subprocess.run([str(binary), *args], cwd=work, env=_env(), text=True,
                          capture_output=quiet, check=False)  # fmt: skip


def run(
    profile: str, face: str, names: Sequence[str], children: int, keep: bool | str
) -> dict[str, str]:
    """Run mutmut over ``names`` (all when empty) in ``profile``; every mutant's status."""
    if keep == "recheck" and (workdir(profile, face) / "mutants").is_dir():
        return results(refresh(workdir(profile, face)))
    work = prepare(profile, face, keep is True)
    started = time.monotonic()
    done = mutmut(work, "run", "--max-children", str(children), *names, quiet=True)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).replace("\r", "\n").strip().splitlines()[-20:]
        raise SystemExit(f"mutmut run failed ({profile}, {face}):\n" + "\n".join(tail))
    print(f"{profile} ({face}): mutmut ran in {time.monotonic() - started:.0f} s",
          file=sys.stderr)  # fmt: skip
    return results(work)


def refresh(work: Path) -> Path:
    """Bring the suite of an earlier run up to date: the contracts, and every module of the
    package that is not mutated (the suite's own among them), so its survivors run again
    against the suite as it is now. A mutated module must not have changed since: its
    mutants would no longer be these."""
    if not (work / "mutants").is_dir():
        raise SystemExit(f"no earlier run in {work}: run without --recheck first")
    mutated = [g for globs in MUTATED.values() for g in globs]
    for path in sorted(p for p in (ROOT / PACKAGE).rglob("*") if p.is_file()):
        rel = path.relative_to(ROOT)
        if "__pycache__" in rel.parts:
            continue
        if any(fnmatch.fnmatch(str(rel), g) for g in mutated):
            if path.read_bytes() != (work / rel).read_bytes():
                raise SystemExit(f"{rel} changed since the last run: run without --recheck")
            continue
        (work / "mutants" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, work / "mutants" / rel)
    shutil.rmtree(work / "mutants" / "contracts")
    shutil.copytree(ROOT / "contracts", work / "mutants" / "contracts",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
    return work


def results(work: Path) -> dict[str, str]:
    """The status of every mutant of the last mutmut run in ``work``."""
    listing = mutmut(work, "results", "--all", "true", quiet=True).stdout
    statuses = {}
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            statuses[name] = status
    return statuses


# --- the whole suite, in a new process, for each survivor --------------------------------
CONFIRMED = "killed (whole suite)"


def confirm(work: Path, profile: str, face: str, names: Sequence[str],
            children: int) -> dict[str, str]:  # fmt: skip
    """Run the whole suite in a new process with each of ``names`` switched on.

    mutmut runs a mutant in a child forked from a process that has already run the suite
    once, and only with the contracts it saw reach the mutant's function. Two things
    escape that: a function whose result the parent cached before forking (the public
    catalogue), and one called only while a session fixture was set up (credited to the
    first contract alone). A new process that runs every contract sees both. Returns the
    new status of each name: ``killed (whole suite)``, ``survived`` or ``timeout``.
    """
    command = [sys.executable, "-m", "pytest", "-x", "-q", "--rootdir=.", "-p", "no:cacheprovider",
               *suite_options(profile, face), "contracts/conformance"]  # fmt: skip
    cwd = work / "mutants"

    def one(name: str) -> str:
        try:
            done = subprocess.run(command, cwd=cwd, env=_env(MUTANT_UNDER_TEST=name),
                                  capture_output=True, timeout=300, check=False)  # fmt: skip
        except subprocess.TimeoutExpired:
            return "timeout"
        return "survived" if done.returncode == 0 else CONFIRMED

    if names and one("") != "survived":
        raise SystemExit(f"the suite fails in {cwd} with no mutant: {' '.join(command)}")
    with ThreadPoolExecutor(max_workers=children) as pool:
        return dict(zip(names, pool.map(one, names), strict=True))


# --- what each mutant changed ----------------------------------------------------------
def _functions(path: Path) -> dict[str, tuple[str, int]]:
    """Every function of a (mutated) module: name -> (source, first line)."""
    text = path.read_text("utf-8")
    lines = text.splitlines()
    out = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            body = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            out[node.name] = (body, first)
    return out


def _original_line(module: str, function: str) -> int:
    """The line where ``function`` (mutmut's x_name / xǁClassǁname) starts in the real file."""
    bare = function.split("ǁ")[-1] if "ǁ" in function else function.removeprefix("x_")
    return _lines(module).get(bare, 0)


@cache
def _lines(module: str) -> dict[str, int]:
    """Every function of a module of the package: name -> its first line (the first wins)."""
    path = ROOT / (module.replace(".", "/") + ".py")
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.setdefault(node.name, node.lineno)
    return found


def changes(work: Path, names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Mutant name -> (path:line, the changed lines), read from mutmut's mutated sources."""
    by_module: dict[str, list[str]] = {}
    for name in names:
        module, _, _ = _NAME.sub(r"\g<func>", name).rpartition(".")
        by_module.setdefault(module, []).append(name)
    out = {}
    for module, mutants in by_module.items():
        rel = module.replace(".", "/") + ".py"
        functions = _functions(work / "mutants" / rel)
        for name in mutants:
            func = name.rpartition(".")[2]
            match = _NAME.match(func)
            if match is None or func not in functions:
                out[name] = (rel, "")
                continue
            original = functions.get(f"{match['func']}__mutmut_orig", ("", 0))[0]
            mutant = functions[func][0].replace(func, f"{match['func']}__mutmut_orig", 1)
            old, new = original.splitlines(), mutant.splitlines()
            diff = [d for d in difflib.ndiff(old, new) if d[:1] in "-+"]
            first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), 0)
            line = _original_line(module, match["func"]) + first
            text = " / ".join(f"{d[0]} {d[2:].strip()}" for d in diff)[:400]
            out[name] = (f"{rel}:{line}", text)
    return out


# --- classification --------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    klass: str
    match: tuple[str, ...]
    why: str
    change: str = ""  # a regex the change must match (search)
    profiles: tuple[str, ...] = PROFILES

    def applies(self, mutant: Mutant, profile: str) -> bool:
        if profile not in self.profiles:
            return False
        if not any(fnmatch.fnmatchcase(mutant.name, m) for m in self.match):
            return False
        return not self.change or re.search(self.change, mutant.change) is not None


def load_classes(folder: Path = HERE / "classes") -> list[Entry]:
    """The entries of every ``classes/*.toml``, file by file in name order."""
    entries = []
    for path in sorted(folder.glob("*.toml")):
        entries += _entries(tomllib.loads(path.read_text("utf-8")))
    return entries


def _entries(data: dict[str, list[dict[str, str]]]) -> list[Entry]:
    entries = []
    for klass in ("equivalent", "undocumented"):
        for row in data.get(klass, []):
            match = row["match"]
            entries.append(Entry(klass, tuple([match] if isinstance(match, str) else match),
                                 row["why"], row.get("change", ""),
                                 tuple(row.get("profiles", PROFILES))))  # fmt: skip
    return entries


def classify(mutant: Mutant, profile: str, entries: Sequence[Entry]) -> Mutant:
    if not mutant.survived:
        return mutant
    for entry in entries:
        if entry.applies(mutant, profile):
            return Mutant(mutant.name, mutant.status, mutant.where, mutant.change,
                          entry.klass, entry.why)  # fmt: skip
    return Mutant(mutant.name, mutant.status, mutant.where, mutant.change, "gap", "")


# --- the report ------------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    profile: str
    total: int
    killed: int
    equivalent: int
    undocumented: int
    gap: int

    @property
    def score(self) -> float:
        """Killed among the mutants that are not equivalent nor of undocumented behaviour."""
        return 100.0 * self.killed / max(1, self.killed + self.gap)


def summarize(profile: str, mutants: Sequence[Mutant]) -> Summary:
    counts = Counter("killed" if not m.survived else m.klass for m in mutants)
    return Summary(profile, len(mutants), counts["killed"], counts["equivalent"],
                   counts["undocumented"], counts["gap"])  # fmt: skip


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report(results: dict[str, list[Mutant]], seconds: dict[str, float]) -> str:
    day = datetime.now(UTC).date().isoformat()
    lines = [
        "# Mutation report",
        "",
        f"Generated {day} by `python tools/mutation/run.py` (mutmut, the conformance suite "
        "against the in-process fake as the only test command). Score: killed / (killed + "
        "gap), i.e. among the mutants that are neither equivalent nor of undocumented "
        "behaviour.",
        "",
        "| profile | mutants | killed | equivalent | undocumented | gap | score | run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for profile, mutants in results.items():
        s = summarize(profile, mutants)
        lines.append(f"| {profile} | {s.total} | {s.killed} | {s.equivalent} | "
                     f"{s.undocumented} | {s.gap} | {s.score:.1f}% | "
                     f"{seconds.get(profile, 0):.0f} s |")  # fmt: skip
    for profile, mutants in results.items():
        survivors = [m for m in mutants if m.survived]
        lines += ["", f"## {profile}: survivors ({len(survivors)})", "",
                  "| mutant | status | class | where | change | why |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        order = {"gap": 0, "undocumented": 1, "equivalent": 2}
        for m in sorted(survivors, key=lambda m: (order[m.klass], m.name)):
            lines.append(f"| `{m.name}` | {m.status} | {m.klass} | {m.where} | "
                         f"`{_cell(m.change)}` | {_cell(m.why)} |")  # fmt: skip
        killed: dict[str, list[int]] = {}
        for m in mutants:
            if not m.survived:
                killed.setdefault(m.function, []).append(int(m.name.rpartition("_")[2]))
        count = sum(map(len, killed.values()))
        lines += ["", f"## {profile}: killed ({count}), by function: the mutants' numbers", ""]
        lines += [f"- `{f}`: {', '.join(map(str, sorted(ns)))}" for f, ns in sorted(killed.items())]
    return "\n".join(lines) + "\n"


def _face_of(name: str) -> str:
    module = _NAME.sub(r"\g<func>", name).rpartition(".")[0]
    path = module.replace(".", "/") + ".py"
    return next(f for f, globs in MUTATED.items() if any(fnmatch.fnmatch(path, g) for g in globs))


def collect(profile: str, names: Sequence[str], children: int, keep: bool | str,
            entries: Sequence[Entry], recheck: bool = True) -> list[Mutant]:  # fmt: skip
    """Every mutant of both faces' modules in ``profile`` (of ``names`` only, if given)."""
    mutants = []
    for face in FACES:
        wanted = [n for n in names if _face_matches(n, face)]
        if names and not wanted:
            continue
        statuses = run(profile, face, wanted, children, keep)
        if names:
            statuses = {n: s for n, s in statuses.items()
                        if any(fnmatch.fnmatchcase(n, g) for g in names)}  # fmt: skip
        statuses = {n: s for n, s in statuses.items() if _face_of(n) == face}
        where = changes(workdir(profile, face), statuses)
        found = [classify(Mutant(n, s, *where.get(n, ("", ""))), profile, entries)
                 for n, s in sorted(statuses.items())]  # fmt: skip
        if recheck:  # survivors that count: gaps, and equivalents (a kill disproves one)
            again = [m.name for m in found if m.survived and m.klass != "undocumented"]
            started = time.monotonic()
            statuses |= confirm(workdir(profile, face), profile, face, again, children)
            print(f"{profile} ({face}): {len(again)} survivors run again with the whole "
                  f"suite in {time.monotonic() - started:.0f} s", file=sys.stderr)  # fmt: skip
            found = [classify(Mutant(n, s, *where.get(n, ("", ""))), profile, entries)
                     for n, s in sorted(statuses.items())]  # fmt: skip
        mutants += found
    return mutants


def _face_matches(glob: str, face: str) -> bool:
    """Whether mutants named by ``glob`` may live in a module of ``face``."""
    prefix = glob.split("*", 1)[0].split("[", 1)[0]
    modules = {g.removesuffix(".py").replace("/", ".").rstrip(".*") for g in MUTATED[face]}
    return any(m.startswith(prefix) or prefix.startswith(m) for m in modules)


# --- pinned mutants (CI) -----------------------------------------------------------------
def pinned(path: Path = HERE / "pinned.toml") -> dict[str, list[tuple[str, str]]]:
    """profile -> [(mutant name, its change)]: mutants CI expects the suite to kill."""
    data = tomllib.loads(path.read_text("utf-8"))
    out: dict[str, list[tuple[str, str]]] = {p: [] for p in PROFILES}
    for row in data["mutant"]:
        for profile in row.get("profiles", PROFILES):
            out[profile].append((row["name"], row["change"]))
    return out


def killed_in(report: Path) -> dict[str, list[Mutant]]:
    """profile -> the killed mutants a report lists, with their changes (read from the
    run's folders, which must still be there)."""
    out: dict[str, list[Mutant]] = {}
    profile = ""
    for line in report.read_text("utf-8").splitlines():
        heading = re.match(r"## (\w+): killed \(", line)
        if heading:
            profile = heading[1]
            out[profile] = []
        elif line.startswith("## "):
            profile = ""
        elif profile and (row := re.match(r"- `(.+)`: ([\d, ]+)$", line)):
            out[profile] += [Mutant(f"{row[1]}__mutmut_{n.strip()}", "killed")
                             for n in row[2].split(",")]  # fmt: skip
    if set(out) != set(PROFILES):
        raise SystemExit(f"{report}: not the report of a full run of both profiles")
    for profile, mutants in out.items():
        names = [m.name for m in mutants]
        where: dict[str, tuple[str, str]] = {}
        for face in FACES:
            mine = [n for n in names if _face_of(n) == face]
            where |= changes(workdir(profile, face), mine)
        out[profile] = [Mutant(m.name, m.status, *where.get(m.name, ("", ""))) for m in mutants]
    return out


def pin(report_results: dict[str, list[Mutant]], per_function: int = 1,
        path: Path = HERE / "pinned.toml") -> int:  # fmt: skip
    """Pin killed mutants of a full run: the first ``per_function`` of each function whose
    mutants both profiles killed (so CI sees every function the suite reaches)."""
    profiles = list(report_results)
    killed = [{m.name: m for m in report_results[p] if not m.survived} for p in profiles]
    chosen: dict[str, list[Mutant]] = {}
    for name, mutant in sorted(killed[0].items(), key=lambda kv: _number(kv[0])):
        if all(name in k and k[name].change == mutant.change for k in killed[1:]):
            picked = chosen.setdefault(mutant.function, [])
            if len(picked) < per_function and mutant.change:
                picked.append(mutant)
    rows = [
        "# Mutants CI expects the conformance suite to kill (tools/mutation/run.py --pinned),",
        "# chosen by `run.py --pin` from a full run: one per function both profiles killed.",
        "# A function that changed renumbers its mutants: pin again after a full run.",
    ]
    for mutant in (m for ms in chosen.values() for m in ms):
        rows += ["", "[[mutant]]", f"name = {_quote(mutant.name)}",
                 f"change = {_quote(mutant.change)}",
                 f"profiles = [{', '.join(_quote(p) for p in profiles)}]"]  # fmt: skip
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return sum(map(len, chosen.values()))


def _number(name: str) -> tuple[str, int]:
    func, _, n = name.rpartition("_")
    return func, int(n) if n.isdigit() else -1


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_pinned(children: int) -> int:
    failures = []
    for profile, rows in pinned().items():
        names = [name for name, _ in rows]
        mutants = {m.name: m for m in collect(profile, names, children, False, [])}
        for name, change in rows:
            found = mutants.get(name)
            if found is None or found.change != change:
                got = "no such mutant" if found is None else f"it now changes {found.change!r}"
                failures.append(f"{profile} {name}: pinned as {change!r}, but {got} "
                                "(the function changed: re-pin it in pinned.toml)")  # fmt: skip
            elif found.survived:
                failures.append(f"{profile} {name}: {found.status} ({found.change})")
        print(f"{profile}: {len(rows)} pinned mutants checked", file=sys.stderr)
    for line in failures:
        print(f"pinned mutant not killed: {line}", file=sys.stderr)
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tools/mutation/run.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--profile", choices=(*PROFILES, "both"), default="both")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", nargs="*", default=[], metavar="GLOB",
                        help="mutant names (globs): 'pytest_yc_images._core.masks*'")  # fmt: skip
    parser.add_argument("--report", type=Path, default=ROOT / "build" / "mutation" / "report.md")
    parser.add_argument(
        "--keep", action="store_true", help="let mutmut reuse the last run's results"
    )
    parser.add_argument("--recheck", action="store_true",
                        help="no mutmut run: the last run's survivors, run again with the whole "
                        "suite as it is now (after new contracts)")  # fmt: skip
    parser.add_argument("--pinned", action="store_true", help="check the pinned mutants only")
    parser.add_argument("--pin", action="store_true",
                        help="write pinned.toml from the report of a full run of both "
                        "profiles (--report) and its folders; no run")  # fmt: skip
    args = parser.parse_args(argv)
    if args.max_children < 1:
        parser.error("--max-children must be at least 1")
    if args.pinned:
        return check_pinned(args.max_children)
    if args.pin:
        print(f"pinned {pin(killed_in(args.report))} mutants: {HERE / 'pinned.toml'}")
        return 0
    entries = load_classes()
    profiles = PROFILES if args.profile == "both" else (args.profile,)
    results, seconds = {}, {}
    for profile in profiles:
        started = time.monotonic()
        keep = "recheck" if args.recheck else args.keep
        results[profile] = collect(profile, args.only, args.max_children, keep, entries)
        seconds[profile] = time.monotonic() - started
        s = summarize(profile, results[profile])
        print(f"{profile}: {s.total} mutants, {s.killed} killed, {s.equivalent} equivalent, "
              f"{s.undocumented} undocumented, {s.gap} gap: score {s.score:.1f}%")  # fmt: skip
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report(results, seconds), "utf-8")
    print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
