"""Every fenced python example on every page of the documentation site runs, and passes.

A block that defines ``test_`` functions runs as a test file of a strict downstream project
(the plugin loaded through its entry point), and every one of its tests must pass: a test
that skips fails here. Any other python block runs as a script (``python -W error``) and
must exit 0. A block that cannot run says so visibly, in its fence:
``{ .python .no-run title="Not run: why" }`` (Material shows the title above the code);
it is reported as skipped with that title. A python fence this module does not understand
fails, so that a misspelt mark never skips an example in silence.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests._downstream import STRICT_INI

# In-process pytester runs drop the modules they imported when they end; cryptography
# (under trustme) cannot be imported twice in one process. Import the gRPC face out here,
# so that a page's yc_grpc example runs as the README's does.
with contextlib.suppress(ImportError):
    import pytest_yc_images.faces.grpc  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
NO_RUN = "no-run"
PYTHON = frozenset({"python", "py"})
_OPENING = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_CLASS = re.compile(r"(?:^|\s)\.([\w-]+)")
_TITLE = re.compile(r'\btitle="([^"]*)"')
_TEST = re.compile(r"^(?:async )?def (test_\w+)", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    """One fenced python block: where it is, its code, and whether and how it runs."""

    page: str  # relative to docs/
    line: int  # of the opening fence, from 1
    code: str
    skip: str | None = None  # the title of a block marked no-run: why it does not run
    problem: str | None = None  # a fence this module cannot classify

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def tests(self) -> list[str]:
        return _TEST.findall(self.code)


def _classify(info: str) -> tuple[bool, str | None, str | None]:
    """(is python, why it is not run, what is wrong with it) for a fence's info string."""
    words = info.split()
    if not words:
        return False, None, None
    if not info.startswith("{"):
        if words[0] not in PYTHON:
            return False, None, None
        if len(words) > 1:  # superfences renders this fence as text: say how to mark it
            return (
                True,
                None,
                (
                    f'unknown info string {info!r}: write {{ .python .{NO_RUN} title="..." }} '
                    "for a block that does not run"
                ),
            )
        return True, None, None
    classes = _CLASS.findall(info.strip("{} "))
    if not classes or classes[0] not in PYTHON:
        return False, None, None
    unknown = [c for c in classes[1:] if c != NO_RUN]
    if unknown:
        return True, None, f"unknown class {unknown} (the mark is .{NO_RUN})"
    if NO_RUN not in classes:
        return True, None, None
    title = _TITLE.search(info)
    if title is None or not title.group(1).strip():
        return True, None, f'a .{NO_RUN} block needs title="..." saying why it does not run'
    return True, title.group(1).strip(), None


def examples(text: str, page: str) -> list[Example]:
    """The fenced python blocks of one page, in order (blocks nested in a longer fence,
    as in an example of Markdown, are not blocks of the page)."""
    found: list[Example] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        index += 1
        if opening is None:
            continue
        fence, info, start = opening.group("fence"), opening.group("info").strip(), index
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        while index < len(lines) and not closing.match(lines[index]):
            index += 1
        body = "\n".join(lines[start:index]) + "\n"
        index += 1  # past the closing fence (or the end of the page: an unclosed block)
        python, skip, problem = _classify(info)
        if python:
            found.append(Example(page, start, body, skip, problem))
    return found


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def all_examples() -> list[Example]:
    return [
        example
        for page in pages()
        for example in examples(page.read_text("utf-8"), page.relative_to(DOCS).as_posix())
    ]


def run_example(example: Example, pytester: pytest.Pytester) -> None:
    """Run one example as the module docstring says; fails with its output if it does not pass."""
    if example.tests:
        pytester.makeini(STRICT_INI)
        pytester.makepyfile(**{"test_docs_example": example.code})
        result = pytester.runpytest("-v")
        # A parametrized test (schemathesis' schema.parametrize()) passes once per case.
        outcomes = result.parseoutcomes()
        assert outcomes.get("passed", 0) >= len(example.tests), outcomes
        assert set(outcomes) <= {"passed", "warnings"}, outcomes
        result.stdout.fnmatch_lines_random([f"*::{name} PASSED*" for name in example.tests])
        return
    script = pytester.path / "docs_example.py"
    script.write_text(example.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (
        f"{example.id} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    )


# --- the examples of the site -----------------------------------------------------------
@pytest.mark.parametrize("example", all_examples(), ids=lambda e: e.id)
def test_the_example_runs(example: Example, pytester: pytest.Pytester) -> None:
    assert example.problem is None, f"{example.id}: {example.problem}"
    if example.skip is not None:
        pytest.skip(f"{example.id} is marked {NO_RUN}: {example.skip}")
    run_example(example, pytester)


def test_every_page_is_in_the_nav() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))

    def listed(entries: list[object]) -> set[str]:
        out: set[str] = set()
        for entry in entries:
            values = entry.values() if isinstance(entry, dict) else [entry]
            for value in values:
                out |= listed(value) if isinstance(value, list) else {str(value)}
        return out

    assert listed(config["nav"]) == {p.relative_to(DOCS).as_posix() for p in pages()}


def test_the_architecture_page_runs_a_test_and_a_script() -> None:
    runnable = [e for e in all_examples() if e.page == "architecture.md" and e.skip is None]
    assert any(e.tests for e in runnable)
    assert any(not e.tests for e in runnable)


# --- the collector and the runner themselves ---------------------------------------------
PAGE = """# A page

```python
print("runs")
```

``` { .python .no-run title="Not run: needs the live cloud" }
raise SystemExit(1)
```

```sh
not python
```

````markdown
```python
nested in a Markdown example: not a block of the page
```
````

```python no-run
print("a mark superfences cannot read")
```

``` { .python .norun title="x" }
```

``` { .python .no-run }
```
"""


def test_the_collector_classifies_every_python_fence() -> None:
    found = {e.line: e for e in examples(PAGE, "page.md")}

    assert sorted(found) == [3, 7, 21, 25, 28]
    assert found[3] == Example("page.md", 3, 'print("runs")\n')
    assert found[7].skip == "Not run: needs the live cloud"
    assert found[7].problem is None
    assert "unknown info string" in (found[21].problem or "")
    assert "unknown class ['norun']" in (found[25].problem or "")
    assert "needs title=" in (found[28].problem or "")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("raise SystemExit(3)\n", "exited 3"),
        ("import warnings\nwarnings.warn('old', DeprecationWarning)\n", "DeprecationWarning"),
        ("import pytest\n\ndef test_a():\n    pytest.skip('no')\n", "passed"),
        ("def test_a():\n    pass\n\ndef test_b():\n    assert False\n", "passed"),
    ],
    ids=["script exits non-zero", "script warns", "a test skips", "a test fails"],
)
def test_an_example_that_does_not_pass_fails(
    code: str, expected: str, pytester: pytest.Pytester
) -> None:
    with pytest.raises(AssertionError, match=expected):
        run_example(Example("page.md", 1, code), pytester)
