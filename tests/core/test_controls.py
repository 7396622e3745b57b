"""Test controls, in Python and over HTTP under /_fake/: state, time, operations, faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from pytest_yc_images import PUBLIC_FOLDER, FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

GIB = 1024**3


# --- Python controls -------------------------------------------------------------------
@pytest.mark.parametrize("status", ["CREATING", "READY", "ERROR", "DELETING"])
def test_put_image_in_any_status(api: Api, fake: FakeImageService, status: str) -> None:
    put = fake.put_image(
        folderId=api.folder,
        name="placed",
        status=status,
        labels={"a": "b"},
        family="fam",
        storageSize=str(3 * GIB),
        os={"type": "WINDOWS"},
        productIds=["p"],
        createdAt="2025-01-02T03:04:05Z",
    )
    got = api.get(put["id"]).json()
    assert got == put
    assert got["status"] == status
    assert got["createdAt"] == "2025-01-02T03:04:05Z"
    assert got["minDiskSize"] == str(3 * GIB)  # defaults to the storage size
    assert fake.images(api.folder) == [put]


def test_put_image_keeps_names_unique(api: Api, fake: FakeImageService) -> None:
    fake.put_image(folderId=api.folder, name="once")
    with pytest.raises(Exception, match="already exists"):
        fake.put_image(folderId=api.folder, name="once")


def test_put_image_refuses_unknown_fields_and_statuses(fake: FakeImageService) -> None:
    with pytest.raises(ValueError, match="colour: unknown field"):
        fake.put_image(folderId="f", colour="red")
    with pytest.raises(ValueError, match="status: must be one of CREATING, READY, ERROR, DELETING"):
        fake.put_image(folderId="f", status="BROKEN")
    with pytest.raises(ValueError, match="folderId: is required"):
        fake.put_image(name="nofolder")


def test_images_and_operations_views(api: Api, fake: FakeImageService) -> None:
    assert len(fake.images(PUBLIC_FOLDER)) >= 4
    assert fake.images(api.folder) == []
    op = api.create(name="viewed").json()
    assert [o["id"] for o in fake.operations()] == [op["id"]]
    assert [o["id"] for o in fake.operations(op["metadata"]["imageId"])] == [op["id"]]
    assert fake.operations("fd8nosuchimage000000") == []
    assert [i["name"] for i in fake.images(api.folder)] == ["viewed"]


def test_snapshot_and_restore(api: Api, fake: FakeImageService) -> None:
    kept = api.ready_image(name="kept")
    saved = fake.snapshot()
    doomed = api.ready_image(name="doomed")
    api.poll(api.delete(kept["id"]).json()["id"])
    fake.restore(saved)
    assert [i["id"] for i in api.list_all()] == [kept["id"]]
    assert api.get(doomed["id"]).status_code == 404
    assert api.get(kept["id"]).json() == kept
    fake.restore(saved)  # a snapshot can be restored more than once
    assert api.ready_image(name="doomed")["name"] == "doomed"


def test_restore_does_not_move_the_clock_back(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="clock")
    api = make_api(fake)
    saved = fake.snapshot()
    fake.advance(100)
    fake.restore(saved)
    op = api.create().json()
    assert op["createdAt"] == "2026-01-01T00:01:40Z"


def test_reset_goes_back_to_a_new_fake(api: Api, fake: FakeImageService) -> None:
    fresh_ids = [FakeImageService(seed=1).put_image(folderId="f")["id"]]
    api.ready_image(name="temporary")
    fake.fail_next("Get")
    fake.reset()
    assert api.list_all() == []
    assert len(api.list_all(PUBLIC_FOLDER)) >= 4
    assert fake.faults == []
    assert api.get("fd8a1ejo4ucrhdihu5ge").status_code == 200  # the fault went too
    assert [fake.put_image(folderId="f")["id"]] == fresh_ids  # the ID sequence restarts


def test_reset_clears_the_journal(api: Api, fake: FakeImageService) -> None:
    api.list()
    fake.reset()
    assert len(fake.journal) == 0


def test_reset_with_new_options(api: Api, fake: FakeImageService) -> None:
    fake.reset(completion="immediate")
    assert fake.completion == "immediate"
    assert api.create().json()["done"] is True


# --- the same over HTTP ----------------------------------------------------------------
def _ok(reply: Any) -> Any:
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_http_put_and_list_images(api: Api) -> None:
    put = _ok(api.http.post("/_fake/images", json={"folderId": api.folder, "status": "ERROR"}))
    assert api.get(put["id"]).json()["status"] == "ERROR"
    listed = _ok(api.http.get("/_fake/images"))["images"]
    assert put in listed
    assert any(i["folderId"] == PUBLIC_FOLDER for i in listed)


def test_http_disks_and_snapshots(api: Api) -> None:
    _ok(api.http.post("/_fake/disks", json={"id": "d1", "folderId": api.folder, "size": 5 * GIB}))
    _ok(
        api.http.post(
            "/_fake/snapshots",
            json={"id": "s1", "folderId": api.folder, "storageSize": GIB, "diskSize": 6 * GIB},
        )
    )
    assert api.ready_image(diskId="d1")["storageSize"] == str(5 * GIB)
    assert api.ready_image(snapshotId="s1")["minDiskSize"] == str(6 * GIB)


def test_http_operations_complete_and_fail(make_api: Callable[..., Api]) -> None:
    api = make_api(FakeImageService(completion="manual"))
    first = api.create(name="first").json()
    second = api.create(name="second").json()
    listed = _ok(api.http.get("/_fake/operations"))["operations"]
    assert [o["id"] for o in listed] == [first["id"], second["id"]]
    completed = _ok(api.http.post(f"/_fake/operations/{first['id']}:complete"))
    assert completed["done"] is True
    failed = _ok(
        api.http.post(
            f"/_fake/operations/{second['id']}:fail", json={"code": "UNAVAILABLE", "message": "x"}
        )
    )
    assert failed["error"]["code"] == 14
    assert api.get(first["metadata"]["imageId"]).json()["status"] == "READY"
    assert api.get(second["metadata"]["imageId"]).json()["status"] == "ERROR"
    again = api.http.post(f"/_fake/operations/{first['id']}:complete")
    assert again.status_code == 400  # already done
    missing = api.http.post("/_fake/operations/fd8nosuchoperation00:complete")
    assert missing.status_code == 404


def test_http_clock_and_completion(api: Api, fake: FakeImageService) -> None:
    _ok(api.http.post("/_fake/completion", json={"mode": "clock"}))
    assert fake.completion == "clock"
    op = api.create().json()
    now = _ok(api.http.post("/_fake/clock:advance", json={"seconds": 30}))["now"]
    assert now == fake.clock.now()
    assert api.poll(op["id"]).json()["done"] is True


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_fake/completion", {"mode": "sometimes"}),
        ("/_fake/clock:advance", {"seconds": -1}),
        ("/_fake/clock:advance", {}),
        ("/_fake/faults", {"kind": "meteor", "method": "Get"}),
        ("/_fake/faults", {"kind": "error", "method": "Nope"}),
        ("/_fake/images", {"folderId": "f", "status": "BROKEN"}),
        ("/_fake/disks", {"folderId": "f"}),
    ],
)
def test_http_bad_control_requests_are_400(api: Api, path: str, body: dict[str, Any]) -> None:
    reply = api.http.post(path, json=body)
    assert reply.status_code == 400
    assert reply.json()["code"] == 3


def test_http_faults(api: Api, fake: FakeImageService) -> None:
    added = _ok(
        api.http.post(
            "/_fake/faults", json={"kind": "error", "method": "Get", "code": "INTERNAL", "times": 1}
        )
    )
    assert added["fired"] == 0
    assert api.get("fd8a1ejo4ucrhdihu5ge").status_code == 500
    faults = _ok(api.http.get("/_fake/faults"))["faults"]
    assert [(f["kind"], f["method"], f["fired"]) for f in faults] == [
        ("error", "ImageService.Get", 1)
    ]
    _ok(api.http.post("/_fake/faults", json={"kind": "lost_reply", "method": "Create"}))
    assert len(fake.faults) == 2
    _ok(api.http.delete("/_fake/faults"))
    assert fake.faults == []
    assert api.create().status_code == 200


def test_http_journal(api: Api) -> None:
    api.get("fd8a1ejo4ucrhdihu5ge")
    api.get("fd8nosuchimage000000")
    entries = _ok(api.http.get("/_fake/journal"))["entries"]
    assert [(e["method"], e["code"]) for e in entries] == [
        ("ImageService.Get", 0),
        ("ImageService.Get", 5),
    ]
    assert entries[0]["response"]["id"] == "fd8a1ejo4ucrhdihu5ge"
    assert entries[1]["error"]["code"] == 5
    # Control calls are not API calls: they are not journalled.
    assert len(_ok(api.http.get("/_fake/journal"))["entries"]) == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_fake/nothing"),
        ("POST", "/_fake/operations"),
        ("PUT", "/_fake/images"),
        ("GET", "/_fake"),
    ],
)
def test_http_unknown_controls_are_404(api: Api, method: str, path: str) -> None:
    assert api.http.request(method, path).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_fake/images"),
        ("POST", "/_fake/images"),
        ("GET", "/_fake/journal"),
        ("POST", "/_fake/clock:advance"),
        ("DELETE", "/_fake/faults"),
    ],
)
def test_http_controls_can_be_disabled(
    make_api: Callable[..., Api], method: str, path: str
) -> None:
    fake = FakeImageService(http_controls=False)
    api = make_api(fake)
    reply = api.http.request(method, path, json={"folderId": "f", "seconds": 1})
    assert reply.status_code == 404
    assert reply.json()["code"] == 5
    assert fake.images("f") == []
    assert api.get("fd8a1ejo4ucrhdihu5ge").status_code == 200  # the API itself still works
