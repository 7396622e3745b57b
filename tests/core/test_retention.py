"""Count-based retention: what a long-running fake releases, and what a client sees then."""

from __future__ import annotations

import uuid

import pytest

from pytest_yc_images import Code, FakeImageService, ServiceError
from pytest_yc_images._core.store import DEFAULT_RETAINED_KEYS, DEFAULT_RETAINED_OPERATIONS

SRC = {"uri": "https://storage.example/a.qcow2"}  # a Create names one source
FOLDER = "b1gretention00000001"
TOKEN = "fake-iam-token"
# Idempotency-Keys are UUIDs (the API design guide, concepts/idempotency).
K1, K2, K3 = (str(uuid.UUID(int=n)) for n in (0xA1, 0xA2, 0xA3))


def _create_and_delete(fake: FakeImageService, n: int, *, keyed: bool = True) -> list[str]:
    """``n`` images created and deleted through the request path; their operation IDs."""
    rpc, op_ids = fake._rpc, []
    for i in range(n):
        created = rpc.call(
            "ImageService.Create",
            {"folderId": FOLDER, "name": f"img-{i}", "uri": "https://storage.example/a.qcow2"},
            token=TOKEN,
            idempotency_key=str(uuid.UUID(int=2 * i)) if keyed else None,
            size=60,
        )
        assert created.code is Code.OK, created.body
        deleted = rpc.call(
            "ImageService.Delete",
            {"imageId": created.body["metadata"]["imageId"]},
            token=TOKEN,
            idempotency_key=str(uuid.UUID(int=2 * i + 1)) if keyed else None,
            size=40,
        )
        assert deleted.code is Code.OK, deleted.body
        op_ids += [created.body["id"], deleted.body["id"]]
    return op_ids


def test_50k_creates_and_deletes_return_to_the_baseline_plus_the_window() -> None:
    fake = FakeImageService(seed="retention", completion="immediate")
    store, service = fake.service.store, fake.service
    baseline = (len(store.images), len(store.operations), len(store.operations_by_image))
    assert len(service.idempotency) == 0

    op_ids = _create_and_delete(fake, 50_000)

    assert len(store.images) == baseline[0]
    assert len(store.operations) == baseline[1] + DEFAULT_RETAINED_OPERATIONS
    assert len(store.retired) == DEFAULT_RETAINED_OPERATIONS
    # Two operations per image: the newest window's images still have their lists.
    assert len(store.operations_by_image) == baseline[2] + DEFAULT_RETAINED_OPERATIONS // 2
    assert len(service.idempotency) == DEFAULT_RETAINED_KEYS
    assert set(store.operations) >= set(op_ids[-DEFAULT_RETAINED_OPERATIONS:])
    assert not set(store.operations) & set(op_ids[:-DEFAULT_RETAINED_OPERATIONS])


def test_a_released_operation_is_not_found_as_an_unknown_one_is() -> None:
    fake = FakeImageService(seed="retention", completion="immediate")
    fake.service.store.retained_operations = 4
    old, *_, kept = _create_and_delete(fake, 5)
    with fake.client() as client:
        released = client.get(f"/operations/{old}")
        unknown = client.get("/operations/fd8nosuchoperation000")
        retained = client.get(f"/operations/{kept}")
    assert released.status_code == unknown.status_code == 404
    assert released.json()["message"] == f"Operation {old} not found"
    assert retained.status_code == 200
    assert retained.json()["done"] is True
    assert len(fake.service.store.operations) == 4
    assert old not in {op["id"] for op in fake.operations()}


def test_operations_of_live_images_are_never_released() -> None:
    fake = FakeImageService(seed="retention", completion="immediate")
    fake.service.store.retained_operations = 0
    live = fake.call(
        "Create", {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "live"}
    )
    _create_and_delete(fake, 3)
    assert [op["id"] for op in fake.operations()] == [live["id"]]
    image_id = live["metadata"]["imageId"]
    assert fake.call("ListOperations", {"imageId": image_id})["operations"][0]["id"] == live["id"]


def test_a_delete_that_aborts_a_running_create_releases_both_once_finished() -> None:
    fake = FakeImageService(seed="retention", completion="manual")
    fake.service.store.retained_operations = 0
    create = fake.call(
        "Create", {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "slow"}
    )
    delete = fake.call("Delete", {"imageId": create["metadata"]["imageId"]})
    fake.complete(delete["id"])
    assert fake.operations() == []
    assert fake.service.store.operations_by_image == {}


