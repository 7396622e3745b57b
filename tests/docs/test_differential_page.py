"""docs/differential.md says what the code does: the normalisation table is the code's, every
command it shows is one the CLI takes, and its sample report is a real run's output (the
run of tools/differential_sample.py, compared in full by the slow test)."""

from __future__ import annotations

import importlib.util
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from pytest_yc_images.conformance.differential import table_markdown
from pytest_yc_images.conformance.differential.commands import _parser

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "differential.md"
COMMANDS = ("record", "replay", "diff")
_TABLE = re.compile(r"<!-- table: begin [^>]*-->\n(.*?)\n<!-- table: end -->", re.DOTALL)
_CONSOLE = re.compile(r"^```console\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def _script() -> ModuleType:
    """tools/differential_sample.py, imported from its path (tools/ is no package)."""
    path = ROOT / "tools" / "differential_sample.py"
    spec = importlib.util.spec_from_file_location("differential_sample", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


sample = _script()


def _page() -> str:
    return PAGE.read_text("utf-8")


def _command_lines(page: str) -> Iterator[list[str]]:
    """Each ``yc-images-conformance record|replay|diff`` of the page's console blocks, from
    the subcommand on (continuation lines joined, the ``# comment`` dropped)."""
    for block in _CONSOLE.findall(page):
        for line in block.replace("\\\n", " ").splitlines():
            if "yc-images-conformance " not in line:
                continue
            words = shlex.split(line.split("yc-images-conformance ", 1)[1], comments=True)
            if words and words[0] in COMMANDS:
                yield words


# --- the normalisation table ------------------------------------------------------------------
def test_the_page_shows_exactly_the_table_of_the_code() -> None:
    found = _TABLE.findall(_page())

    assert len(found) == 1, "the page has one table between its table: begin/end markers"
    assert found[0] == table_markdown(), (
        "docs/differential.md's table is not normalise.TABLE: put table_markdown()'s output "
        f"between the markers:\n{table_markdown()}"
    )


def test_the_table_is_rendered_with_every_row() -> None:
    rows = [line for line in table_markdown().splitlines() if line.startswith("| ")]
    assert len(rows) > 10  # the header and a row per Treatment
    assert sum(_page().count(row) for row in rows) == len(rows)


# --- the commands -----------------------------------------------------------------------------
def test_every_command_on_the_page_is_one_the_cli_takes() -> None:
    shown = list(_command_lines(_page()))

    assert {words[0] for words in shown} == set(COMMANDS)
    for words in shown:
        try:
            _parser(words[0]).parse_args(words[1:])
        except SystemExit:
            pytest.fail(f"the CLI does not take: yc-images-conformance {shlex.join(words)}")


def test_the_page_names_every_option_of_the_three_commands() -> None:
    page = _page()
    missing = {
        command: [
            flag
            for action in _parser(command)._actions
            for flag in action.option_strings
            if flag.startswith("--") and flag != "--help" and flag not in page
        ]
        for command in COMMANDS
    }
    assert missing == {command: [] for command in COMMANDS}


def test_the_examples_run_each_command_on_the_fake_a_server_and_the_cloud() -> None:
    shown = [shlex.join(words) for words in _command_lines(_page())]

    for command in COMMANDS:
        assert any(w.startswith(f"{command} ") and "--fake" in w for w in shown), command
    assert any("127.0.0.1" in w and w.startswith("record ") for w in shown)
    cloud = [w for w in shown if "api.cloud.yandex.net" in w]
    assert {w.split()[0] for w in cloud} == {"record", "diff"}
    assert all("allow-mutations" in w for w in cloud)
    assert "$YC_IAM_TOKEN" in _page()


# --- the sample report ------------------------------------------------------------------------
def test_the_page_says_how_to_reproduce_its_sample() -> None:
    page = _page()
    shown = sample.Sample.of(sample.on_page(page))

    assert shown.seed == sample.SEED
    assert shown.reproduce == shlex.join(sample.command())
    assert shlex.join(sample.command()) in page  # the command given in the prose
    assert f"python -m tests.conformance.mutant_server {sample.MUTANT}" in page
    assert "python tools/differential_sample.py --write" in page


def test_the_sample_shows_the_planted_bug_at_its_last_step() -> None:
    shown = sample.Sample.of(sample.on_page(_page()))

    assert shown.diverges_at == len(shown.program)
    assert 1 <= len(shown.program) <= 10
    assert shown.differences
    assert all(".labels.a: '(absent)' | ''" in line for line in shown.differences)


def test_the_sample_is_in_the_report_s_format() -> None:
    text = sample.on_page(_page())
    lines = text.splitlines()
    shown = sample.Sample.of(text)

    assert re.fullmatch(r"diff: [0-9]+ program\(s\) run, [0-9]+ call\(s\), [0-9.]+ s, seed "
                        f"{sample.SEED}", lines[0])  # fmt: skip
    assert lines[1] == "  A: the in-process fake (live, on-poll)"
    assert re.fullmatch(rf"  B: http://127\.0\.0\.1:[0-9]+, folder {sample.FOLDER}", lines[2])
    marked = [line for line in lines if line.endswith("<- diverges")]
    assert len(marked) == 1
    assert marked[0].startswith(f"  > {shown.diverges_at}. ")
    assert f"Differences at step {shown.diverges_at}:" in lines


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("diff: 3 program(s) run, 9 call(s), 0.1 s, seed 1\nno divergence\n", "not the output"),
        ("diff: 1 program(s) run, 2 call(s), 0.1 s, seed 1\n"
         "DIVERGENCE at step 2 of a program of 2 step(s) (shrunk)\n\nProgram:\n"
         "  1. Get imageId=<image#1>\n  3. Get imageId=<image#1>\n\nDifferences at step 2:\n"
         "  - x\n", "not 2 numbered steps"),
    ],
    ids=["no divergence", "steps misnumbered"],
)  # fmt: skip
def test_a_sample_that_is_not_a_divergence_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        sample.Sample.of(text)


@pytest.mark.slow
def test_the_sample_is_what_the_script_produces_now() -> None:
    """Runs the diff (about a minute): the same minimal program, step and differences."""
    now = sample.Sample.of(sample.run())

    assert now == sample.Sample.of(sample.on_page(_page())), (
        "the page's sample is out of date: python tools/differential_sample.py --write"
    )
