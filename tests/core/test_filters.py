"""ImageService.List filters in each profile's grammar, through the in-process REST face.

live (live/image_service.proto, ListImagesRequest.filter): conditions joined by AND;
=, !=, IN, NOT IN; values in double or single quotes with the escapes \\", \\' and \\\\;
no value pattern. seed: name, =, a double-quoted value of 3-63 characters matching
[a-z]([-a-z0-9]{,61}[a-z0-9])?. Every error names filter and the 1-based position.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

import pytest

from pytest_yc_images import FakeImageService, ServiceError
from tests.conftest import Api, checked_client

if TYPE_CHECKING:
    from collections.abc import Iterator

NAMES = ("alpha", "beta", "gamma", "delta", "ab", "with_under")


def _fill(fake: FakeImageService, folder: str) -> None:
    for name in NAMES:
        fake.put_image(folderId=folder, name=name)
    fake.put_image(folderId=folder)  # no name
    fake.put_image(folderId="b1gotherfolder", name="alpha")


@pytest.fixture
def named(api: Api, fake: FakeImageService) -> Api:
    _fill(fake, api.folder)
    return api


@pytest.fixture
def seed_api() -> Iterator[Api]:
    fake = FakeImageService(seed=1, profile="seed")
    for name in ("alpha", "beta", "gamma"):
        fake.put_image(folderId=Api.folder, name=name)
    with checked_client(fake) as client:
        yield Api(client, fake)


def _names(api: Api, expression: str) -> set[str]:
    images = api.list_all(filter=expression)
    assert {i["folderId"] for i in images} <= {api.folder}
    return {i.get("name", "") for i in images}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('name="alpha"', {"alpha"}),
        ('name = "alpha"', {"alpha"}),
        ("name='beta'", {"beta"}),
        ('name="nope"', set()),
        ('name!="alpha"', {"beta", "gamma", "delta", "ab", "with_under", ""}),
        ('name IN ("alpha", "gamma")', {"alpha", "gamma"}),
        ("name IN ('alpha','gamma','zzz')", {"alpha", "gamma"}),
        ("name in ('beta')", {"beta"}),  # keywords in any case
        ('name IN ("alpha", \'beta\') AND name != "alpha"', {"beta"}),
        ('name="alpha" AND name="beta"', set()),
        ('name\t=\n"alpha"  ', {"alpha"}),
        ("", {*NAMES, ""}),
        ("   ", {*NAMES, ""}),
    ],
)
def test_filters_select_by_name(named: Api, expression: str, expected: set[str]) -> None:
    assert _names(named, expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('name="ab"', {"ab"}),  # 2 characters
        ('name="with_under"', {"with_under"}),
        ('name="Alpha"', set()),  # it matches no name
        ('name = ""', {""}),  # the image without a name
        ("name IN ('x', '', \"ab\")", {"", "ab"}),
        ('name NOT IN ("alpha", "gamma", "")', {"beta", "delta", "ab", "with_under"}),
        (
            'name != "alpha" AND name != "beta" and name != ""',
            {"gamma", "delta", "ab", "with_under"},
        ),
    ],
)
def test_live_values_follow_no_pattern(named: Api, expression: str, expected: set[str]) -> None:
    assert _names(named, expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        r'name = "a\"b"',
        r"name = 'it\'s'",
        r'name = "back\\slash"',
        r'name IN ("a\"b", ' + r"'c\'d', " + r'"e\\f")',
        r"name = 'say \"hi\"'",
    ],
)
def test_live_escapes_are_accepted_and_match_no_name(named: Api, expression: str) -> None:
    reply = named.list(filter=expression)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {}  # no image name holds a quote or a backslash


def test_an_escape_gives_the_character_it_stands_for(api: Api, fake: FakeImageService) -> None:
    # A name cannot hold one, so NOT IN shows what the escape became: only a value equal
    # to the name "alpha" after unescaping leaves it out.
    fake.put_image(folderId=api.folder, name="alpha")
    assert _names(api, r'name != "alph\\a"') == {"alpha"}  # the value is alph\a
    assert _names(api, r"name NOT IN ('alpha\'')") == {"alpha"}  # the value is alpha'


# expression -> (1-based position, words of the description)
LIVE_ERRORS = {
    "name=alpha": (6, "expected a quoted value, found 'alpha'"),
    'name="alpha': (6, "the string is not closed"),
    "name='alpha": (6, "the string is not closed"),
    'family="alpha"': (1, "filtering is supported on name only, not 'family'"),
    'Name="alpha"': (1, "filtering is supported on name only, not 'Name'"),
    'name>"alpha"': (5, "unexpected character '>'"),
    'name="alpha" OR name="beta"': (14, "expected AND or the end of the expression, found 'OR'"),
    'name="alpha" AND': (17, "expected a field name, found the end of the expression"),
    'name IN "alpha"': (9, "expected (, found a string"),
    "name IN ()": (10, "expected a quoted value, found ')'"),
    'name IN ("alpha"': (17, "expected ',' or ')', found the end of the expression"),
    'name IN ("alpha",)': (18, "expected a quoted value, found ')'"),
    'name NOT "alpha"': (10, "expected IN, found a string"),
    'name=="alpha"': (6, "expected a quoted value, found '='"),
    '"alpha"=name': (1, "expected a field name, found a string"),
    'name="alpha" name="beta"': (14, "expected AND or the end of the expression, found 'name'"),
    'name="alpha" AND ; DROP': (18, "unexpected character ';'"),
    r'name="a\nb"': (8, "unknown escape \\n"),
    r"name='a\x41'": (8, "unknown escape \\x"),
    'name="a" AND name="\\': (19, "the string is not closed"),
    "name": (5, "expected =, !=, IN or NOT IN, found the end of the expression"),
}


@pytest.mark.parametrize(("expression", "where"), LIVE_ERRORS.items(), ids=list(LIVE_ERRORS))
def test_live_errors_name_filter_and_the_position(
    named: Api, expression: str, where: tuple[int, str]
) -> None:
    reply = named.list(filter=expression)
    assert reply.status_code == 400, expression
    assert named.violations(reply) == ["filter"]
    position, words = where
    [detail] = [d for d in reply.json()["details"] if d["@type"].endswith("BadRequest")]
    description = detail["fieldViolations"][0]["description"]
    assert description.startswith(f"at position {position}: {words}"), description


SEED_ERRORS = {
    'name!="alpha"': (5, "the operator must be ="),
    'name IN ("alpha")': (6, "expected =, found 'IN'"),
    'name NOT IN ("alpha")': (6, "expected =, found 'NOT'"),
    "name='alpha'": (6, "the value must be in double quotes"),
    'name="alpha" AND name="beta"': (14, "expected the end of the expression, found 'AND'"),
    'name="ab"': (6, "the value must be 3-63 characters long"),
    'name="' + "a" * 64 + '"': (6, "the value must be 3-63 characters long"),
    'name="Alpha"': (6, "the value must be 3-63 characters long"),
    'name="with_under"': (6, "the value must be 3-63 characters long"),
    'name="alpha-"': (6, "the value must be 3-63 characters long"),
    r'name="a\"bc"': (6, "the value must be 3-63 characters long"),  # no escapes: a\ then bc"
    'name="alpha': (6, "the string is not closed"),
    'family="alpha"': (1, "filtering is supported on name only"),
}


SEED_ACCEPTS = {
    'name="alpha"': {"alpha"},
    'name = "beta"': {"beta"},
    ' name="gamma" ': {"gamma"},
    'name="' + "a" * 63 + '"': set(),  # 63 characters: the longest value
}


def test_the_seed_grammar(seed_api: Api) -> None:
    for expression, expected in SEED_ACCEPTS.items():
        reply = seed_api.list(filter=expression)
        assert reply.status_code == 200, reply.text
        assert {i["name"] for i in reply.json().get("images", [])} == expected
    for expression, (position, words) in SEED_ERRORS.items():
        reply = seed_api.list(filter=expression)
        assert reply.status_code == 400, expression
        assert seed_api.violations(reply) == ["filter"]
        assert f"at position {position}: {words}" in reply.json()["message"], reply.json()


def test_filter_and_paging_work_together(named: Api) -> None:
    first = named.list(filter='name NOT IN ("delta", "")', pageSize=2).json()
    assert len(first["images"]) == 2
    names = [i["name"] for i in first["images"]]
    token = first["nextPageToken"]
    while token:
        page = named.list(filter='name NOT IN ("delta", "")', pageSize=2, pageToken=token).json()
        assert 1 <= len(page["images"]) <= 2
        names += [i["name"] for i in page["images"]]
        token = page.get("nextPageToken")
    assert sorted(names) == sorted(["alpha", "beta", "gamma", "ab", "with_under"])


HOSTILE = [
    "name IN (" + ", ".join(['"a"'] * 198) + ")",  # about the longest IN list that fits
    " AND ".join(['name != "x"'] * 62),
    'name = "' + "\\\\" * 495 + '"',
    "name IN (" + "'',".join([""] * 330),  # unfinished: the error is at the very end
    "(" * 1000,
    '"' + "\\" * 998 + '"',
]


@pytest.mark.parametrize("expression", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("profile", ["live", "seed"])
def test_1000_characters_of_tokens_parse_in_bounded_time(expression: str, profile: str) -> None:
    from pytest_yc_images._core.filters import parse_filter

    assert len(expression) <= 1000
    best = float("inf")
    for _ in range(5):  # the best of five: a loaded machine only ever adds time
        parse_filter.cache_clear()
        started = time.perf_counter()
        with contextlib.suppress(ServiceError):  # the error names filter (tests above)
            parse_filter(expression, live=profile == "live")
        best = min(best, time.perf_counter() - started)
    assert best < 0.01, f"{best * 1e3:.2f} ms"  # ~0.3 ms measured; 10 ms leaves room for load
