"""Profile live: what the live service grew beyond the seed (richer filters, orderBy)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images.conformance import Api

pytestmark = [pytest.mark.profile("live"), pytest.mark.mutating]


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


@pytest.mark.rule("live.order-by")
def test_order_by_name(api: Api, three: list[dict[str, Any]]) -> None:
    reply = api.list(orderBy="name", pageSize=1000)
    assert reply.status_code == 200, reply.text
    names = [i.get("name", "") for i in reply.json().get("images", [])]
    assert names == sorted(names)
