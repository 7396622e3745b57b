"""``diff`` finds each single-bug fake of ``tests/conformance/mutants.py``, shrunk.

Side A is the in-process fake; side B is ``yc-images-fake serve`` on loopback with one bug
patched into its process (``tests/conformance/mutant_server.py``): a real HTTP server, as
a team's own implementation would be. Each divergence must be shrunk to a program of at
most :data:`MAX_STEPS` steps. The default run checks :data:`QUICK` (bugs of each kind
that take a second or two); ``-m slow`` checks every bug, with the programs it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance import Target
from pytest_yc_images.conformance.differential import diff

from .. import mutants
from ..mutant_server import running

ROOT = Path(__file__).resolve().parents[3]
MAX_STEPS = 5  # the bound on a shrunk program
PROGRAMS = 3000  # enough for the rarest bug (a run stops at the first divergence)
SEED = 0
# Bugs diff cannot find, with why (none today: every bug of mutants.py is found).
MISSED: dict[str, str] = {}
# One bug of each kind, each found in a second or two: errors, wire, operations,
# validation at a boundary, families.
QUICK = [
    "error-body-without-code",
    "int64-as-json-numbers",
    "done-without-response",
    "metadata-without-type",
    "name-63-rejected",
    "create-ignores-family",
]


@pytest.fixture
def mutant_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with running(request.param, log=tmp_path / "server.log") as url:
        yield url


def _check(name: str, url: str) -> None:
    served = Target(endpoint=url, folder_id="b1gdifferential00001", token="mutant-token")
    result = diff(FakeImageService(), served, programs=PROGRAMS, seed=SEED)
    assert result.error == ""
    found = result.divergence
    assert found is not None, f"diff found no divergence from {name} in {result.programs} runs"
    steps = found.transcript.program.steps
    assert len(steps) <= MAX_STEPS, f"{name}: shrunk to {len(steps)} steps:\n" + (
        found.transcript.program.render()
    )
    assert found.index == len(steps) - 1  # the program ends where it diverges
    assert found.differences


@pytest.mark.parametrize("mutant_url", QUICK, indirect=True)
def test_diff_finds_a_planted_bug_and_shrinks_it(
    mutant_url: str, request: pytest.FixtureRequest
) -> None:
    _check(request.node.callspec.params["mutant_url"], mutant_url)


@pytest.mark.slow
@pytest.mark.parametrize(
    "mutant_url", sorted(set(mutants.MUTANTS) - set(QUICK) - set(MISSED)), indirect=True
)
def test_diff_finds_every_planted_bug_and_shrinks_it(
    mutant_url: str, request: pytest.FixtureRequest
) -> None:
    _check(request.node.callspec.params["mutant_url"], mutant_url)


def test_the_lists_name_real_bugs() -> None:
    assert set(QUICK) <= set(mutants.MUTANTS)
    assert set(MISSED) <= set(mutants.MUTANTS)
    assert not set(QUICK) & set(MISSED)
