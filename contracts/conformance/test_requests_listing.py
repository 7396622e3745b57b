"""List: what each filter condition selects, how conditions combine, the malformed
expressions refused as INVALID_ARGUMENT naming ``filter``; paging (the default page size,
where a listing ends, the empty page, pages carried across every documented order).

live/image_service.proto, ListImagesRequest.filter and .order_by; the seed's
ListImagesRequest (filter, page_size, page_token); API.md, "Paging and filtering" and
"JSON mapping". Three images of the public folder (readable by every account) serve the
filters and the paging: nothing is created, the run's budget of images is small.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error, violations

PUBLIC = "standard-images"
NOTHING = 'name="ycc-no-such-image"'  # both grammars; no image of any run has this name


def _ids(images: list[dict[str, Any]]) -> list[str]:
    return [str(image["id"]) for image in images]


def _page(api: Api, **params: Any) -> dict[str, Any]:
    reply = api.list(**params)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _names(api: Api, expression: str, **params: Any) -> list[str]:
    """The names a filter lists in the public folder, page after page, in order."""
    pages = api.list_all(PUBLIC, filter=expression, **params)
    return [str(image.get("name", "")) for page in pages for image in page]


def _refused(api: Api, expression: str) -> None:
    __tracebackhide__ = True
    reply = api.list(filter=expression)
    expect_error(reply, 3)
    named = violations(reply)
    assert "filter" in named, f"{expression!r}: the BadRequest names {named}, not filter"


_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z")


def _instant(image: dict[str, Any]) -> tuple[str, int]:
    """An image's createdAt (RFC 3339, UTC) as a comparable pair, exact at any precision."""
    match = _TIME.fullmatch(str(image["createdAt"]))
    assert match, f"not an RFC 3339 UTC time: {image['createdAt']!r}"
    return match.group(1), int((match.group(2) or "").ljust(9, "0"))


@pytest.fixture(scope="module")
def images(conformance_api: Api) -> list[dict[str, Any]]:
    """Three named images of the public folder, in the order of their names."""
    reply = conformance_api.list(PUBLIC, pageSize=20)
    assert reply.status_code == 200, reply.text
    named = {str(i["name"]): i for i in reply.json().get("images", []) if i.get("name")}
    if len(named) < 3:
        pytest.skip(f"{PUBLIC} lists fewer than three named images")
    return [named[name] for name in sorted(named)[:3]]


@pytest.fixture
def three(images: list[dict[str, Any]]) -> list[str]:
    """The names of the module's three images."""
    return [str(image["name"]) for image in images]


@pytest.mark.profile("live")
@pytest.mark.rule("live.filter-limited-fields", "live.filter-not-equal", "live.filter-in",
                  "live.filter-not-in", "live.filter-and", "live.filter-single-quotes",
                  "list.filter-name")  # fmt: skip
def test_each_operator_selects_exactly_its_images(api: Api, three: list[str]) -> None:
    a, b, c = three
    mine = set(three)
    cases = {
        f'name = "{a}"': {a},
        f"name = '{b}'": {b},
        f'name IN ("{a}")': {a},
        f"name IN ('{a}', \"{c}\", 'ycc-no-such-image')": {a, c},
        f'name != "{a}"': {b, c},
        f"name NOT IN ('{a}', '{b}')": {c},
        'name NOT IN ("ycc-no-such-image")': {a, b, c},
        f'name IN ("{a}", "{b}") AND name != "{b}"': {a},
        f'name IN ("{a}", "{b}", "{c}") AND name IN ("{b}", "{c}") AND name NOT IN ("{c}")': {b},
        f'name = "{a}" AND name = "{b}"': set(),
        f'name != "{a}" AND name != "{b}" AND name != "{c}"': set(),
    }
    for expression, wanted in cases.items():
        listed = _names(api, expression, pageSize=1000)
        assert len(listed) == len(set(listed)), f"{expression}: an image listed twice"
        assert set(listed) & mine == wanted, f"{expression}: {set(listed) & mine} != {wanted}"
        if "!=" not in expression and "NOT IN" not in expression:
            assert set(listed) <= mine, f"{expression}: lists {set(listed) - mine}"


@pytest.mark.profile("live")
@pytest.mark.rule("live.filter-in", "live.order-by", "live.order-by-default",
                  "live.order-by-ascending", "list.paging")  # fmt: skip
