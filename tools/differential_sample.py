"""The sample report of docs/differential.md, from a real run of ``yc-images-conformance diff``.

    python tools/differential_sample.py            # run it, print what diff printed
    python tools/differential_sample.py --write    # run it, put the output in the page
    python tools/differential_sample.py --check    # run it, exit 1 if the page shows another

It serves the fake with one planted bug (:data:`MUTANT` of ``tests/conformance/mutants.py``)
on loopback, ``python -m tests.conformance.mutant_server labels-merged``, and runs
:data:`ARGS` against it: the in-process fake as side A, the server as side B, seed
:data:`SEED`. The output is the page's sample as is; only the server's port and the
timings change from run to run. ``--check`` compares what must not change
(:class:`Sample`: the minimal program, the diverging step, the differences), so the page
cannot go on showing a program the engine no longer finds. A run takes about a minute
(most of it hypothesis shrinking the program).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.conformance: the planted bugs and their server
PAGE = ROOT / "docs" / "differential.md"
MUTANT = "labels-merged"
SEED = 0
FOLDER = "b1gdifferential00001"
ARGS = ("diff", "--fake", "--against", "{url}", "--against-folder-id", FOLDER,
        "--programs", "300", "--seed", str(SEED))  # fmt: skip
TOKEN_ENV = "YC_AGAINST_IAM_TOKEN"  # the fake takes any bearer token
BEGIN = "<!-- sample: begin (tools/differential_sample.py --write) -->"
END = "<!-- sample: end -->"
_URL = re.compile(r"http://127\.0\.0\.1:[0-9]+")
_NUMBERED = re.compile(r"^ {2}([0-9]+)\. (.*)$")
_AT = re.compile(r"^DIVERGENCE at step ([0-9]+) of a program of ([0-9]+) step\(s\) \(shrunk\)$")


def command(url: str = "URL") -> list[str]:
    """The command line of the run (as ``yc-images-conformance`` takes it)."""
    return ["yc-images-conformance", *(a.format(url=url) for a in ARGS)]


@contextmanager
def mutant_server(name: str = MUTANT) -> Iterator[str]:
    """The fake with the bug ``name`` on loopback: its URL while the block runs."""
    from tests.conformance.mutant_server import running

    with tempfile.TemporaryDirectory() as tmp, running(name, log=Path(tmp, "log")) as url:
        if not _URL.fullmatch(url):
            raise RuntimeError(f"the mutant server said {url!r}, not its URL")
        yield url


def run() -> str:
    """Serve the mutant, run the diff against it, return what it printed (exit status 1)."""
    with mutant_server() as url:
        argv = [a.format(url=url) for a in ARGS]
        done = subprocess.run(
            [sys.executable, "-m", "pytest_yc_images.conformance.cli", *argv],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, TOKEN_ENV: "any-token"},
        )  # fmt: skip
    if done.returncode != 1:
        raise RuntimeError(f"diff exited {done.returncode}, not 1 (a divergence):\n"
                           f"{done.stdout[-2000:]}{done.stderr[-2000:]}")  # fmt: skip
    return done.stdout


@dataclass(frozen=True)
class Sample:
    """What a run's output must keep: the seed, the program, where and how it diverges."""

    seed: int
    program: tuple[str, ...]
    diverges_at: int
    differences: tuple[str, ...]
    reproduce: str

    @classmethod
    def of(cls, text: str) -> Sample:
        """Parse the text ``diff`` printed (ValueError if it is not a divergence)."""
        lines = text.splitlines()
        seed = re.search(r", seed ([0-9]+)$", lines[0] if lines else "")
        at = next((m for m in map(_AT.match, lines) if m), None)
        if seed is None or at is None:
            raise ValueError(f"not the output of a diff that found a divergence: {text[:200]!r}")
        program = _section(lines, "Program:")
        differences = [line.removeprefix("  - ") for line in _section(lines, "Differences")]
        reproduce = [line.removeprefix("reproduce: ") for line in lines
                     if line.startswith("reproduce: ")]  # fmt: skip
        numbers = [int(m[1]) for m in map(_NUMBERED.match, program) if m]
        if numbers != list(range(1, len(program) + 1)) or len(program) != int(at[2]):
            raise ValueError(f"the program is not {at[2]} numbered steps: {program}")
        return cls(int(seed[1]), tuple(program), int(at[1]), tuple(differences),
                   _URL.sub("URL", reproduce[0]) if reproduce else "")  # fmt: skip


def _section(lines: list[str], title: str) -> list[str]:
    """The indented lines after the line that starts with ``title``."""
    start = next(n for n, line in enumerate(lines) if line.startswith(title)) + 1
    out = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        out.append(line)
    return out


def on_page(page: str) -> str:
    """The sample the page shows: the text between its markers, without the fence."""
    if page.count(BEGIN) != 1 or page.count(END) != 1:
        raise ValueError(f"the page has no one sample between {BEGIN!r} and {END!r}")
    block = page.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")
    lines = block.splitlines()
    if len(lines) < 2 or lines[0] != "```text" or lines[-1] != "```":
        raise ValueError("the sample is one ```text block")
    return "\n".join(lines[1:-1]) + "\n"


def written(page: str, output: str) -> str:
    """``page`` with ``output`` as its sample."""
    head, rest = page.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{BEGIN}\n```text\n{output.rstrip()}\n```\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="put the sample in the page")
    mode.add_argument("--check", action="store_true", help="compare it with the page's")
    args = parser.parse_args(argv)
    output = run()
    if args.write:
        PAGE.write_text(written(PAGE.read_text("utf-8"), output), encoding="utf-8")
        print(f"{PAGE.relative_to(ROOT)}: sample written ({len(output.splitlines())} lines)")
    elif args.check:
        now, shown = Sample.of(output), Sample.of(on_page(PAGE.read_text("utf-8")))
        if now != shown:
            print(f"the page's sample is out of date (now: {now}; the page: {shown}); "
                  "run: python tools/differential_sample.py --write", file=sys.stderr)  # fmt: skip
            return 1
        print("the page's sample is what the run gives")
    else:
        print(output, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
