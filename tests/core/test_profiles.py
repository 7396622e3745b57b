"""The profile switch: a fake serves ``live`` (today's service) by default or ``seed``;
the profile shows in its settings, journal and state files, and reaches validation and
encoding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_yc_images import FakeImageService, openapi_document, schema
from pytest_yc_images._core.model import Image
from pytest_yc_images._state import StateError
from pytest_yc_images._wire import encode_image

FOLDER = "b1gprofiles000000001"
URI = "https://storage.yandexcloud.net/bucket/disk.qcow2"


def test_the_default_profile_is_live() -> None:
    fake = FakeImageService()
    assert fake.profile == "live"
    assert fake.client().get("/_fake/settings").json() == {
        "profile": "live",
        "completion": "on-poll",
    }


def test_an_unknown_profile_is_refused_listing_the_choices() -> None:
    with pytest.raises(ValueError, match=r"'today'.*choose one of: live, seed"):
        FakeImageService(profile="today")


@pytest.mark.parametrize("profile", ["live", "seed"])
def test_the_profile_shows_in_settings_and_journal(profile: str) -> None:
    fake = FakeImageService(profile=profile, completion="immediate")
    client = fake.client()
    assert client.get("/_fake/settings").json() == {"profile": profile, "completion": "immediate"}
    client.get("/compute/v1/images", params={"folderId": FOLDER})
    journal = client.get("/_fake/journal").json()
    assert journal["profile"] == profile
    assert [entry["method"] for entry in journal["entries"]] == ["ImageService.List"]
    assert fake.journal.profile == profile


@pytest.mark.parametrize(("name", "live", "seed"), [("my_image", 200, 400), ("my-image", 200, 200)])
def test_validation_follows_the_profile(name: str, live: int, seed: int) -> None:
    for profile, status in (("live", live), ("seed", seed)):
        reply = (
            FakeImageService(profile=profile)
            .client()
            .post("/compute/v1/images", json={"folderId": FOLDER, "name": name, "uri": URI})
        )
        assert reply.status_code == status, (profile, reply.text)
        if status == 400:
            violations = reply.json()["details"][0]["fieldViolations"]
            assert [v["field"] for v in violations] == ["name"]


def test_the_seed_encoding_has_none_of_the_newer_fields() -> None:
    image = Image(
        id="fd8profile0000000001",
        folder_id=FOLDER,
        created_at=0.0,
        size=8 * 1024**3,
        os_type="LINUX",
        nvidia_driver="535",
        hardware_generation={"generation2Features": {}},
        kms_key={"keyId": "abj1", "versionId": "abj2"},
    )
    newer = {"size", "hardwareGeneration", "kmsKey"}
    live, seed = encode_image(image, live=True), encode_image(image, live=False)
    assert newer <= set(live)
    assert live["os"] == {"type": "LINUX", "nvidia": {"driver": "535"}}
    assert not newer & set(seed)
    assert seed["os"] == {"type": "LINUX"}
    # Every field the seed encoding writes is one the seed's Image message documents.
    assert set(seed) <= set(schema("Image", "seed")["properties"])


def test_the_seed_schemas_are_patches_of_the_live_ones() -> None:
    live, seed = schema("CreateImageRequest", "live"), schema("CreateImageRequest", "seed")
    assert live["$id"] == seed["$id"]
    common_live, common_seed = schema("common", "live"), schema("common", "seed")
    assert "_" in common_live["$defs"]["imageName"]["pattern"]
    assert "_" not in common_seed["$defs"]["imageName"]["pattern"]
    # Only the patched definition differs.
    del common_live["$defs"]["imageName"], common_seed["$defs"]["imageName"]
    assert common_live["$defs"] == common_seed["$defs"]


def test_openapi_document_per_profile_bundles_that_profiles_schemas() -> None:
    live = openapi_document(profile="live", bundled=True)
    seed = openapi_document(profile="seed", bundled=True)
    assert "_" in live["components"]["schemas"]["common"]["$defs"]["imageName"]["pattern"]
    assert "_" not in seed["components"]["schemas"]["common"]["$defs"]["imageName"]["pattern"]
    with pytest.raises(ValueError, match="choose one of"):
        openapi_document(profile="old")


def test_a_state_file_records_the_profile_and_the_other_profile_refuses_it(
    tmp_path: Path,
) -> None:
    seed_fake = FakeImageService(profile="seed")
    seed_fake.put_image(folderId=FOLDER, name="kept")
    path = seed_fake.save_state(tmp_path / "state.json")
    assert json.loads(path.read_text())["profile"] == "seed"
    live_fake = FakeImageService()
    live_fake.put_image(folderId=FOLDER, name="mine")
    with pytest.raises(StateError, match=r"profile.*'seed'.*'live'"):
        live_fake.load_state(path)
    assert [i["name"] for i in live_fake.images(FOLDER)] == ["mine"]  # unchanged
    FakeImageService(profile="seed").load_state(path)  # its own profile takes it


@pytest.mark.parametrize("profile", ["live", "seed"])
def test_the_controls_show_what_the_profile_shows(profile: str) -> None:
    """Found by review: the controls encoded every image as live, so a seed fake's
    ``/_fake/images``, ``put_image`` and ``/_fake/operations`` showed the newer fields."""
    newer = {"size", "hardwareGeneration", "kmsKey"}
    fake = FakeImageService(profile=profile, completion="immediate")
    client = fake.client()
    put = fake.put_image(
        folderId=FOLDER,
        name="put",
        size="8589934592",
        hardwareGeneration={"generation2Features": {}},
    )
    created = client.post("/compute/v1/images", json={"folderId": FOLDER, "uri": URI}).json()
    catalogue = client.get("/_fake/images", params={"folderId": "standard-images"}).json()
    operations = client.get("/_fake/operations").json()["operations"]
    shown = [put, *catalogue["images"], *(op["response"] for op in operations)]
    shown += fake.images("standard-images")
    assert created["done"] is True
    gpu = [image for image in catalogue["images"] if "cuda" in image.get("family", "")]
    assert gpu
    if profile == "live":
        assert newer - {"kmsKey"} <= set(put)
        assert all("hardwareGeneration" in image for image in shown)
        assert all(image["os"].get("nvidia") for image in gpu)
    else:
        assert not any(newer & set(image) for image in shown)
        assert not any("nvidia" in image.get("os", {}) for image in shown)


@pytest.mark.parametrize(
    "generation",
    [{"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_UNSPECIFIED"}}, {"legacyFeatures": {}}],
)
def test_the_zero_pci_topology_is_the_field_left_out(generation: dict[str, Any]) -> None:
    """Found by review: REST refused PCI_TOPOLOGY_UNSPECIFIED (proto3 JSON's name of the
    zero value) while a gRPC client's 0 arrives as the field left out and was taken."""
    fake = FakeImageService(completion="immediate")
    reply = fake.client().post(
        "/compute/v1/images",
        json={"folderId": FOLDER, "uri": URI, "hardwareGeneration": generation},
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["response"]["hardwareGeneration"] == {"legacyFeatures": {}}
