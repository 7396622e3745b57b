"""List's orderBy length and the seed's filter value rule (the orders themselves:
test_live.py, test_the_documented_orders).
"""

from __future__ import annotations

import pytest

from pytest_yc_images.conformance import Api, expect_error, violations


@pytest.mark.profile("live")
@pytest.mark.rule("live.order-by-length", "errors.bad-request")
def test_order_by_over_100_characters_is_invalid_argument(api: Api) -> None:
    reply = api.list(orderBy="createdAt" + " " * 88 + "desc")  # 101 characters
    expect_error(reply, 3)
    named = violations(reply)
    assert any(f in ("orderBy", "order_by") for f in named), named


@pytest.mark.profile("seed")
@pytest.mark.rule("list.filter-seed-value", "errors.bad-request")
@pytest.mark.parametrize(
    "expression",
    [
        'name="ab"',  # 2 characters
        'name="' + "a" * 64 + '"',  # 64 characters
        'name="Abc"',
        'name="a_c"',
        'name="abc-"',
        "name='abc'",  # not in double quotes
        'name!="abc"',  # not the = operator
        'name IN ("abc")',
        'name="abc" AND name="abd"',
    ],
)
def test_the_seed_filter_takes_its_value_rule_only(api: Api, expression: str) -> None:
    expect_error(api.list(filter=expression), 3)


@pytest.mark.profile("seed")
@pytest.mark.rule("list.filter-seed-value")
@pytest.mark.parametrize("value", ["abc", "a-1", "a" * 63])
def test_the_seed_filter_takes_a_value_at_its_limits(api: Api, value: str) -> None:
    reply = api.list(filter=f'name="{value}"')
    assert reply.status_code == 200, reply.text
