"""The suite catches deliberately broken variants of the fake, and passes correct ones.

Each mutant (mutants.py) is one bug, patched into the fake's modules for the length of one
in-process run of the suite as shipped; the run is narrowed with -k to the contracts that
concern the bug and stops at the first failure (-x), so all of them take seconds.
"""

from __future__ import annotations

import pytest

from pytest_yc_images.conformance.cli import suite_path

from . import mutants


class _Outcomes:
    def __init__(self) -> None:
        self.failed: list[str] = []
        self.passed = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.append(report.nodeid)
        elif report.passed and report.when == "call":
            self.passed += 1


def _run(monkeypatch: pytest.MonkeyPatch, name: str, *args: str) -> tuple[int, _Outcomes]:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    mutants.apply(name, monkeypatch)
    suite = suite_path()
    outcomes = _Outcomes()
    status = pytest.main(
        [
            str(suite),
            "-c",
            str(suite / "pytest.ini"),
            "--rootdir",
            str(suite),
            "--yc-fake",
            "-q",
            *args,
        ],
        plugins=[outcomes],
    )
    return int(status), outcomes


@pytest.mark.parametrize("name", sorted(mutants.MUTANTS))
def test_the_suite_catches_the_mutant(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    status, outcomes = _run(monkeypatch, name, "-x", "-k", mutants.MUTANTS[name][0])
    assert status == 1, f"mutant {name} was not caught"
    assert outcomes.failed


@pytest.mark.parametrize("name", sorted(mutants.CORRECT))
def test_the_suite_passes_a_correct_variant(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    status, outcomes = _run(monkeypatch, name)
    assert status == 0, outcomes.failed
    assert outcomes.passed > 100


def test_there_are_at_least_twenty_mutants() -> None:
    assert len(mutants.MUTANTS) >= 20
