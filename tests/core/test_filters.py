"""ImageService.List filters: the seed's name="x" and what the live service accepts since."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

NAMES = ("alpha", "beta", "gamma", "delta")


@pytest.fixture
def named(api: Api, fake: FakeImageService) -> Api:
    for name in NAMES:
        fake.put_image(folderId=api.folder, name=name)
    fake.put_image(folderId="b1gotherfolder", name="alpha")
    return api


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('name="alpha"', {"alpha"}),
        ('name = "alpha"', {"alpha"}),
        ("name='beta'", {"beta"}),
        ('name="nope"', set()),
        ('name!="alpha"', {"beta", "gamma", "delta"}),
        ('name IN ("alpha", "gamma")', {"alpha", "gamma"}),
        ("name IN ('alpha','gamma','zzz')", {"alpha", "gamma"}),
        ('name in ("beta")', {"beta"}),
        ('name NOT IN ("alpha", "gamma")', {"beta", "delta"}),
        ('name != "alpha" AND name != "beta"', {"gamma", "delta"}),
        ('name IN ("alpha", "beta") AND name != "alpha"', {"beta"}),
        ('name="alpha" AND name="beta"', set()),
        ("", set(NAMES)),
        ("   ", set(NAMES)),
    ],
)
def test_filters_select_by_name(named: Api, expression: str, expected: set[str]) -> None:
    images = named.list_all(filter=expression)
    assert {i["name"] for i in images} == expected
    assert {i["folderId"] for i in images} <= {named.folder}


@pytest.mark.parametrize(
    "expression",
    [
        "name=alpha",  # unquoted value
        'name="alpha',  # unterminated string
        'family="alpha"',  # only name can be filtered
        'name>"alpha"',
        'name="alpha" OR name="beta"',
        'name="alpha" AND',
        'name IN "alpha"',
        "name IN ()",
        'name IN ("alpha"',
        'name="Alpha"',  # not a valid name value
        'name="ab"',  # too short for the seed's pattern
        '"alpha"=name',
        'name="alpha" name="beta"',
        'name="alpha" AND ; DROP',
        "x" * 1001,  # over the schema's length limit
    ],
)
def test_anything_else_is_invalid_naming_filter(named: Api, expression: str) -> None:
    reply = named.list(filter=expression)
    assert reply.status_code == 400, expression
    assert named.violations(reply) == ["filter"]


def test_filter_and_paging_work_together(named: Api) -> None:
    first = named.list(filter='name != "delta"', pageSize=2).json()
    assert len(first["images"]) == 2
    rest = named.list(filter='name != "delta"', pageSize=2, pageToken=first["nextPageToken"]).json()
    names = {i["name"] for i in first["images"] + rest["images"]}
    assert names == {"alpha", "beta", "gamma"}
    assert "nextPageToken" not in rest
