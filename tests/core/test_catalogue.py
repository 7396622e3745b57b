"""The standard-images catalogue: a data file in the package, valid Image messages, the
families the public pages list, and shared by every fake until one writes to it."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib.resources import files
from typing import Any

import httpx

from pytest_yc_images import PUBLIC_FOLDER, FakeImageService, validator
from pytest_yc_images._state import dump_state

DATA = "data/standard_images.json"
GIB = 1024**3

# What the public pages name (docs/profiles.md cites each): the families a user reaches
# for today, a Windows family and GPU families.
FAMILIES = {
    "ubuntu-2404-lts": "ubuntu-24-04-lts",
    "ubuntu-2204-lts": "ubuntu-22-04-lts",
    "ubuntu-2004-lts": "ubuntu-20-04-lts",
    "debian-12": "debian-12",
    "debian-11": "debian-11",
    "container-optimized-image": "container-optimized-image",
    "windows-2022-dc-gvlk": "windows-2022-dc-gvlk",
    "ubuntu-2204-lts-cuda-12-2": "ubuntu-2204-lts-cuda-12-2",
    "ubuntu-2004-lts-secureboot-cuda-12-2": "ubuntu-2004-lts-secureboot-cuda-12-2",
}
# hardware-generations.md: the Secure Boot CUDA image "has the Gen 2 hardware generation
# assigned to it"; create-gen2-vm.md: other public images get Gen 1.1 or Gen 1.2.
GEN2_FAMILIES = {"ubuntu-2004-lts-secureboot-cuda-12-2"}
GPU_FAMILIES = {"ubuntu-2204-lts-cuda-12-2", "ubuntu-2004-lts-secureboot-cuda-12-2"}
# The seven images the catalogue had as code: tests and docs may name them.
KEPT_IDS = {
    "fd8a1ejo4ucrhdihu5ge",
    "fd8k3q9nh7f2d8mj6t0a",
    "fd8b7tpl1ad2ugs2kvdn",
    "fd8c2vp1mbrd9t5vq4kb",
    "fd8p4s1ujh8fd3d6ra6e",
    "fd8q1r7e2ldm3b5f6e1u",
    "fd8vfg7bpl9lj0s6tq1m",
}
# image.proto's newer fields, which the seed profile never shows.
LIVE_ONLY = {"size", "hardwareGeneration", "kmsKey"}


def _data() -> dict[str, Any]:
    text = files("pytest_yc_images").joinpath(DATA).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _images() -> list[dict[str, Any]]:
    return [image for family in _data()["families"] for image in family["images"]]


def test_the_catalogue_is_a_data_file_of_valid_images() -> None:
    data = _data()
    assert data["folderId"] == PUBLIC_FOLDER
    images = _images()
    assert len(images) >= 25
    check = validator("Image", "live")
    for image in images:
        assert list(check.iter_errors(image)) == [], image["name"]
        generation = image["hardwareGeneration"]  # a oneof: exactly one of the two
        assert generation in (
            {"generation2Features": {}},
            {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V1"}},
            {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V2"}},
        )
        assert int(image["storageSize"]) <= int(image["size"]) <= int(image["minDiskSize"])
        assert image["status"] == "READY"
        assert image["folderId"] == PUBLIC_FOLDER


def test_ids_are_unique_and_in_the_documented_shapes() -> None:
    images = _images()
    ids = [image["id"] for image in images]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"fd8[0-9a-v]{17}", i) for i in ids), ids
    products = {p for image in images for p in image["productIds"]}
    assert all(re.fullmatch(r"f2e[0-9a-v]{17}", p) for p in products), products
    assert set(ids) >= KEPT_IDS
    assert "productIds" in _data()["inventedFields"]
    assert "id" in _data()["inventedFields"]


def test_the_public_families_with_several_versions_each() -> None:
    data = _data()
    reflects = date.fromisoformat(data["reflects"])
    by_family = {family["family"]: family for family in data["families"]}
    assert set(FAMILIES) <= set(by_family)
    for name, stem in FAMILIES.items():
        family = by_family[name]
        assert family["sources"], name  # every family cites its public page
        versions = family["images"]
        assert len(versions) >= 3, name
        for image in versions:
            assert image["family"] == name
            match = re.fullmatch(re.escape(stem) + r"-v(\d{8})", image["name"])
            assert match, image["name"]
            made = date.fromisoformat(image["createdAt"][:10])
            assert match[1] == made.strftime("%Y%m%d")  # the version is its date
            assert made <= reflects
            gen2 = image["hardwareGeneration"] == {"generation2Features": {}}
            assert gen2 == (name in GEN2_FAMILIES), image["name"]
            driver = image["os"].get("nvidia", {}).get("driver")
            assert bool(driver) == (name in GPU_FAMILIES), image["name"]
    assert any(image["os"]["type"] == "WINDOWS" for image in _images())


def _latest(client: httpx.Client, family: str) -> dict[str, Any]:
    reply = client.get(
        "/compute/v1/images:latestByFamily",
        params={"folderId": PUBLIC_FOLDER, "family": family},
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_a_live_fake_serves_todays_families_and_fields() -> None:
    with FakeImageService().client() as client:
        ubuntu = _latest(client, "ubuntu-2404-lts")
        assert ubuntu["name"] == "ubuntu-24-04-lts-v20251006"
        legacy = {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V1"}}
        assert ubuntu["hardwareGeneration"] == legacy
        assert ubuntu["size"] == str(8 * GIB)
        gpu = _latest(client, "ubuntu-2004-lts-secureboot-cuda-12-2")
        assert gpu["hardwareGeneration"] == {"generation2Features": {}}
        assert gpu["os"] == {"type": "LINUX", "nvidia": {"driver": "535"}}
        listed = client.get("/compute/v1/images", params={"folderId": PUBLIC_FOLDER}).json()
        assert {i["family"] for i in listed["images"]} >= set(FAMILIES)


def test_a_seed_fake_serves_the_same_images_without_the_newer_fields() -> None:
    with FakeImageService(profile="seed").client() as client:
        gpu = _latest(client, "ubuntu-2004-lts-secureboot-cuda-12-2")
        assert gpu["os"] == {"type": "LINUX"}
        assert not LIVE_ONLY & set(gpu)
        listed = client.get("/compute/v1/images", params={"folderId": PUBLIC_FOLDER}).json()
        check = validator("Image", "seed")
        for image in listed["images"]:
            assert not LIVE_ONLY & set(image)
            assert "nvidia" not in image["os"]
            assert list(check.iter_errors(image)) == []
        assert len(listed["images"]) == len(_images())


def test_fakes_share_the_catalogue_until_one_writes_to_it() -> None:
    first, second = FakeImageService(), FakeImageService()
    ubuntu = "fd8a1ejo4ucrhdihu5ge"
    # Shared: one record for every fake, not a copy per fake.
    assert first.service.store.images[ubuntu] is second.service.store.images[ubuntu]
    before = second.images(PUBLIC_FOLDER)
    with first.client() as client:  # the API never writes the public folder
        path = f"/compute/v1/images/{ubuntu}"
        assert client.delete(path).status_code == 403
        patch = {"updateMask": "description", "description": "mine"}
        assert client.patch(path, json=patch).status_code == 403
    assert first.service.store.images[ubuntu] is second.service.store.images[ubuntu]
    assert first.images(PUBLIC_FOLDER) == before
    added = first.put_image(folderId=PUBLIC_FOLDER, name="extra", family="ubuntu-2404-lts")
    assert first.service.store.images[ubuntu] is not second.service.store.images[ubuntu]
    assert second.images(PUBLIC_FOLDER) == before
    assert FakeImageService().images(PUBLIC_FOLDER) == before
    with first.client() as client:  # the writer's folder is whole: catalogue plus its image
        assert _latest(client, "ubuntu-2404-lts")["id"] == added["id"]
        names = [i["name"] for i in first.images(PUBLIC_FOLDER)]
        assert len(names) == len(before) + 1
        assert "extra" in names
    with second.client() as client:
        assert _latest(client, "ubuntu-2404-lts")["name"] == "ubuntu-24-04-lts-v20251006"


def test_a_state_file_that_changes_a_catalogue_image_keeps_its_live_fields() -> None:
    fake = FakeImageService()
    gpu = next(i for i in fake.images(PUBLIC_FOLDER) if i["family"] in GEN2_FAMILIES)
    changed = {**gpu, "description": "patched"}
    fake.load_state({"images": [changed]})
    assert {i["id"]: i for i in fake.images(PUBLIC_FOLDER)}[gpu["id"]] == changed
    saved = dump_state(fake.service)
    assert [i["description"] for i in saved["images"]] == ["patched"]  # only the change
    again = FakeImageService()
    again.load_state(saved)
    assert {i["id"]: i for i in again.images(PUBLIC_FOLDER)}[gpu["id"]] == changed
    assert {i["id"]: i for i in FakeImageService().images(PUBLIC_FOLDER)}[gpu["id"]] == gpu


def test_a_snapshot_keeps_sharing_and_a_restore_undoes_a_write() -> None:
    fake, other = FakeImageService(), FakeImageService()
    ubuntu = "fd8a1ejo4ucrhdihu5ge"
    before = other.images(PUBLIC_FOLDER)
    saved = fake.snapshot()
    fake.put_image(folderId=PUBLIC_FOLDER, name="extra")
    assert len(fake.images(PUBLIC_FOLDER)) == len(before) + 1
    fake.restore(saved)
    assert fake.images(PUBLIC_FOLDER) == before
    # Restored, the fake shares the catalogue's records again instead of copies of them.
    assert fake.service.store.images[ubuntu] is other.service.store.images[ubuntu]
    fake.put_image(folderId=PUBLIC_FOLDER, name="again")
    assert other.images(PUBLIC_FOLDER) == before == FakeImageService().images(PUBLIC_FOLDER)
