"""ImageService.List paging: sizes, stable tokens under concurrent change, forged tokens."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api


def _fill(fake: FakeImageService, folder: str, count: int, prefix: str = "img") -> list[str]:
    return [fake.put_image(folderId=folder, name=f"{prefix}-{i:04d}")["id"] for i in range(count)]


def test_empty_folder_lists_as_an_empty_object(api: Api) -> None:
    reply = api.list("b1gemptyfolder")
    assert reply.status_code == 200
    assert reply.json() == {}


@pytest.mark.parametrize("params", [{}, {"pageSize": 0}, {"pageSize": "0"}])
def test_page_size_zero_or_absent_means_100(
    api: Api, fake: FakeImageService, params: dict[str, Any]
) -> None:
    _fill(fake, api.folder, 101)
    page = api.list(**params).json()
    assert len(page["images"]) == 100
    rest = api.list(pageToken=page["nextPageToken"]).json()
    assert len(rest["images"]) == 1
    assert "nextPageToken" not in rest


def test_page_size_1000_is_the_maximum(api: Api, fake: FakeImageService) -> None:
    _fill(fake, api.folder, 1001)
    page = api.list(pageSize=1000).json()
    assert len(page["images"]) == 1000
    assert "nextPageToken" in page
    too_big = api.list(pageSize=1001)
    assert too_big.status_code == 400
    assert api.violations(too_big) == ["pageSize"]


@pytest.mark.parametrize("size", ["-1", "abc", "1.5", "99999999999999999999"])
def test_bad_page_sizes_are_invalid(api: Api, size: str) -> None:
    reply = api.list(pageSize=size)
    assert reply.status_code == 400
    assert api.violations(reply) == ["pageSize"]


def test_the_last_page_has_no_token(api: Api, fake: FakeImageService) -> None:
    _fill(fake, api.folder, 6)
    first = api.list(pageSize=3).json()
    second = api.list(pageSize=3, pageToken=first["nextPageToken"]).json()
    assert len(second["images"]) == 3
    assert "nextPageToken" not in second
    names = [i["name"] for i in first["images"] + second["images"]]
    assert sorted(names) == [f"img-{i:04d}" for i in range(6)]


def test_paging_is_stable_while_images_come_and_go(api: Api, fake: FakeImageService) -> None:
    stayers = set(_fill(fake, api.folder, 40, "stay"))
    goners = _fill(fake, api.folder, 20, "gone")
    seen: list[str] = []
    token = ""
    for page_number in range(100):
        params = {"pageSize": 7} | ({"pageToken": token} if token else {})
        page = api.list(**params).json()
        seen += [i["id"] for i in page.get("images", [])]
        # Between pages: delete some images (seen or not) and create new ones.
        if goners:
            fake.service.store.remove_image(goners.pop())  # gone without an operation
        if page_number % 2 == 0 and goners:
            api.poll(api.delete(goners.pop()).json()["id"])
        api.create(name=f"new-{page_number}")
        token = page.get("nextPageToken", "")
        if not token:
            break
    else:
        pytest.fail("paging did not end")
    assert len(seen) == len(set(seen)), "an image repeated across pages"
    assert stayers <= set(seen), "an image that existed throughout was skipped"


def test_a_deleted_last_image_does_not_break_the_token(api: Api, fake: FakeImageService) -> None:
    ids = sorted(_fill(fake, api.folder, 4))
    first = api.list(pageSize=2).json()
    assert [i["id"] for i in first["images"]] == ids[:2]
    api.poll(api.delete(ids[1]).json()["id"])  # the token's own image
    rest = api.list(pageSize=2, pageToken=first["nextPageToken"]).json()
    assert [i["id"] for i in rest["images"]] == ids[2:]


def _forged(api: Api, fake: FakeImageService) -> list[str]:
    _fill(fake, api.folder, 3)
    real = api.list(pageSize=1).json()["nextPageToken"]
    raw = base64.urlsafe_b64decode(real + "=" * (-len(real) % 4))
    tampered = base64.urlsafe_b64encode(b"fd8" + b"z" * 17 + raw[20:]).decode().rstrip("=")
    flipped = real[:30] + ("A" if real[30] != "A" else "B") + real[31:]  # inside the MAC
    return ["garbage!", "abc", tampered, flipped, "x" * 101]


def test_forged_page_tokens_are_invalid(api: Api, fake: FakeImageService) -> None:
    for token in _forged(api, fake):
        reply = api.list(pageSize=1, pageToken=token)
        assert reply.status_code == 400, token
        assert api.violations(reply) == ["pageToken"], token


def test_a_token_is_only_good_for_its_own_request(api: Api, fake: FakeImageService) -> None:
    _fill(fake, api.folder, 3)
    _fill(fake, "b1gotherfolder", 3)
    token = api.list(pageSize=1).json()["nextPageToken"]
    for params in ({"folderId": "b1gotherfolder"}, {"filter": 'name != "img-0000"'}):
        reply = api.http.get(
            "/compute/v1/images",
            params={"folderId": api.folder, "pageSize": 1, "pageToken": token} | params,
        )
        assert reply.status_code == 400
        assert api.violations(reply) == ["pageToken"]


def test_a_token_from_another_fake_is_invalid(make_api: Any, api: Api) -> None:
    other_fake = FakeImageService(seed=99)
    other = make_api(other_fake)
    _fill(other_fake, api.folder, 3)
    token = other.list(pageSize=1).json()["nextPageToken"]
    reply = api.list(pageSize=1, pageToken=token)
    assert reply.status_code == 400
    assert api.violations(reply) == ["pageToken"]


def test_list_does_not_show_other_folders(api: Api, fake: FakeImageService) -> None:
    mine = set(_fill(fake, api.folder, 3))
    _fill(fake, "b1gotherfolder", 3)
    assert {i["id"] for i in api.list_all()} == mine
