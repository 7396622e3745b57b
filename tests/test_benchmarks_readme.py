"""benchmarks/README.md: the tables of the latest runs are written by run_all.py --write,
and have the shape a run writes (their numbers are the machine's, never checked)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
# run_all.py's parts, in the order it runs them (benchmarks/README.md's table).
PARTS = ["in-process", "scale", "pytest", "servers", "grpc", "conformance", "memory", "hostile"]


def _load_report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_report", BENCHMARKS / "_report.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


report = _load_report()
MACHINE = [
    "# run_all --quick",
    "",
    "- date: 2026-12-05 14:32 UTC",
    "- machine: Linux, x86_64, 2 CPUs",
    "- python: CPython 3.11.7",
    "- httpx 0.28.1",
    "",
]
TARGETS = "\n".join(
    [
        "| what | measured | target | result |",
        "|---|---:|---|---|",
        "| in-process GET image vs bare MockTransport | 1.1x | ≤ 1.5x | met |",
        "| loopback GET image vs moto | 40x | ≥ 50x | **missed** |",
    ]
)


def _block(quick: bool = True, parts: list[str] = PARTS) -> str:
    rendered = [
        (name, f"## The {name} part\n\n| a | b |\n|---|---:|\n| x | 1 |\n") for name in parts
    ]
    return str(
        report.block(
            quick=quick,
            machine=MACHINE,
            command="python benchmarks/run_all.py --quick --write",
            targets=TARGETS,
            footer=["Parts: in-process 3 s.", "Total: 3 s."],
            parts=rendered,
        )
    )


def _file(*blocks: str) -> str:
    return (
        "# Benchmarks\n\n## Latest runs\n\nWords.\n\n## Later\n"
        if not blocks
        else ("# Benchmarks\n\n## Latest runs\n\n" + "\n\n".join(blocks) + "\n\n## Later\n")
    )


def test_the_readme_sections_have_the_shape_a_run_writes() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run_all.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_has_the_quick_run_dated() -> None:
    text = (BENCHMARKS / "README.md").read_text(encoding="utf-8")
    found, wrong = report.sections(text)
    assert wrong == []
    quick = [body for is_quick, body in found if is_quick]
    assert len(quick) == 1
    assert quick[0].lstrip().startswith("### `run_all.py --quick`, 20")


def test_a_written_block_passes_and_replaces_the_last_of_its_profile() -> None:
    text = report.replaced(_file(), True, _block())
    assert report.problems(text, PARTS) == []
    assert (
        text.index("## Latest runs")
        < text.index("<!-- run_all --quick: begin")
        < text.index("## Later")
    )
    again = report.replaced(text, True, _block().replace("14:32", "15:00"))
    assert again.count("<!-- run_all --quick: begin") == 1
    assert "2026-12-05 15:00 UTC" in again
    assert "14:32" not in again
    both = report.replaced(again, False, _block(quick=False).replace("--quick", ""))
    assert report.problems(both, PARTS) == []
    assert both.index("<!-- run_all: begin") < both.index("<!-- run_all --quick: begin")


def test_a_file_without_a_run_is_refused() -> None:
    assert report.problems(_file(), PARTS) == ["no section written by run_all.py --write"]
    with pytest.raises(ValueError, match="Latest runs"):
        report.replaced("# Benchmarks\n", True, _block())


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda b: b.replace("2026-12-05 14:32 UTC", "yesterday", 1), "a UTC date"),
        (
            lambda b: b.replace("- command: `python benchmarks/run_all.py", "- command: `make"),
            "command",
        ),
        (lambda b: b.replace("| met |", "| fine |"), "a result"),
        (lambda b: b.replace("| what | measured | target | result |", "| what |"), "targets table"),
        (lambda b: b.replace("Parts: ", "Steps: "), "'Parts: '"),
        (lambda b: b.replace("#### grpc:", "#### gRPC:"), "the parts' headings"),
        (lambda b: b.replace("<!-- run_all --quick: end -->", ""), "without its end marker"),
        (lambda b: b.replace("#### Targets", "#### Goals"), "'#### Targets'"),
    ],
)
def test_a_section_out_of_shape_is_named(change: object, said: str) -> None:
    assert callable(change)
    text = _file(change(_block()))
    wrong = report.problems(text, PARTS)
    assert wrong, text
    assert any(said in problem for problem in wrong), wrong


def test_a_part_missing_from_the_run_is_named() -> None:
    wrong = report.problems(_file(_block(parts=PARTS[:-1])), PARTS)
    assert any("the parts' headings" in problem for problem in wrong)


def test_a_fenced_traceback_keeps_its_lines() -> None:
    lines = report._demoted("## Title\n\n```\n# not a heading\n```\n### Sub")
    assert lines == ["#### Title", "", "```", "# not a heading", "```", "##### Sub"]