def test_a_reused_image_id_keeps_its_own_operations() -> None:
    fake = FakeImageService(seed="retention", completion="immediate")
    fake.service.store.retained_operations = 1
    created = fake.call(
        "Create", {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "first"}
    )
    image_id = created["metadata"]["imageId"]
    fake.call("Delete", {"imageId": image_id})
    fake.put_image(id=image_id, folderId=FOLDER, name="again")
    update = fake.call(
        "Update", {"imageId": image_id, "updateMask": "description", "description": "d"}
    )
    _create_and_delete(fake, 1, keyed=False)  # releases the first image's operations
    assert [op["id"] for op in fake.operations(image_id)] == [update["id"]]
    listed = fake.call("ListOperations", {"imageId": image_id})["operations"]
    assert [op["id"] for op in listed] == [update["id"]]


def test_a_released_key_starts_a_new_operation() -> None:
    fake = FakeImageService(seed="retention", completion="immediate")
    fake.service.idempotency.limit = 2
    first = fake.call(
        "Create",
        {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "a"},
        idempotency_key=K1,
    )
    again = fake.call(
        "Create",
        {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "a"},
        idempotency_key=K1,
    )
    assert again["id"] == first["id"]  # kept: the repeat answers the first's operation
    fake.call(
        "Create",
        {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "b"},
        idempotency_key=K2,
    )
    fake.call(
        "Create",
        {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "c"},
        idempotency_key=K3,
    )
    assert len(fake.service.idempotency) == 2
    # Released: a new call, which finds the name taken (a kept key would answer `first`).
    with pytest.raises(ServiceError, match="already exists"):
        fake.call(
            "Create",
            {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "a"},
            idempotency_key=K1,
        )


def test_a_key_whose_operation_was_released_is_answered_as_a_new_call() -> None:
    fake = FakeImageService(seed="retention", completion="immediate")
    fake.service.store.retained_operations = 0
    first = fake.call(
        "Create",
        {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "a"},
        idempotency_key=K1,
    )
    fake.call("Delete", {"imageId": first["metadata"]["imageId"]})
    assert first["id"] not in {op["id"] for op in fake.operations()}
    again = fake.call(
        "Create",
        {"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "a"},
        idempotency_key=K1,
    )
    assert again["id"] != first["id"]
    assert again["done"] is True


def test_snapshot_and_restore_keep_the_retention_state() -> None:
    fake = FakeImageService(seed="retention", completion="immediate")
    fake.service.store.retained_operations = 2
    _create_and_delete(fake, 1)
    saved = fake.snapshot()
    _create_and_delete(fake, 2)
    fake.restore(saved)
    assert len(fake.service.store.retired) == 2
    assert len(fake.service.idempotency) == 2
    _create_and_delete(fake, 1)
    assert len(fake.service.store.operations) == 2


def test_idempotency_keys_read_and_write_as_a_mapping_oldest_first() -> None:
    from pytest_yc_images._core.store import FirstCall, IdempotencyKeys

    keys = IdempotencyKeys(limit=2)
    k1, k2, k3 = (("subject", k) for k in (K1, K2, K3))
    op1, op1b, op2, op3 = (FirstCall(o, "ImageService.Create", "d") for o in ("1", "1b", "2", "3"))
    keys[k1] = op1
    keys[k2] = op2
    keys[k1] = op1b  # a key set again keeps its place
    keys[k3] = op3
    assert list(keys.items()) == [(k2, op2), (k3, op3)]
    assert k1 not in keys
    assert keys.get(k3) == op3


def test_the_id_source_keeps_nothing_per_id_and_skips_ids_in_use() -> None:
    from pytest_yc_images._core.ids import IdSource

    source, twin = IdSource("ids"), IdSource("ids")
    first = source.new("fd8")
    assert source.state() == (source.state()[0], 1)  # a key and a count, whatever was issued
    assert twin.new("fd8", taken={first}) == source.new("fd8")  # drew again past the taken one
    fake = FakeImageService(seed="retention", completion="immediate")
    _create_and_delete(fake, 100, keyed=False)
    assert fake.service.ids.state()[1] == 1 + 300  # the page-token secret, 3 IDs a cycle
