"""The README's "Use it in your tests" example runs, and passes, in CI."""

from __future__ import annotations

import re

import pytest

from tests import _downstream as readme

HEADING = "## Use it in your tests"


def _section() -> str:
    return readme.section(HEADING)


def _example() -> str:
    return readme.example(HEADING)


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    readme.run_example(pytester, HEADING, "test_publish")


def test_the_readme_example_uses_the_fixtures_a_marker_and_a_fault() -> None:
    example = _example()
    for used in ("yc_client", "yc_images", "yc_fake", "@pytest.mark.yc_images(", "faults="):
        assert used in example


def test_the_readme_table_names_every_fixture_and_option(pytester: pytest.Pytester) -> None:
    section = _section()
    pytester.makepyfile("def test_nothing():\n    pass\n")
    fixtures = pytester.runpytest("--fixtures").stdout.str()
    names = set(re.findall(r"^(yc_\w+) -- ", fixtures, re.MULTILINE))
    flags = set(re.findall(r"(--yc-[a-z-]+)", pytester.runpytest("--help").stdout.str()))
    assert len(names) >= 8
    assert len(flags) >= 5
    for name in sorted(names | flags):
        assert f"| `{name}` |" in section, f"the README table lacks {name}"
    assert "| `@pytest.mark.yc_images(...)` |" in section
