"""The README's "Use it in your tests" example runs, and passes, in CI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Use it in your tests"

STRICT_INI = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings =
    error
"""


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    assert HEADING + "\n" in text, f"README.md has no {HEADING!r} section"
    body = text.split(HEADING + "\n", 1)[1]
    return re.split(r"^## ", body, maxsplit=1, flags=re.MULTILINE)[0]


def _example() -> str:
    match = re.search(r"^```python\n(.*?)^```$", _section(), re.DOTALL | re.MULTILINE)
    assert match is not None, f"no ```python block after {HEADING!r}"
    return match.group(1)


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    example = _example()
    tests = re.findall(r"^def (test_\w+)", example, re.MULTILINE)
    assert len(tests) >= 4
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_publish=example)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=len(tests))
    result.stdout.fnmatch_lines_random([f"*::{name} PASSED*" for name in tests])


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