@pytest.mark.parametrize("order", ["", "id desc", "createdAt", "createdAt asc", "createdAt desc"])
def test_a_filtered_listing_pages_in_every_order(api: Api, images: list[dict[str, Any]],
                                                 order: str) -> None:  # fmt: skip
    names = [str(image["name"]) for image in images]
    expression = "name IN (" + ", ".join(f'"{n}"' for n in [*names[::-1], "ycc-none"]) + ")"
    params = {"orderBy": order} if order else {}
    pages = api.list_all(PUBLIC, filter=expression, pageSize=1, **params)
    assert all(len(page) == 1 for page in pages), [len(p) for p in pages]
    listed = [image for page in pages for image in page]
    assert sorted(str(i["name"]) for i in listed) == sorted(names), f"orderBy {order!r}"
    ids = _ids(listed)
    if order in ("", "id asc"):
        assert ids == sorted(ids), '"id asc" if omitted'
    elif order == "id desc":
        assert ids == sorted(ids, reverse=True), "id desc"
    else:
        times = [_instant(i) for i in listed]
        newest_first = order.endswith("desc")
        assert times == sorted(times, reverse=newest_first), f"orderBy {order!r}: {times}"


@pytest.mark.profile("live")
@pytest.mark.rule("live.filter-and", "live.filter-in", "live.filter-not-in",
                  "live.filter-single-quotes", "list.filter-invalid",
                  "errors.bad-request")  # fmt: skip
@pytest.mark.parametrize(
    "expression",
    [
        'name IN ("ycc-a"',  # the list is not closed
        'name IN "ycc-a"',  # IN takes a parenthesised list
        'name IN ("ycc-a" "ycc-b")',  # values are separated by commas
        'name IN ("ycc-a",)',  # a comma, then no value
        "name IN ()",  # no value at all
        'name NOT ("ycc-a")',  # NOT without IN
        'name NOT = "ycc-a"',
        'name = "ycc-a" AND',  # AND, then no condition
        'name = "ycc-a" OR name = "ycc-b"',  # OR is no operator of the grammar
        'name = "ycc-a" name = "ycc-b"',  # two conditions without AND
        'AND name = "ycc-a"',
        'name = "ycc-a")',
        "name = ycc-a",  # string values are quoted
        'name = "ycc-a',  # the string is not closed
        "name = 'ycc-a",
        '= "ycc-a"',  # no field
        '"ycc-a" = name',
        'name < "ycc-a"',  # not an operator of the grammar
        'name == "ycc-a"',
        "name =",
        'name "ycc-a"',
    ],
)
def test_a_malformed_live_filter_is_invalid_argument_naming_filter(
    api: Api, expression: str
) -> None:
    _refused(api, expression)


@pytest.mark.profile("seed")  # today's proto: "only on the limited number of fields"
@pytest.mark.rule("list.filter-name", "list.filter-invalid", "errors.bad-request")
@pytest.mark.parametrize("expression", ['description = "abc"', 'family = "abc"', 'id = "abc"'])
def test_a_filter_on_another_field_is_invalid_argument(api: Api, expression: str) -> None:
    # The seed: "Currently you can use filtering only on the Image.name field."
    _refused(api, expression)


@pytest.mark.profile("seed")
@pytest.mark.rule("list.filter-seed-value", "list.filter-invalid", "errors.bad-request")
@pytest.mark.parametrize(
    "expression",
    [
        'name="ab"',
        'name="Abc"',
        "name='abc'",
        'name!="abc"',
        'name IN ("abc")',
        'name="abc" AND name="abd"',
        'name="abc',
        "name=abc",
        'name "abc"',
        'name="abc" "abd"',
        'name<"abc"',  # a character of no token
        '="abc"',  # no field
        '"abc"="abc"',
        'name="abc";',
    ],
)
def test_a_seed_filter_off_its_grammar_names_filter(api: Api, expression: str) -> None:
    _refused(api, expression)


@pytest.mark.profile("seed")
@pytest.mark.rule("list.filter-name")
def test_the_seed_filter_selects_that_name_only(api: Api, three: list[str]) -> None:
    a, b, _ = three
    assert _names(api, f'name="{a}"') == [a]
    assert _names(api, f'name = "{b}"', pageSize=1) == [b]


