"""State files: a fake's state dumped to plain JSON and loaded back, and bad data refused
naming the field with the fake unchanged (``FakeImageService.save_state``/``load_state``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_yc_images import PUBLIC_FOLDER, FakeImageService
from pytest_yc_images._contracts import state_validator
from pytest_yc_images._state import StateError

FOLDER = "b1gstatefolder000001"
KEY = "5f0c9d2e-3b1a-4c6d-8e7f-0a1b2c3d4e5f"  # an Idempotency-Key is a UUID
SOURCE = "https://storage.yandexcloud.net/b/x.qcow2"


def _busy_fake(**options: Any) -> tuple[FakeImageService, dict[str, str]]:
    """A fake with one image of each kind of history, a disk, a snapshot and a key."""
    fake = FakeImageService(seed="state", completion="manual", **options)
    made: dict[str, str] = {}
    with fake.client() as client:
        done = client.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "name": "done", "family": "app", "uri": SOURCE},
            headers={"Idempotency-Key": KEY},
        ).json()
        fake.complete(done["id"])
        made["done"] = done["id"]
        made["running"] = client.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "running"},
        ).json()["id"]
        image_id = done["metadata"]["imageId"]
        made["update"] = client.patch(
            f"/compute/v1/images/{image_id}",
            json={"updateMask": "description", "description": "new"},
        ).json()["id"]
        failed = client.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "bad"},
        )
        made["failed"] = failed.json()["id"]
        fake.fail_operation(made["failed"], "INTERNAL", "broken")
    fake.add_disk("disk-1", folder_id=FOLDER, size=5 * 1024**3)
    fake.add_snapshot("snap-1", folder_id=FOLDER)
    fake.advance(90)
    return fake, made


def test_a_saved_state_loads_into_an_equal_fake(tmp_path: Path) -> None:
    fake, made = _busy_fake()
    path = fake.save_state(tmp_path / "state.json")
    data = json.loads(path.read_text())
    assert list(state_validator().iter_errors(data)) == []  # the file fits its own schema
    assert all(i["folderId"] != PUBLIC_FOLDER for i in data["images"])  # unchanged catalogue

    again = FakeImageService()
    again.load_state(path)

    assert again.images() == fake.images()
    assert again.operations() == fake.operations()
    assert again.service.clock.now() == fake.service.clock.now()
    assert again.completion == "manual"
    # Resumed, not just shown: the running Update finishes and applies its change.
    assert again.complete(made["update"]) == fake.complete(made["update"])
    image_id = again.operations()[0]["metadata"]["imageId"]
    assert {i["id"]: i.get("description") for i in again.images(FOLDER)}[image_id] == "new"
    # The disk and the snapshot are sources again; the ID source goes on where it was.
    with again.client() as client, fake.client() as original:
        body = {"folderId": FOLDER, "name": "from-disk", "diskId": "disk-1"}
        new = client.post("/compute/v1/images", json=body).json()
        assert new == original.post("/compute/v1/images", json=body).json()
        snap = {"folderId": FOLDER, "name": "from-snap", "snapshotId": "snap-1"}
        assert client.post("/compute/v1/images", json=snap).status_code == 200


def test_an_idempotency_key_survives_a_reload(tmp_path: Path) -> None:
    fake, made = _busy_fake()
    again = FakeImageService()
    again.load_state(fake.save_state(tmp_path / "state.json"))
    with again.client() as client:
        repeat = client.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "name": "done", "family": "app", "uri": SOURCE},
            headers={"Idempotency-Key": KEY},
        )
    assert repeat.json()["id"] == made["done"]


def test_a_clock_driven_operation_is_due_after_a_reload(tmp_path: Path) -> None:
    fake = FakeImageService(completion="clock")
    with fake.client() as client:
        op = client.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "c"},
        ).json()
    again = FakeImageService()
    again.load_state(fake.save_state(tmp_path / "state.json"))
    assert again.unfinished_operations() == [op["id"]]
    again.advance(30)
    assert again.unfinished_operations() == []
    assert again.images(FOLDER)[0]["status"] == "READY"


def test_seed_files_of_images_disks_and_snapshots_are_state_files() -> None:
    fake = FakeImageService()
    fake.load_state(
        {
            "images": [{"folderId": FOLDER, "name": "seeded"}],
            "disks": [{"id": "d", "folderId": FOLDER}],
            "snapshots": [{"id": "s", "folderId": FOLDER, "storageSize": "1024"}],
        }
    )
    assert [i["name"] for i in fake.images(FOLDER)] == ["seeded"]
    assert fake.images(PUBLIC_FOLDER)  # the catalogue is still there
    bare = FakeImageService()
    bare.load_state([{"folderId": FOLDER, "name": "listed"}])  # a bare list: the images
    assert [i["name"] for i in bare.images(FOLDER)] == ["listed"]


def test_a_changed_catalogue_image_is_state() -> None:
    fake = FakeImageService()
    standard = fake.images(PUBLIC_FOLDER)[0]
    changed = {**standard, "description": "patched"}
    fake.load_state({"images": [changed]})
    assert {i["id"]: i for i in fake.images(PUBLIC_FOLDER)}[standard["id"]] == changed
    assert len(fake.images(PUBLIC_FOLDER)) == len(FakeImageService().images(PUBLIC_FOLDER))


_DEEP: Any = "x"
for _ in range(200):
    _DEEP = {"a": _DEEP}

BAD: list[tuple[Any, str]] = [
    (None, "(top level)"),
    (42, "(top level)"),
    ({"images": [{"folderId": FOLDER, "os": "LINUX"}]}, "images[0].os"),
    ({"images": [{"folderId": FOLDER, "storageSize": float("inf")}]}, "images[0].storageSize"),
    (
        {"images": [{"folderId": FOLDER, "name": "n"}, {"folderId": FOLDER, "name": "n"}]},
        "images[1].name",
    ),
    ({"images": [{"folderId": FOLDER, "labels": {"k": _DEEP}}]}, "images[0].labels.k"),
    ({"images": [{"folderId": FOLDER}], "disks": [{"id": "d"}]}, "disks[0].folderId"),
    ({"snapshots": [{"id": "s", "folderId": FOLDER, "diskSize": "huge"}]}, "snapshots[0].diskSize"),
    ({"clock": {"now": float("nan")}}, "clock.now"),
    ({"clock": {"now": 1e20}}, "clock.now"),
    ({"operations": [{"id": "x"}]}, "operations[0].method"),
    ({"version": 2}, "version"),
    ({"unknown": []}, "unknown"),
]


@pytest.mark.parametrize(("data", "field"), BAD, ids=[f for _, f in BAD])
def test_bad_state_names_the_field_and_changes_nothing(data: Any, field: str) -> None:
    fake, _ = _busy_fake()
    before = (fake.images(), fake.operations(), fake.service.clock.now())

    with pytest.raises(StateError) as caught:
        fake.load_state(data)

    assert caught.value.field == field
    assert str(caught.value).startswith(field)
    assert "\n" not in str(caught.value)
    assert (fake.images(), fake.operations(), fake.service.clock.now()) == before


def test_a_state_file_is_replaced_whole(tmp_path: Path) -> None:
    fake, _ = _busy_fake()
    path = tmp_path / "state.json"
    path.write_text("old")
    fake.save_state(path)
    assert json.loads(path.read_text())["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary left


def test_save_state_needs_a_path() -> None:
    with pytest.raises(ValueError, match="needs a path"):
        FakeImageService().save_state()


def test_the_save_control_writes_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    fake = FakeImageService(state_file=path)
    fake.put_image(folderId=FOLDER, name="saved")
    with fake.client() as client:
        reply = client.post("/_fake/state:save")
    assert reply.json() == {"path": str(path)}
    assert [i["name"] for i in json.loads(path.read_text())["images"]] == ["saved"]

    with FakeImageService().client() as client:  # no state file: a clear refusal
        refused = client.post("/_fake/state:save")
    assert refused.status_code == 400
    assert "no state file" in refused.json()["message"]


@pytest.mark.parametrize("completion", ["on-poll", "manual", "clock", "immediate"])
def test_a_reloaded_fake_answers_as_the_original_would(tmp_path: Path, completion: str) -> None:
    """Random histories (creates, updates, deletes, cancels, polls, clock moves): after a
    save and a load, the same calls get the same answers from both fakes."""
    import random

    rng = random.Random(completion)
    fake = FakeImageService(seed=completion, completion=completion)

    def step(target: FakeImageService, roll: random.Random) -> Any:
        images = [i["id"] for i in target.images(FOLDER)]
        ops = [o["id"] for o in target.operations() if o["id"]]
        kind = roll.choice(["create", "create", "update", "delete", "poll", "cancel", "tick"])
        with target.client() as client:
            if kind == "create":
                body = {"folderId": FOLDER, "name": f"i{roll.randrange(30)}", "family": "web"}
                body["uri"] = "https://storage.example/a.qcow2"
                return client.post("/compute/v1/images", json=body).json()
            if kind == "update" and images:
                body = {"updateMask": "labels", "labels": {"k": str(roll.random())}}
                return client.patch(f"/compute/v1/images/{roll.choice(images)}", json=body).json()
            if kind == "delete" and images:
                return client.delete(f"/compute/v1/images/{roll.choice(images)}").json()
            if kind == "poll" and ops:
                return client.get(f"/operations/{roll.choice(ops)}").json()
            if kind == "cancel" and ops:
                return client.post(f"/operations/{roll.choice(ops)}:cancel").json()
        target.advance(roll.choice([0, 1, 5, 30]))
        return target.service.clock.now()

    for _ in range(60):
        step(fake, rng)
    assert fake.images(FOLDER)  # a history with images and operations to carry over
    assert len(fake.operations()) > 10
    again = FakeImageService()
    again.load_state(fake.save_state(tmp_path / "state.json"))
    assert again.images() == fake.images()
    assert again.operations() == fake.operations()

    def answer(target: FakeImageService, index: int) -> Any:
        reply = step(target, random.Random(index))
        if isinstance(reply, dict):  # a request ID is each call's own
            reply.pop("details", None)
        return reply

    for index in range(60):
        assert answer(again, index) == answer(fake, index), f"step {index}"
    assert again.images() == fake.images()
    assert again.operations() == fake.operations()
