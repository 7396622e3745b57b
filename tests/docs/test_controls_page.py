"""docs/controls.md's table names every route of contracts/controls.yaml, and only those,
and every Python twin it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_yc_images import FakeImageService, Journal, controls_document

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "controls.md").read_text("utf-8")
HEADING = "## Every control and its Python twin"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_ROUTE = re.compile(r"^`(GET|POST|PUT|PATCH|DELETE) (/_fake/\S+)`$")


def rows(page: str) -> list[list[str]]:
    """The cells of each row of the table after HEADING, past its header and rule."""
    lines = page.split(HEADING + "\n", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table: list[list[str]] = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return table


def routes_on_the_page(page: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for cells in rows(page):
        match = _ROUTE.match(cells[0])
        assert match is not None, f"not a route cell: {cells[0]!r}"
        found.add((match.group(1), match.group(2)))
    return found


def test_the_table_lists_every_route_of_controls_yaml_and_no_other() -> None:
    paths = controls_document()["paths"]
    documented = {
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method in HTTP_METHODS
    }
    assert len(documented) >= 18  # the document was read, not an empty mapping
    assert routes_on_the_page(PAGE) == documented


def test_every_path_is_named_on_the_page() -> None:
    for path in controls_document()["paths"]:
        assert f" {path}`" in PAGE, path


def test_every_python_twin_in_the_table_exists() -> None:
    named: list[str] = []
    for cells in rows(PAGE):
        spans = re.findall(r"`([^`]+)`", cells[1])  # `put_image(**fields)`, `completion = mode`
        named += [re.split(r"[(\s]", span, maxsplit=1)[0] for span in spans]
    assert len(named) >= 18
    for name in named:
        owner, attribute = (
            (Journal, name.removeprefix("journal.")) if name.startswith("journal.") else
            (FakeImageService, name)
        )  # fmt: skip
        assert hasattr(owner, attribute), f"{owner.__name__} has no {attribute!r}"


def test_a_route_missing_from_the_table_is_seen() -> None:
    page = f"{HEADING}\n\n| HTTP | Python | what |\n|---|---|---|\n| `GET /_fake/x` | `a()` | x |\n"
    assert routes_on_the_page(page) == {("GET", "/_fake/x")}
