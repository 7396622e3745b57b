"""ImageService.Create through REST: sources, validation, names, IDs and idempotency."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

GIB = 1024**3
WINDOWS_IMAGE = "fd8vfg7bpl9lj0s6tq1m"  # standard-images, windows-2022-dc-gvlk
ID = re.compile(r"[a-z0-9]{20}")
# Idempotency-Keys are UUIDs (the API design guide, concepts/idempotency).
KEY_1 = "6e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b"
KEY_2 = "7f2a3b4c-5d6e-4f70-8b8c-0d1e2f3a4b5c"


def test_create_from_a_file_gives_a_ready_image_after_the_poll(api: Api) -> None:
    image = api.ready_image(name="plain", description="d", labels={"env": "test"}, family="fam")
    assert image["name"] == "plain"
    assert image["description"] == "d"
    assert image["labels"] == {"env": "test"}
    assert image["family"] == "fam"
    assert image["folderId"] == api.folder
    assert image["status"] == "READY"


def test_image_source_is_inherited(api: Api) -> None:
    source = api.get(WINDOWS_IMAGE).json()
    image = api.ready_image(name="copy", imageId=WINDOWS_IMAGE)
    for field in ("os", "productIds", "minDiskSize", "storageSize"):
        assert image[field] == source[field], field
    assert image["os"] == {"type": "WINDOWS"}


def test_fields_given_in_the_request_win_over_the_source_image(api: Api) -> None:
    source = api.get(WINDOWS_IMAGE).json()
    bigger = int(source["minDiskSize"]) + GIB
    image = api.ready_image(
        imageId=WINDOWS_IMAGE,
        os={"type": "LINUX"},
        productIds=["own-license"],
        minDiskSize=str(bigger),
    )
    assert image["os"] == {"type": "LINUX"}
    assert image["productIds"] == ["own-license"]
    assert image["minDiskSize"] == str(bigger)
    assert image["storageSize"] == source["storageSize"]  # never given: always inherited


def test_min_disk_size_below_the_source_size_is_rejected(api: Api) -> None:
    reply = api.create(imageId=WINDOWS_IMAGE, minDiskSize=4 * 1024**2)
    assert reply.status_code == 400
    assert api.violations(reply) == ["minDiskSize"]


def test_source_image_that_is_not_ready_is_a_failed_precondition(api: Api) -> None:
    pending = api.create(name="pending").json()["metadata"]["imageId"]
    reply = api.create(imageId=pending)
    assert reply.status_code == 400
    assert reply.json()["code"] == 9  # FAILED_PRECONDITION


def test_disk_source_needs_a_registered_disk(api: Api, fake: FakeImageService) -> None:
    fake.add_disk("disk-1", folder_id=api.folder, size=20 * GIB, os_type="WINDOWS")
    image = api.ready_image(diskId="disk-1")
    assert image["storageSize"] == str(20 * GIB)
    assert image["os"] == {"type": "WINDOWS"}
    assert int(image["minDiskSize"]) >= 20 * GIB


def test_snapshot_source_needs_a_registered_snapshot(api: Api, fake: FakeImageService) -> None:
    fake.add_snapshot(
        "snap-1",
        folder_id=api.folder,
        storage_size=3 * GIB,
        disk_size=12 * GIB,
        product_ids=["p1"],
    )
    image = api.ready_image(snapshotId="snap-1")
    assert image["storageSize"] == str(3 * GIB)
    assert image["minDiskSize"] == str(12 * GIB)
    assert image["productIds"] == ["p1"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("imageId", "fd8doesnotexist00000"), ("diskId", "no-such-disk"), ("snapshotId", "no-snap")],
)
def test_unknown_source_is_not_found(api: Api, field: str, value: str) -> None:
    reply = api.create(**{field: value})
    assert reply.status_code == 404
    assert value in reply.json()["message"]
    assert api.list_all() == []  # nothing half-made


def test_a_file_no_test_described_is_4_mib(api: Api) -> None:
    """The documented default of an unknown URI: 4 MiB, the smallest minDiskSize fits."""
    image = api.ready_image(uri="https://storage.yandexcloud.net/bucket/disk.qcow2")
    assert image["storageSize"] == "4194304"
    assert image["minDiskSize"] == "4194304"
    smallest = api.ready_image(uri="https://storage.yandexcloud.net/b/d.qcow2", minDiskSize=4194304)
    assert smallest["minDiskSize"] == "4194304"


@pytest.mark.parametrize("body", [{}, {"imageId": ""}, {"snapshotId": ""}])
def test_a_create_without_a_source_names_each_source_field(api: Api, body: dict[str, str]) -> None:
    """live/image_service.proto: "Only one field must by specified" (once exactly_one)."""
    reply = api.http.post("/compute/v1/images", json={"folderId": api.folder, **body})
    assert reply.status_code == 400
    assert reply.json()["code"] == 3
    assert api.violations(reply) == ["imageId", "diskId", "snapshotId", "uri"]
    assert api.list_all() == []  # nothing made


@pytest.mark.parametrize(
    "uri", ["http://storage.yandexcloud.net/b/x.qcow2", "ftp://host/x", "s3://b/x", "file:///x"]
)
def test_non_https_uri_is_invalid(api: Api, uri: str) -> None:
    reply = api.create(uri=uri)
    assert reply.status_code == 400
    assert api.violations(reply) == ["uri"]


@pytest.mark.parametrize(
    "sources",
    [
        {"imageId": WINDOWS_IMAGE, "diskId": "d"},
        {"imageId": WINDOWS_IMAGE, "uri": "https://x/y"},
        {"diskId": "d", "snapshotId": "s"},
        {"snapshotId": "s", "uri": "https://x/y"},
        {"imageId": WINDOWS_IMAGE, "diskId": "d", "snapshotId": "s", "uri": "https://x/y"},
    ],
)
def test_two_sources_are_invalid(api: Api, sources: dict[str, str]) -> None:
    reply = api.create(**sources)
    assert reply.status_code == 400
    assert set(api.violations(reply)) == set(sources)


def test_every_bad_field_is_named(api: Api) -> None:
    reply = api.http.post(
        "/compute/v1/images",
        json={
            "folderId": "",
            "name": "Bad_Name",
            "family": "X",
            "description": "x" * 257,
            "labels": {"env": "UPPER"},
            "minDiskSize": 1,
            "productIds": ["p" * 51],
            "unknownField": 1,
        },
    )
    assert reply.status_code == 400
    assert reply.json()["code"] == 3
    named = set(api.violations(reply))
    assert {"folderId", "name", "family", "description", "minDiskSize", "unknownField"} <= named
    assert "labels.env" in named
    assert "productIds[0]" in named


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "folderId"),
        ({"folderId": "f"}, "uri"),
        ({"folderId": "f", "name": "-starts-with-dash"}, "name"),
        ({"folderId": "f", "name": "x" * 64}, "name"),
        ({"folderId": "f", "labels": {"Key": "v"}}, "labels"),
        ({"folderId": "f", "minDiskSize": 4398046511105}, "minDiskSize"),
        ({"folderId": "f", "minDiskSize": "12abc"}, "minDiskSize"),
        ({"folderId": "f", "os": {"type": "BSD"}}, "os.type"),
        ({"folderId": "f", "pooled": "yes"}, "pooled"),
        ({"folderId": 42}, "folderId"),
    ],
)
def test_single_bad_field_is_named(api: Api, body: dict[str, Any], field: str) -> None:
    reply = api.http.post("/compute/v1/images", json=body)
    assert reply.status_code == 400
    assert field in api.violations(reply)


def test_names_are_unique_within_a_folder(api: Api) -> None:
    assert api.create(name="same").status_code == 200
    again = api.create(name="same")
    assert again.status_code == 409
    assert again.json()["code"] == 6
    assert api.create("b1gotherfolder", name="same").status_code == 200


def test_a_name_is_free_again_after_delete(api: Api) -> None:
    image = api.ready_image(name="reused")
    api.poll(api.delete(image["id"]).json()["id"])
    assert api.create(name="reused").status_code == 200


def test_ids_are_twenty_lowercase_alphanumerics_with_the_image_prefix(api: Api) -> None:
    ops = [api.create(name=f"n{i}x").json() for i in range(5)]
    ids = [op["metadata"]["imageId"] for op in ops] + [op["id"] for op in ops]
    assert len(set(ids)) == len(ids)
    for ident in ids:
        assert ID.fullmatch(ident), ident
    for op in ops:
        assert op["metadata"]["imageId"].startswith("fd8")


def _created_ids(make_api: Callable[..., Api], seed: int) -> list[str]:
    other = make_api(FakeImageService(seed=seed))
    return [other.create(name=f"img{i}").json()["metadata"]["imageId"] for i in range(3)]


def test_same_seed_same_ids(make_api: Callable[..., Api]) -> None:
    assert _created_ids(make_api, 7) == _created_ids(make_api, 7)
    assert _created_ids(make_api, 7) != _created_ids(make_api, 8)
    assert _created_ids(make_api, "7") == _created_ids(make_api, "7")
    assert _created_ids(make_api, "7") != _created_ids(make_api, 7)  # a string is its own seed


def test_ids_use_the_whole_alphabet_evenly() -> None:
    fake = FakeImageService(seed=3)
    tails = "".join(fake.put_image(folderId="f")["id"][3:] for _ in range(2000))
    counts = {char: tails.count(char) for char in set(tails)}
    assert set(counts) == set("abcdefghijklmnopqrstuv0123456789")
    assert max(counts.values()) < 1.5 * min(counts.values())  # 34,000 draws, 1,062 each


def test_a_restored_fake_issues_the_ids_it_issued_after_the_snapshot() -> None:
    fake = FakeImageService(seed=9)
    fake.put_image(folderId="f")
    saved = fake.snapshot()
    after = [fake.put_image(folderId="f")["id"] for _ in range(3)]
    fake.restore(saved)
    assert [fake.put_image(folderId="f")["id"] for _ in range(3)] == after
    other = FakeImageService(seed=10)  # another fake, another seed: the snapshot decides
    other.restore(saved)
    assert [other.put_image(folderId="f")["id"] for _ in range(3)] == after
    fake.reset(seed=11)
    fake.restore(saved)
    assert [fake.put_image(folderId="f")["id"] for _ in range(3)] == after


@pytest.mark.parametrize("seed", [0, -1, 2**70, 1.5, "seed", "", b"seed", bytearray(b"seed")])
def test_every_seed_random_accepted_still_gives_reproducible_ids(seed: object) -> None:
    def ids() -> list[str]:
        fake = FakeImageService(seed=seed)  # type: ignore[arg-type]
        return [fake.put_image(folderId="f")["id"] for _ in range(2)]

    assert ids() == ids()
    assert all(ID.fullmatch(ident) for ident in ids())


def test_a_seed_of_another_type_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="seed must be an int, float, str or bytes, not list"):
        FakeImageService(seed=[1])  # type: ignore[arg-type]


def test_idempotency_key_returns_the_first_operation(api: Api) -> None:
    first = api.create(name="once", idempotency_key=KEY_1)
    second = api.create(name="once", idempotency_key=KEY_1)
    assert first.status_code == second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert [i["name"] for i in api.list_all()] == ["once"]
    other_key = api.create(name="once", idempotency_key=KEY_2)
    assert other_key.status_code == 409  # a new key is a new request


def test_create_without_a_key_twice_makes_two_images(api: Api) -> None:
    api.create()
    api.create()
    assert len(api.list_all()) == 2


def test_idempotency_keys_belong_to_their_caller(
    make_api: Callable[..., Api], fake: FakeImageService
) -> None:
    alice = make_api(fake, token="alice")
    bob = make_api(fake, token="bob")
    first = alice.create("b1gfoldera", idempotency_key=KEY_1).json()
    second = bob.create("b1gfolderb", idempotency_key=KEY_1).json()
    assert first["id"] != second["id"]
    assert len(fake.operations()) == 2


def test_a_failed_create_does_not_use_up_its_key(api: Api) -> None:
    assert api.create(name="BAD", idempotency_key=KEY_1).status_code == 400
    good = api.create(name="good", idempotency_key=KEY_1)
    assert good.status_code == 200
    assert api.create(name="good", idempotency_key=KEY_1).json()["id"] == good.json()["id"]
