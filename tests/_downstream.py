"""Running code as a downstream project would: a strict ini, and the README's and the docs'
examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"

# The strictest downstream configuration: what passes here passes anywhere.
STRICT_INI = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings =
    error
"""


def section(heading: str, page: Path = README) -> str:
    """The text of ``page`` (the README unless told) under ``heading``, up to the next
    heading of the same level or higher (a ``#`` inside a fenced block is not one)."""
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    assert heading + "\n" in lines, f"{page.name} has no {heading!r} section"
    level = len(heading) - len(heading.lstrip("#"))
    body: list[str] = []
    fenced = False
    for line in lines[lines.index(heading + "\n") + 1 :]:
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(rf"#{{1,{level}}} ", line):
            break
        body.append(line)
    return "".join(body)


def python_blocks(text: str) -> list[str]:
    """The fenced ```python blocks of a Markdown text, in order."""
    return re.findall(r"^```python\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)


def example(heading: str, page: Path = README) -> str:
    """The first python code block under ``heading``."""
    blocks = python_blocks(section(heading, page))
    assert blocks, f"no ```python block after {heading!r} in {page.name}"
    return blocks[0]


def run_example(pytester: pytest.Pytester, heading: str, module: str) -> list[str]:
    """Run the README's example as a strict downstream project's test file; all its tests
    pass."""
    code = example(heading)
    tests = re.findall(r"^def (test_\w+)", code, re.MULTILINE)
    assert len(tests) >= 4
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(**{module: code})
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=len(tests))
    result.stdout.fnmatch_lines_random([f"*::{name} PASSED*" for name in tests])
    return tests
