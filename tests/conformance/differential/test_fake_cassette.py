"""The checked-in cassette, recorded from the fake, replays against the fake on every run.

It guards against regressions of the fake only (it was recorded from the fake, not from
the cloud). A change of the fake's behaviour fails this test: re-record the cassette in
the same commit, on purpose, with::

    python -m tests.conformance.differential.fake_cassette

and review its diff (IDs are seeded: only what changed shows).
"""

from __future__ import annotations

import pytest

from pytest_yc_images.conformance import Target
from pytest_yc_images.conformance.differential import replay
from pytest_yc_images.conformance.differential.cassette import read

from .. import mutants
from .fake_cassette import COMMAND, EXPECTED, PATH, header_problems

MAX_BYTES = 1_000_000


def test_the_module_docstrings_give_the_command_that_re_records() -> None:
    assert COMMAND in (__doc__ or "")


def test_the_checked_in_cassette_is_the_one_the_script_records() -> None:
    assert PATH.stat().st_size < MAX_BYTES
    cassette = read(PATH)
    problems = header_problems(cassette.header)
    assert not problems, f"{PATH.name} was recorded otherwise ({problems}); re-record: {COMMAND}"
    assert 0.8 * EXPECTED["programs"] <= len(cassette.programs) <= EXPECTED["programs"]  # once each


def test_the_fake_replays_the_checked_in_cassette() -> None:
    result = replay(PATH, Target(fake=True))
    report = "\n\n".join(
        f"{d.transcript.program.label}, step {d.index + 1}:\n{d.transcript.program.render()}\n"
        + "\n".join(d.differences)
        for d in result.divergences
    )
    assert result.divergences == [], (
        f"the fake no longer answers as {PATH.name} recorded:\n{report}\n"
        f"If the change is meant, re-record it in this commit: {COMMAND}"
    )
    assert result.error == ""
    assert result.skipped == 0
    assert result.programs == len(read(PATH).programs)
    assert result.steps > 300


def test_the_header_check_names_what_differs() -> None:
    header = {**read(PATH).header, "seed": -1}
    assert header_problems(header) == [f"seed: -1 in the file, {EXPECTED['seed']!r} here"]


# Bugs of tests/conformance/mutants.py the checked-in cassette catches, one of each kind
# (validation, errors, operations, wire, families, updates, paging, auth). A re-recording
# that no longer catches one should be a deliberate choice (another seed: fake_cassette.py).
CAUGHT = [
    "name-63-rejected",
    "not-found-as-http-400",
    "done-without-response",
    "int64-as-json-numbers",
    "latest-ignores-folder",
    "update-mask-ignored",
    "list-operations-of-every-image",
    "token-not-required",
    "paging-loss",
    "cancel-by-get-refused",
]


@pytest.mark.parametrize("name", CAUGHT)
def test_the_checked_in_cassette_catches_a_planted_bug(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mutants.apply(name, monkeypatch)
    result = replay(PATH, Target(fake=True))
    assert result.divergences, f"{PATH.name} replays without divergence against {name}"


@pytest.mark.parametrize("name", sorted(mutants.CORRECT))
def test_a_correct_variant_of_the_fake_replays_it_without_divergence(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mutants.apply(name, monkeypatch)
    result = replay(PATH, Target(fake=True))
    assert [str(d) for d in result.divergences] == []
