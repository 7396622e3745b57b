"""List, filters, GetLatestByFamily and ListOperations."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error

PUBLIC = "standard-images"
UBUNTU = "ubuntu-2204-lts"


def _ids(pages: list[list[dict[str, Any]]]) -> list[str]:
    return [str(image["id"]) for page in pages for image in page]


@pytest.mark.mutating
@pytest.mark.rule(
    "list.images",
    "list.page-token",
    "list.next-page-token-each",
    "list.paging",
    "list.page-size",
    "list.folder",
    "wire.schema.ListImagesResponse",
)
def test_paging_covers_every_image_exactly_once(api: Api, source_image_id: str) -> None:
    mine = {api.create_ready(source_image_id)["id"] for _ in range(5)}
    whole = _ids(api.list_all(pageSize=1000))
    size = max(3, len(whole) // 40)  # several pages (of 3 at least), a bounded number of calls
    pages = api.list_all(pageSize=size)
    assert all(len(page) <= size for page in pages), [len(p) for p in pages]
    assert all(page for page in pages[:-1]), "an empty page before the last one"
    listed = _ids(pages)
    twice = [i for i, n in Counter(listed).items() if n > 1]
    assert not twice, f"paging returned {twice} more than once"
    assert mine <= set(listed), f"paging lost {mine - set(listed)}"
    assert all(i["folderId"] == api.folder_id for p in pages for i in p)
    if len(mine) > size:
        assert len(pages) > 1


@pytest.mark.rule("list.page-size", "list.paging")
def test_page_size_is_honoured(api: Api) -> None:
    for size in (1, 1000):
        reply = api.list(pageSize=size)
        assert reply.status_code == 200, reply.text
        assert len(reply.json().get("images", [])) <= size


@pytest.mark.rule("list.page-token-issued", "errors.bad-request")
@pytest.mark.parametrize("token", ["forged", "A" * 100, "eyJvZmZzZXQiOjB9"])
def test_a_forged_page_token_is_rejected(api: Api, token: str) -> None:
    reply = api.list(pageToken=token)
    expect_error(reply, 3)


@pytest.mark.mutating
@pytest.mark.rule("list.filter-name")
def test_filter_by_name_finds_exactly_that_image(api: Api, source_image_id: str) -> None:
    image = api.create_ready(source_image_id)
    api.create_ready(source_image_id)
    pages = api.list_all(filter=f'name="{image["name"]}"')
    assert _ids(pages) == [image["id"]]
    assert _ids(api.list_all(filter='name="ycc-no-such-image"')) == []


@pytest.mark.rule("list.filter-invalid", "errors.bad-request")
@pytest.mark.parametrize("expression", ['name="abc', 'name=="abc"', "name"])
def test_a_malformed_filter_is_invalid_argument(api: Api, expression: str) -> None:
    reply = api.list(filter=expression)
    expect_error(reply, 3)


@pytest.mark.mutating
@pytest.mark.rule("latest.newest-ready", "latest.folder")
def test_latest_by_family_is_the_newest_ready_image(api: Api, source_image_id: str) -> None:
    family = api.run.name("f")[:60].rstrip("-")
    api.create_ready(source_image_id, family=family)
    newest = api.create_ready(source_image_id, family=family)
    reply = api.latest(family)
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] == newest["id"]
    # A third one, not polled: whether an image still being created counts is written
    # nowhere (LIVE.md), so the answer is either the newest READY one or the new one.
    started = api.create(api.create_body(source_image_id, family=family))
    assert started.status_code == 200, started.text
    reply = api.latest(family)
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] in (newest["id"], started.json()["metadata"]["imageId"])
    api.wait(started.json())


@pytest.mark.mutating
@pytest.mark.rule("latest.folder", "latest.newest-ready")
def test_latest_by_family_looks_in_the_given_folder_only(api: Api, source_image_id: str) -> None:
    public = api.latest(UBUNTU, PUBLIC)  # API.md: the public folder holds ubuntu-2204-lts
    assert public.status_code == 200, public.text
    ours = api.create_ready(source_image_id, family=UBUNTU)
    mine = api.latest(UBUNTU)
    assert mine.status_code == 200, mine.text
    assert mine.json()["id"] == ours["id"]
    again = api.latest(UBUNTU, PUBLIC).json()
    assert again["id"] != ours["id"]
    assert again["folderId"] == PUBLIC


@pytest.mark.rule("latest.not-found")
def test_latest_of_a_family_with_no_image_is_not_found(api: Api) -> None:
    reply = api.latest("ycc-no-such-family")
    expect_error(reply, 5)


@pytest.mark.mutating
@pytest.mark.rule("list-operations.operations", "list-operations.page-token",
                  "list-operations.scope", "list-operations.paging",
                  "wire.schema.ListImageOperationsResponse", "wire.schema.Operation")  # fmt: skip
def test_list_operations_pages_through_that_images_operations_only(
    api: Api, source_image_id: str
) -> None:
    other = api.create_ready(source_image_id)
    image = api.create_ready(source_image_id)
    expected = set()
    for text in ("one", "two"):
        reply = api.update(image["id"], {"updateMask": "description", "description": text})
        assert reply.status_code == 200, reply.text
        expected.add(api.wait(reply.json())["id"])
    seen: list[str] = []
    token = None
    for _ in range(50):
        reply = api.list_operations(image["id"], pageSize=1, pageToken=token)
        assert reply.status_code == 200, reply.text
        page = reply.json().get("operations", [])
        assert len(page) <= 1
        seen += [op["id"] for op in page]
        assert all(op["metadata"]["imageId"] == image["id"] for op in page), page
        token = reply.json().get("nextPageToken")
        if not token:
            break
    assert len(seen) == len(set(seen)), f"an operation listed twice: {seen}"
    assert expected <= set(seen), f"missing operations {expected - set(seen)}"
    assert len(seen) >= 3, "Create and two Updates: at least three operations"
    others = api.list_operations(other["id"], pageSize=1000).json().get("operations", [])
    assert not set(seen) & {op["id"] for op in others}
