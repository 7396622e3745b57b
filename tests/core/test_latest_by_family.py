"""ImageService.GetLatestByFamily and the seeded public folder."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from pytest_yc_images import PUBLIC_FOLDER, FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api


def _latest(api: Api, family: str, folder: str | None = None) -> Any:
    return api.http.get(
        "/compute/v1/images:latestByFamily",
        params={"folderId": folder or api.folder, "family": family},
    )


def test_standard_images_are_seeded(api: Api) -> None:
    images = api.list_all(PUBLIC_FOLDER)
    families = Counter(i["family"] for i in images)
    assert len(families) >= 4
    assert families["ubuntu-2204-lts"] >= 2
    assert {i["os"]["type"] for i in images} == {"LINUX", "WINDOWS"}
    assert {i["status"] for i in images} == {"READY"}


def test_latest_ubuntu_is_the_newest_version(api: Api) -> None:
    versions = [i for i in api.list_all(PUBLIC_FOLDER) if i["family"] == "ubuntu-2204-lts"]
    newest = max(versions, key=lambda i: i["createdAt"])
    reply = _latest(api, "ubuntu-2204-lts", PUBLIC_FOLDER)
    assert reply.status_code == 200
    assert reply.json() == newest


def test_newest_ready_wins_over_newer_creating_and_error(api: Api, fake: FakeImageService) -> None:
    put = fake.put_image
    put(folderId=api.folder, family="app", name="v1", createdAt="2025-01-01T00:00:00Z")
    ready = put(folderId=api.folder, family="app", name="v2", createdAt="2025-02-01T00:00:00Z")
    put(
        folderId=api.folder,
        family="app",
        name="v3",
        createdAt="2025-03-01T00:00:00Z",
        status="ERROR",
    )
    put(
        folderId=api.folder,
        family="app",
        name="v4",
        createdAt="2025-04-01T00:00:00Z",
        status="CREATING",
    )
    put(
        folderId=api.folder,
        family="app",
        name="v5",
        createdAt="2025-05-01T00:00:00Z",
        status="DELETING",
    )
    put(folderId=api.folder, family="other", name="v6", createdAt="2025-06-01T00:00:00Z")
    put(folderId="b1gotherfolder", family="app", name="v7", createdAt="2025-07-01T00:00:00Z")
    assert _latest(api, "app").json() == ready


def test_newest_means_created_last_not_put_last(api: Api, fake: FakeImageService) -> None:
    newer = fake.put_image(folderId=api.folder, family="app", createdAt="2025-05-01T00:00:00Z")
    fake.put_image(folderId=api.folder, family="app", createdAt="2025-01-01T00:00:00Z")
    assert _latest(api, "app").json() == newer


def test_an_image_created_through_the_api_counts_once_ready(api: Api) -> None:
    old = api.ready_image(name="first", family="web")
    op = api.create(name="second", family="web").json()
    assert _latest(api, "web").json()["id"] == old["id"]  # the new one is still CREATING
    api.poll(op["id"])
    assert _latest(api, "web").json()["id"] == op["metadata"]["imageId"]


@pytest.mark.parametrize(
    ("family", "folder"),
    [
        ("no-such-family", None),
        ("ubuntu-2204-lts", None),  # exists, but only in standard-images
        ("ubuntu-2204-lts", "b1gemptyfolder"),
    ],
)
def test_no_ready_image_is_not_found(api: Api, family: str, folder: str | None) -> None:
    reply = _latest(api, family, folder)
    assert reply.status_code == 404
    assert reply.json()["code"] == 5


def test_only_unready_images_is_not_found(api: Api, fake: FakeImageService) -> None:
    fake.put_image(folderId=api.folder, family="wip", status="CREATING")
    fake.put_image(folderId=api.folder, family="wip", status="ERROR")
    assert _latest(api, "wip").status_code == 404


def test_deleted_latest_falls_back_to_the_previous(api: Api) -> None:
    first = api.ready_image(family="dbs")
    second = api.ready_image(family="dbs")
    api.poll(api.delete(second["id"]).json()["id"])
    assert _latest(api, "dbs").json()["id"] == first["id"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"family": "app"}, "folderId"),
        ({"folderId": "f", "family": "BAD"}, "family"),
        ({"folderId": "f", "family": "app", "extra": "1"}, "extra"),
    ],
)
def test_bad_requests_name_the_field(api: Api, params: dict[str, str], field: str) -> None:
    reply = api.http.get("/compute/v1/images:latestByFamily", params=params)
    assert reply.status_code == 400
    assert field in api.violations(reply)
