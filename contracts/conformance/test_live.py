"""Profile live: what the live service grew beyond the seed (richer filters, orderBy).

live/image_service.proto, ListImagesRequest.filter and .order_by."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from pytest_yc_images.conformance import Api

pytestmark = [pytest.mark.profile("live"), pytest.mark.mutating]

_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z")


@pytest.fixture
def three(api: Api, source_image_id: str) -> list[dict[str, Any]]:
    return [api.create_ready(source_image_id) for _ in range(3)]


def _names(api: Api, expression: str) -> set[str]:
    pages = api.list_all(filter=expression, pageSize=1000)
    return {str(image["name"]) for page in pages for image in page}


@pytest.mark.rule("live.filter-not-equal")
def test_not_equal(api: Api, three: list[dict[str, Any]]) -> None:
    a, b, c = (i["name"] for i in three)
    found = _names(api, f'name != "{a}"')
    assert a not in found
    assert {b, c} <= found


@pytest.mark.rule("live.filter-in", "live.filter-single-quotes")
def test_in_with_single_quotes(api: Api, three: list[dict[str, Any]]) -> None:
    a, b, _ = (i["name"] for i in three)
    assert _names(api, f"name IN ('{a}', '{b}')") == {a, b}


@pytest.mark.rule("live.filter-not-in", "live.filter-and")
def test_not_in_and(api: Api, three: list[dict[str, Any]]) -> None:
    a, b, c = (i["name"] for i in three)
    found = _names(api, f'name NOT IN ("{a}") AND name != "{b}"')
    assert c in found
    assert not {a, b} & found


@pytest.mark.rule("live.filter-escapes")
@pytest.mark.parametrize(
    "expression",
    [
        r'name = "ycc\"quote"',
        r"name = 'ycc\'quote'",
        r'name = "ycc\\backslash"',
        r"name IN ('ycc\'a', " + r'"ycc\"b", "ycc\\c")',
    ],
)
def test_escapes_are_accepted(api: Api, expression: str) -> None:
    # No image name holds a quote or a backslash, so nothing can match.
    reply = api.list(filter=expression)
    assert reply.status_code == 200, reply.text
    assert reply.json().get("images", []) == []


def _instant(text: str) -> tuple[datetime, int]:
    """An RFC 3339 UTC time as (seconds, nanoseconds): exact at every precision."""
    match = _TIME.fullmatch(text)
    assert match, f"not an RFC 3339 UTC time: {text!r}"
    return datetime.fromisoformat(match.group(1)), int((match.group(2) or "").ljust(9, "0"))


def _listed(api: Api, page_size: int = 1000, **params: Any) -> list[dict[str, Any]]:
    return [image for page in api.list_all(pageSize=page_size, **params) for image in page]


def _times(images: list[dict[str, Any]]) -> list[tuple[datetime, int]]:
    return [_instant(str(image["createdAt"])) for image in images]


@pytest.mark.rule(
    "live.order-by", "live.order-by-default", "live.order-by-ascending", "list.paging"
)
def test_the_documented_orders(api: Api, three: list[dict[str, Any]]) -> None:
    # live/image_service.proto, ListImagesRequest.order_by: "By which column the listing
    # should be ordered and in which direction, format is "createdAt desc". "id asc" if
    # omitted. The default sorting order is ascending". Only the columns it names
    # (createdAt, id) and the directions asc and desc: other columns and how ties are
    # broken are an implementation's choice. The three were created one after another.
    mine = [str(image["id"]) for image in three]

    def order_of_mine(images: list[dict[str, Any]]) -> list[str]:
        return [str(image["id"]) for image in images if image["id"] in mine]

    for page_size in (1000, 2):  # one page, and the order carried across pages
        newest_first = _listed(api, page_size, orderBy="createdAt desc")
        assert _times(newest_first) == sorted(_times(newest_first), reverse=True)
        assert order_of_mine(newest_first) == mine[::-1], "createdAt desc: not newest first"

    oldest_first = _listed(api, orderBy="createdAt")  # no direction: ascending
    assert _times(oldest_first) == sorted(_times(oldest_first))
    assert order_of_mine(oldest_first) == mine, "createdAt: not oldest first"

    # Each listing is checked on its own: other clients may change the folder meanwhile.
    omitted = [str(image["id"]) for image in _listed(api, 10)]
    assert omitted == sorted(omitted), '"id asc" if omitted'
    assert [i for i in omitted if i in mine] == sorted(mine)
    by_id = [str(image["id"]) for image in _listed(api, orderBy="id")]
    assert by_id == sorted(by_id), "id with no direction: not ascending"
    by_id_desc = [str(image["id"]) for image in _listed(api, orderBy="id desc")]
    assert by_id_desc == sorted(by_id_desc, reverse=True)
    assert [i for i in by_id_desc if i in mine] == sorted(mine, reverse=True)
