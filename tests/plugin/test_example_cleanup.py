"""``examples/cleanup.py`` tested the way a downstream project tests its own code: fixtures only."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from pytest_yc_images import FakeImageService, YcServer
from pytest_yc_images.factories import ImageFactory


def _load_example() -> Any:
    path = Path(__file__).resolve().parents[2] / "examples" / "cleanup.py"
    spec = importlib.util.spec_from_file_location("yc_example_cleanup", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cleanup = _load_example()
keep_newest = cleanup.keep_newest
CleanupError = cleanup.CleanupError


def _names(fake: FakeImageService, folder_id: str) -> set[str]:
    return {image["name"] for image in fake.images(folder_id)}


def _ids(images: list[dict[str, Any]]) -> list[str]:
    return [image["id"] for image in images]


# --- what it keeps --------------------------------------------------------------------
def test_keeps_the_newest_n_of_each_family(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    web = yc_images.family("web", versions=5)
    db = yc_images.family("db-server", versions=2)
    loose = [yc_images.create(name="no-family-1"), yc_images.create(name="no-family-2")]

    deleted = keep_newest(yc_client, yc_folder_id, keep=2)

    assert deleted == _ids(web[:3])
    assert _names(yc_fake, yc_folder_id) == {
        "web-v4",
        "web-v5",
        "db-server-v1",
        "db-server-v2",
        *(i["name"] for i in loose),
    }
    assert all(image["status"] == "READY" for image in yc_fake.images(yc_folder_id))
    db_left = [i["id"] for i in yc_fake.images(yc_folder_id) if i.get("family") == "db-server"]
    assert db_left == _ids(db)


def test_newest_means_created_at_not_name_or_insertion_order(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    newest = yc_images.create(family="app", name="a-newest", createdAt="2025-03-01T00:00:00.5Z")
    oldest = yc_images.create(family="app", name="z-oldest", createdAt="2025-01-01T00:00:00Z")
    middle = yc_images.create(family="app", name="m-middle", createdAt="2025-03-01T00:00:00Z")

    assert keep_newest(yc_client, yc_folder_id, keep=1) == [oldest["id"], middle["id"]]
    assert _ids(yc_fake.images(yc_folder_id)) == [newest["id"]]


def test_keeps_ready_images_only_and_leaves_images_in_flight_alone(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    old_ready = yc_images.create(family="app", name="old-ready")
    ready = yc_images.create(family="app", name="ready")
    yc_images.create("error", family="app", name="broken")
    yc_images.create("creating", family="app", name="in-the-making")
    yc_images.create("deleting", family="app", name="on-its-way-out")

    deleted = keep_newest(yc_client, yc_folder_id, keep=1)

    assert deleted[0] == old_ready["id"]
    assert len(deleted) == 2  # old-ready and broken; the newer ERROR image does not count
    assert _names(yc_fake, yc_folder_id) == {"ready", "in-the-making", "on-its-way-out"}
    assert ready["id"] not in deleted


def test_keep_zero_deletes_every_family_member_but_nothing_else(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    yc_images.family("app", versions=3)
    yc_images.create(name="loose")
    other_folder = yc_images.create(family="app", name="elsewhere", folderId="b1gotherfolder000001")

    assert len(keep_newest(yc_client, yc_folder_id, keep=0)) == 3

    assert _names(yc_fake, yc_folder_id) == {"loose"}
    assert _ids(yc_fake.images("b1gotherfolder000001")) == [other_folder["id"]]


def test_refuses_a_negative_keep(yc_client: httpx.Client, yc_folder_id: str) -> None:
    with pytest.raises(ValueError, match="keep must be at least 0"):
        keep_newest(yc_client, yc_folder_id, keep=-1)


@pytest.mark.parametrize(("page_size", "pages"), [(100, 3), (50, 5), (1000, 1)])
def test_follows_next_page_token(
    yc_client: httpx.Client,
    yc_images: ImageFactory,
    yc_fake: FakeImageService,
    yc_folder_id: str,
    page_size: int,
    pages: int,
) -> None:
    app = yc_images.family("app", versions=250)

    deleted = keep_newest(yc_client, yc_folder_id, keep=240, page_size=page_size)

    assert deleted == _ids(app[:10])  # the oldest ten, though they were on the first page
    assert len(yc_fake.images(yc_folder_id)) == 240
    lists = yc_fake.journal.calls("List")
    assert len(lists) == pages
    assert all(call.request["pageSize"] == str(page_size) for call in lists)
    assert [("pageToken" in call.request) for call in lists] == [False] + [True] * (pages - 1)


# --- retries ---------------------------------------------------------------------------
def test_retries_an_unavailable_list(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    app = yc_images.family("app", versions=2)
    yc_fake.fail_next("List", "UNAVAILABLE")

    assert keep_newest(yc_client, yc_folder_id, keep=1) == [app[0]["id"]]
    assert [call.code for call in yc_fake.journal.calls("List")] == [14, 0]


def test_gives_up_after_the_retries(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    yc_images.family("app", versions=2)
    yc_fake.fail_next("List", "UNAVAILABLE", times=3)

    with pytest.raises(httpx.HTTPStatusError, match="503"):
        keep_newest(yc_client, yc_folder_id, keep=1, retries=2)
    assert len(yc_fake.journal.calls("List")) == 3
    assert len(yc_fake.images(yc_folder_id)) == 2


def test_does_not_retry_other_errors(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    yc_images.family("app", versions=2)
    yc_fake.fail_next("Delete", "PERMISSION_DENIED")

    with pytest.raises(httpx.HTTPStatusError, match="403"):
        keep_newest(yc_client, yc_folder_id, keep=1)
    assert len(yc_fake.journal.calls("Delete")) == 1


def test_backs_off_exponentially(
    yc_client: httpx.Client,
    yc_images: ImageFactory,
    yc_fake: FakeImageService,
    yc_folder_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    yc_images.family("app", versions=2)
    yc_fake.fail_next("List", "UNAVAILABLE", times=3)
    slept: list[float] = []
    monkeypatch.setattr(cleanup.time, "sleep", slept.append)

    keep_newest(yc_client, yc_folder_id, keep=1, backoff=0.5)

    assert slept == [0.5, 1.0, 2.0]


def test_a_lost_delete_reply_does_not_delete_twice(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    old, new = yc_images.family("app", versions=2)
    yc_fake.lose_reply("Delete")  # the delete happens, the caller sees UNAVAILABLE

    assert keep_newest(yc_client, yc_folder_id, keep=1) == [old["id"]]

    first, retry = yc_fake.journal.calls("Delete")
    assert (first.code, retry.code) == (14, 0)
    assert first.idempotency_key is not None
    assert retry.idempotency_key == first.idempotency_key
    operations = yc_fake.operations(old["id"])
    assert len(operations) == 1  # the retry got the first call's operation back
    assert operations[0]["done"] is True
    assert _ids(yc_fake.images(yc_folder_id)) == [new["id"]]


def test_each_delete_has_its_own_idempotency_key(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    yc_images.family("app", versions=4)

    assert len(keep_newest(yc_client, yc_folder_id, keep=1)) == 3

    keys = [call.idempotency_key for call in yc_fake.journal.calls("Delete")]
    assert len(set(keys)) == 3
    assert None not in keys


# --- operations ------------------------------------------------------------------------
def test_polls_every_delete_to_done(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    """On-poll completion: a delete nobody polls leaves its image DELETING forever."""
    assert yc_fake.completion == "on-poll"
    app = yc_images.family("app", versions=4)

    deleted = keep_newest(yc_client, yc_folder_id, keep=1)

    assert deleted == _ids(app[:3])
    assert _ids(yc_fake.images(yc_folder_id)) == [app[3]["id"]]  # gone, not DELETING
    assert yc_fake.unfinished_operations() == []
    for image_id in deleted:
        (operation,) = yc_fake.operations(image_id)
        assert yc_fake.journal.polls(operation["id"])


def test_the_poll_check_catches_code_that_never_polls(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    """The control for the test above: deleting without polling is visible."""
    image = yc_images.create(family="app")
    assert yc_client.delete(f"/compute/v1/images/{image['id']}").status_code == 200
    assert [i["status"] for i in yc_fake.images(yc_folder_id)] == ["DELETING"]
    assert len(yc_fake.unfinished_operations()) == 1


def test_a_failed_delete_operation_is_an_error(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    old, _ = yc_images.family("app", versions=2)
    yc_fake.fail_next_operation("Delete", "INTERNAL", message="disk is busy")

    with pytest.raises(CleanupError, match=f"deleting image {old['id']} failed: disk is busy"):
        keep_newest(yc_client, yc_folder_id, keep=1)
    assert len(yc_fake.images(yc_folder_id)) == 2


@pytest.mark.yc_images(completion="manual")
def test_gives_up_on_an_operation_that_never_ends(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    old, _ = yc_images.family("app", versions=2)

    with pytest.raises(CleanupError, match="not done after 3 polls"):
        keep_newest(yc_client, yc_folder_id, keep=1, max_polls=3, poll_interval=0.01)

    (operation,) = yc_fake.operations(old["id"])
    assert len(yc_fake.journal.polls(operation["id"])) == 3
    assert all(gap >= 0.01 for gap in yc_fake.journal.poll_gaps(operation["id"]))
    yc_fake.complete(operation["id"])


@pytest.mark.yc_images(completion="immediate")
def test_an_operation_done_at_once_is_not_polled(
    yc_client: httpx.Client, yc_images: ImageFactory, yc_fake: FakeImageService, yc_folder_id: str
) -> None:
    yc_images.family("app", versions=3)

    assert len(keep_newest(yc_client, yc_folder_id, keep=1)) == 2
    assert yc_fake.journal.calls("OperationService.Get") == []


# --- over a real socket ----------------------------------------------------------------
def test_works_over_http_against_the_server(yc_server: YcServer, yc_folder_id: str) -> None:
    factory = ImageFactory(yc_server.fake, folder_id=yc_folder_id)
    app = factory.family("app", versions=3)
    yc_server.fake.lose_reply("Delete")
    headers = {"Authorization": f"Bearer {yc_server.token}"}

    with httpx.Client(base_url=yc_server.url, headers=headers, timeout=10) as client:
        deleted = keep_newest(client, yc_folder_id, keep=1)

    assert deleted == _ids(app[:2])
    assert _ids(yc_server.fake.images(yc_folder_id)) == [app[2]["id"]]
    assert len(yc_server.fake.operations()) == 2
