"""docs/factories.md shows every public name of ``pytest_yc_images.strategies`` in use.

A name counts when a runnable example on the page imports it from the strategies module
and then uses it: a new strategy without an example fails here. (That each example
passes is tests/docs/test_docs_examples.py's job.)
"""

from __future__ import annotations

import ast
from pathlib import Path

from pytest_yc_images import strategies
from tests.docs.test_docs_examples import examples

PAGE = Path(__file__).resolve().parents[2] / "docs" / "factories.md"
MODULE = "pytest_yc_images.strategies"


def shown(page: str) -> set[str]:
    """Names that some runnable python example of ``page`` imports from MODULE and uses."""
    found: set[str] = set()
    for example in examples(page, "factories.md"):
        if example.skip is not None or example.problem is not None:
            continue
        tree = ast.parse(example.code)
        imported = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == MODULE
            for alias in node.names
        }
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        found |= imported & used
    return found


def test_every_public_strategy_has_an_example_on_the_page() -> None:
    missing = sorted(set(strategies.__all__) - shown(PAGE.read_text("utf-8")))
    assert not missing, f"docs/factories.md has no runnable example using {missing}"


def test_a_name_only_imported_or_only_in_a_skipped_block_does_not_count() -> None:
    page = f"""
```python
from {MODULE} import images, labels

print(images())
```

``` {{ .python .no-run title="Not run: an example" }}
from {MODULE} import families

families()
```
"""
    assert shown(page) == {"images"}