# --- paging -------------------------------------------------------------------------------
@pytest.mark.rule("list.page-size-default", "list.paging")
@pytest.mark.parametrize("folder", ["mine", PUBLIC])
def test_page_size_zero_or_absent_is_the_default_of_100(api: Api, folder: str) -> None:
    folder_id = api.folder_id if folder == "mine" else PUBLIC

    def whole() -> list[str]:
        return _ids([i for page in api.list_all(folder_id, pageSize=1000) for i in page])

    for size in (0, None):
        # Other tests of the run (under -n, at once) may add or remove images in the
        # folder: the page is compared with the folder as it was both before and after it.
        for _ in range(5):
            before = whole()
            first = _page(api, folder_id=folder_id, pageSize=size)
            if whole() == before:
                break
        else:
            pytest.fail(f"pageSize {size!r}: the folder changed during each of 5 tries")
        listed = _ids(first.get("images", []))
        if len(before) <= 100:
            assert listed == before, f"pageSize {size!r}: {len(listed)} of {len(before)} images"
            assert "nextPageToken" not in first, "one page holds them all: no nextPageToken"
        else:
            assert 0 < len(listed) <= 100, f"pageSize {size!r}: a page of {len(listed)}"
            assert first.get("nextPageToken"), f"{len(before)} images: no nextPageToken"


@pytest.mark.rule("list.page-token-issued", "errors.bad-request")
@pytest.mark.parametrize("token", ["a", "abcde", "_" * 20, "fd8conformancenone0"])
def test_a_page_token_not_issued_is_invalid_argument_naming_it(api: Api, token: str) -> None:
    reply = api.list(pageToken=token)
    expect_error(reply, 3)
    named = violations(reply)
    assert any(f in ("pageToken", "page_token") for f in named), named


@pytest.mark.rule("list.empty-page", "list.last-page", "wire.schema.ListImagesResponse")
def test_an_empty_page_is_an_empty_object(api: Api) -> None:
    for size in (None, 1, 1000):
        assert _page(api, filter=NOTHING, pageSize=size) == {}


@pytest.mark.profile("live")  # the seed's filter selects one image at most
@pytest.mark.rule(
    "list.next-page-token-each", "list.paging", "list.last-page", "list.page-size", "live.filter-in"
)
def test_next_page_token_only_while_more_images_are_left(
    api: Api, images: list[dict[str, Any]]
) -> None:
    names = ", ".join(f'"{image["name"]}"' for image in images)
    expression = f"name IN ({names})"
    whole = _page(api, folder_id=PUBLIC, filter=expression, pageSize=3)
    assert len(whole.get("images", [])) == 3
    assert "nextPageToken" not in whole, "every image on this page: it is the last page"
    first = _page(api, folder_id=PUBLIC, filter=expression, pageSize=2)
    assert len(first.get("images", [])) == 2
    token = first.get("nextPageToken")
    assert token, "3 images, pages of 2: the first page must give a nextPageToken"
    last = _page(api, folder_id=PUBLIC, filter=expression, pageSize=2, pageToken=token)
    assert len(last.get("images", [])) == 1
    assert "nextPageToken" not in last, "the last page has no nextPageToken"
    assert {*_ids(first["images"]), *_ids(last["images"])} == set(_ids(images))


@pytest.mark.mutating
@pytest.mark.rule("list-operations.paging", "list.last-page", "list.page-size-default",
                  "wire.schema.ListImageOperationsResponse")  # fmt: skip
def test_list_operations_ends_without_a_token(api: Api, scratch_image: dict[str, Any]) -> None:
    image = scratch_image
    everything = api.list_operations(image["id"], pageSize=1000)
    assert everything.status_code == 200, everything.text
    operations = everything.json().get("operations", [])
    assert operations, "an image this run created has its Create operation"
    assert "nextPageToken" not in everything.json()
    for size in (0, None):
        reply = api.list_operations(image["id"], pageSize=size)
        assert reply.status_code == 200, reply.text
        assert [op["id"] for op in reply.json().get("operations", [])] == [
            op["id"] for op in operations
        ], f"pageSize {size!r}: the default (100) holds every operation of one image"
        assert "nextPageToken" not in reply.json()
