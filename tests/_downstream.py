"""Running code as a downstream project would: a strict ini, and the README's examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"

# The strictest downstream configuration: what passes here passes anywhere.
STRICT_INI = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings =
    error
"""


def section(heading: str) -> str:
    """The README's text under ``heading``, up to the next second-level heading."""
    text = README.read_text(encoding="utf-8")
    assert heading + "\n" in text, f"README.md has no {heading!r} section"
    body = text.split(heading + "\n", 1)[1]
    return re.split(r"^## ", body, maxsplit=1, flags=re.MULTILINE)[0]


def example(heading: str) -> str:
    """The first python code block under ``heading``."""
    match = re.search(r"^```python\n(.*?)^```$", section(heading), re.DOTALL | re.MULTILINE)
    assert match is not None, f"no ```python block after {heading!r}"
    return match.group(1)


def run_example(pytester: pytest.Pytester, heading: str, module: str) -> list[str]:
    """Run the example as a strict downstream project's test file; all its tests pass."""
    code = example(heading)
    tests = re.findall(r"^def (test_\w+)", code, re.MULTILINE)
    assert len(tests) >= 4
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(**{module: code})
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=len(tests))
    result.stdout.fnmatch_lines_random([f"*::{name} PASSED*" for name in tests])
    return tests
