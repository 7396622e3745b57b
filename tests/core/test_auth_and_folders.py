"""Bearer tokens, the read-only public folder, folders created on first use, unknown IDs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from pytest_yc_images import PUBLIC_FOLDER, FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

UBUNTU = "fd8a1ejo4ucrhdihu5ge"  # a standard image
MISSING_IMAGE = "fd8nosuchimage000000"

# (HTTP method, path, query, body) for every route of the API.
CALLS: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]] = [
    ("GET", f"/compute/v1/images/{UBUNTU}", {}, None),
    (
        "GET",
        "/compute/v1/images:latestByFamily",
        {"folderId": PUBLIC_FOLDER, "family": "debian-12"},
        None,
    ),
    ("GET", "/compute/v1/images", {"folderId": PUBLIC_FOLDER}, None),
    (
        "POST",
        "/compute/v1/images",
        {},
        {"folderId": "b1gfolder", "uri": "https://storage.example/a.qcow2"},
    ),
    ("PATCH", f"/compute/v1/images/{UBUNTU}", {}, {"updateMask": "name"}),
    ("DELETE", f"/compute/v1/images/{UBUNTU}", {}, None),
    ("GET", f"/compute/v1/images/{UBUNTU}/operations", {}, None),
    ("GET", "/operations/fd8someoperation0000", {}, None),
    ("POST", "/operations/fd8someoperation0000:cancel", {}, None),
]
CALL_IDS = [f"{m} {p}" for m, p, _, _ in CALLS]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer    "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "fake-iam-token"},
    ],
    ids=["missing", "empty", "scheme-only", "empty-token", "blank-token", "basic", "no-scheme"],
)
@pytest.mark.parametrize(("method", "path", "params", "body"), CALLS, ids=CALL_IDS)
def test_missing_or_empty_token_is_unauthenticated(
    make_api: Callable[..., Api],
    fake: FakeImageService,
    headers: dict[str, str],
    method: str,
    path: str,
    params: dict[str, Any],
    body: dict[str, Any] | None,
) -> None:
    api = make_api(fake, token=None, headers=headers)
    reply = api.http.request(method, path, params=params, json=body)
    assert reply.status_code == 401
    assert reply.json()["code"] == 16
    assert fake.operations() == []  # nothing happened


def test_any_token_is_accepted_by_default(
    make_api: Callable[..., Api], fake: FakeImageService
) -> None:
    api = make_api(fake, token="t1.some-other-token")
    assert api.get(UBUNTU).status_code == 200
    assert api.create(name="mine").status_code == 200


def test_operations_name_their_creator_by_token(
    make_api: Callable[..., Api], fake: FakeImageService
) -> None:
    one = make_api(fake, token="token-one").create().json()
    two = make_api(fake, token="token-two").create().json()
    again = make_api(fake, token="token-one").create().json()
    assert one["createdBy"] == again["createdBy"] != two["createdBy"]


def test_the_public_folder_is_readable(api: Api) -> None:
    assert api.get(UBUNTU).json()["folderId"] == PUBLIC_FOLDER
    assert len(api.list_all(PUBLIC_FOLDER)) >= 4


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/compute/v1/images",
            {"folderId": PUBLIC_FOLDER, "name": "mine", "uri": "https://storage.example/a.qcow2"},
        ),
        ("PATCH", f"/compute/v1/images/{UBUNTU}", {"updateMask": "description"}),
        ("DELETE", f"/compute/v1/images/{UBUNTU}", None),
    ],
)
def test_writes_to_the_public_folder_are_denied(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = api.list_all(PUBLIC_FOLDER)
    reply = api.http.request(method, path, json=body)
    assert reply.status_code == 403
    assert reply.json()["code"] == 7
    assert api.list_all(PUBLIC_FOLDER) == before


def test_a_public_image_can_be_a_source_for_ones_own_folder(api: Api) -> None:
    image = api.ready_image(imageId=UBUNTU)
    assert image["folderId"] == api.folder


@pytest.mark.parametrize("folder", ["b1gnewfolder", "any-folder-id", "x", "F" * 50])
def test_any_folder_id_works_and_is_created_on_first_use(api: Api, folder: str) -> None:
    assert api.list(folder).json() == {}
    image = api.ready_image(folder, name="first")
    assert [i["id"] for i in api.list_all(folder)] == [image["id"]]


def test_folders_do_not_see_each_other(api: Api) -> None:
    api.ready_image("b1gfoldera", name="same")
    api.ready_image("b1gfolderb", name="same")
    assert len(api.list_all("b1gfoldera")) == 1
    assert len(api.list_all("b1gfolderb")) == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/compute/v1/images/{MISSING_IMAGE}", None),
        ("PATCH", f"/compute/v1/images/{MISSING_IMAGE}", {"updateMask": "name"}),
        ("DELETE", f"/compute/v1/images/{MISSING_IMAGE}", None),
        ("GET", f"/compute/v1/images/{MISSING_IMAGE}/operations", None),
        ("GET", "/operations/fd8nosuchoperation00", None),
        ("POST", "/operations/fd8nosuchoperation00:cancel", None),
    ],
)
def test_unknown_ids_are_not_found(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    reply = api.http.request(method, path, json=body)
    assert reply.status_code == 404
    assert reply.json()["code"] == 5


def test_access_map_limits_folders_per_token(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(access={"alice": ["b1galice"], "bob": ["b1gbob"]})
    alice = make_api(fake, token="alice")
    bob = make_api(fake, token="bob")
    image = alice.ready_image("b1galice", name="private")
    assert bob.get(image["id"]).status_code == 404  # not even its existence leaks
    assert bob.list("b1galice").status_code == 403
    assert bob.create("b1galice").status_code == 403
    assert bob.get(UBUNTU).status_code == 200  # the public folder is for everyone
    assert make_api(fake, token="mallory").get(UBUNTU).status_code == 401
