"""Create and Update as today's protos say (issue 16, rows 1, 3, 4 and 5), through REST:
hardwareGeneration, size, kmsKey, os.nvidia, minDiskSize against the source's sizes, and
files at URIs described by a control. Expected values come from the protos' and the docs'
words written here, not from the fake's tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

GIB = 1024**3
FOLDER = "b1gtestfolder0000001"
GEN2 = {"generation2Features": {}}
# Gen 1.1: live/hardware_generation.proto, "A first hardware generation, by default
# compatible with all legacy images" (the default the fake documents).
GEN1_1 = {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V1"}}
KEY = {"keyId": "abjkmskey00000000001", "versionId": "abjkmsversion0000001"}
URI = "https://storage.yandexcloud.net/bucket/app.qcow2"


def _done(api: Api, reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 200, reply.text
    done: dict[str, Any] = api.poll(reply.json()["id"]).json()
    assert done["done"] is True
    return done


# --- row 3: hardware generation -------------------------------------------------------------
@pytest.mark.parametrize(
    "generation", [GEN2, {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V2"}}]
)
def test_a_hardware_generation_given_is_the_images(api: Api, generation: dict[str, Any]) -> None:
    image = api.ready_image(uri=URI, hardwareGeneration=generation)
    assert image["hardwareGeneration"] == generation


def test_both_features_are_refused_naming_them(api: Api) -> None:
    both = {"legacyFeatures": {}, "generation2Features": {}}
    reply = api.create(uri=URI, hardwareGeneration=both)
    assert reply.status_code == 400
    assert set(api.violations(reply)) == {
        "hardwareGeneration.legacyFeatures",
        "hardwareGeneration.generation2Features",
    }


def test_an_unknown_pci_topology_is_refused(api: Api) -> None:
    reply = api.create(uri=URI, hardwareGeneration={"legacyFeatures": {"pciTopology": "V3"}})
    assert reply.status_code == 400
    assert api.violations(reply) == ["hardwareGeneration.legacyFeatures.pciTopology"]


def test_a_file_without_a_generation_gets_gen_1_1(api: Api) -> None:
    assert api.ready_image(uri=URI)["hardwareGeneration"] == GEN1_1
    assert api.ready_image(uri=URI, hardwareGeneration={})["hardwareGeneration"] == GEN1_1


def test_the_generation_is_inherited_from_a_disk_a_snapshot_and_an_image(
    api: Api, fake: FakeImageService
) -> None:
    fake.add_disk("epddisk", folder_id=FOLDER, hardware_generation=GEN2)
    fake.add_snapshot("fd8snap", folder_id=FOLDER, hardware_generation=GEN2)
    from_disk = api.ready_image(diskId="epddisk")
    assert from_disk["hardwareGeneration"] == GEN2
    assert api.ready_image(snapshotId="fd8snap")["hardwareGeneration"] == GEN2
    assert api.ready_image(imageId=from_disk["id"])["hardwareGeneration"] == GEN2
    fake.add_disk("epdplain", folder_id=FOLDER)  # defines none: the default
    assert api.ready_image(diskId="epdplain")["hardwareGeneration"] == GEN1_1


def test_a_generation_given_overrides_the_sources(api: Api, fake: FakeImageService) -> None:
    fake.add_disk("epddisk", folder_id=FOLDER, hardware_generation=GEN2)
    legacy = {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V2"}}
    assert api.ready_image(diskId="epddisk", hardwareGeneration=legacy)["hardwareGeneration"] == (
        legacy
    )


# --- row 4: size, kmsKey, os.nvidia ----------------------------------------------------------
def test_size_is_the_virtual_size_of_each_source(api: Api, fake: FakeImageService) -> None:
    fake.add_disk("epddisk", folder_id=FOLDER, size=20 * GIB)
    fake.add_snapshot("fd8snap", folder_id=FOLDER, storage_size=3 * GIB, disk_size=30 * GIB)
    fake.put_object(URI, size=40 * GIB, storage_size=5 * GIB)
    from_disk = api.ready_image(diskId="epddisk")
    assert from_disk["size"] == str(20 * GIB)  # a disk: the disk's size
    from_snapshot = api.ready_image(snapshotId="fd8snap")
    assert (from_snapshot["size"], from_snapshot["storageSize"]) == (str(30 * GIB), str(3 * GIB))
    from_file = api.ready_image(uri=URI)
    assert (from_file["size"], from_file["storageSize"]) == (str(40 * GIB), str(5 * GIB))
    assert api.ready_image(imageId=from_file["id"])["size"] == str(40 * GIB)


def test_kms_key_is_inherited_from_an_encrypted_disk_snapshot_and_image(
    api: Api, fake: FakeImageService
) -> None:
    fake.add_disk("epdcrypt", folder_id=FOLDER, kms_key=KEY)
    fake.add_snapshot("fd8crypt", folder_id=FOLDER, kms_key=KEY)
    from_disk = api.ready_image(diskId="epdcrypt")
    assert from_disk["kmsKey"] == KEY
    assert api.ready_image(snapshotId="fd8crypt")["kmsKey"] == KEY
    assert api.ready_image(imageId=from_disk["id"])["kmsKey"] == KEY
    assert "kmsKey" not in api.ready_image(uri=URI)


def test_os_with_nvidia_is_taken_and_inherited_from_an_image(api: Api) -> None:
    gpu = api.ready_image(uri=URI, os={"type": "LINUX", "nvidia": {"driver": "535.104.05"}})
    assert gpu["os"] == {"type": "LINUX", "nvidia": {"driver": "535.104.05"}}
    # "If not specified and you used the image_id ... inherited from the source resource."
    assert api.ready_image(imageId=gpu["id"])["os"] == gpu["os"]
    assert api.ready_image(imageId=gpu["id"], os={"type": "LINUX"})["os"] == {"type": "LINUX"}


# --- the seed profile: none of the newer fields -------------------------------------------
@pytest.fixture
def seed_api(make_api: Callable[..., Api]) -> Api:
    return make_api(FakeImageService(seed=1, profile="seed"))


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"hardwareGeneration": GEN2}, "hardwareGeneration"),
     ({"os": {"nvidia": {"driver": "535"}}}, "os.nvidia")],
)  # fmt: skip
def test_the_seed_refuses_the_newer_request_fields(
    seed_api: Api, extra: dict[str, Any], field: str
) -> None:
    reply = seed_api.create(uri=URI, **extra)
    assert reply.status_code == 400
    assert seed_api.violations(reply) == [field]


def test_seed_images_carry_none_of_the_newer_fields(seed_api: Api) -> None:
    fake = seed_api.fake
    fake.add_disk("epddisk", folder_id=FOLDER, hardware_generation=GEN2, kms_key=KEY)
    image = seed_api.ready_image(diskId="epddisk")
    listed = seed_api.list().json()["images"]
    for shown in (image, *listed):
        assert not {"size", "hardwareGeneration", "kmsKey"} & set(shown), shown
        assert "nvidia" not in shown.get("os", {})


def test_a_create_without_a_source_is_refused_in_the_seed_too(seed_api: Api) -> None:
    reply = seed_api.http.post("/compute/v1/images", json={"folderId": FOLDER})
    assert reply.status_code == 400
    assert seed_api.violations(reply) == ["imageId", "diskId", "snapshotId", "uri"]


# --- row 5: minDiskSize ---------------------------------------------------------------------
def test_create_takes_min_disk_size_from_the_source_size_up(
    api: Api, fake: FakeImageService
) -> None:
    fake.add_disk("epddisk", folder_id=FOLDER, size=10 * GIB)
    below = api.create(diskId="epddisk", minDiskSize=str(5 * GIB))
    assert below.status_code == 400
    assert api.violations(below) == ["minDiskSize"]
    equal = api.ready_image(diskId="epddisk", minDiskSize=str(10 * GIB))  # the fake's choice
    assert (equal["minDiskSize"], equal["size"]) == (str(10 * GIB), str(10 * GIB))


def test_update_refuses_min_disk_size_below_the_virtual_size(
    api: Api, fake: FakeImageService
) -> None:
    """ "more than the volume of source data and more than the virtual disk size": an image
    of 2 GiB of data on a 10 GiB disk takes no minDiskSize under 10 GiB."""
    fake.add_snapshot("fd8snap", folder_id=FOLDER, storage_size=2 * GIB, disk_size=10 * GIB)
    image = api.ready_image(snapshotId="fd8snap")
    below = api.update(image["id"], updateMask="minDiskSize", minDiskSize=str(5 * GIB))
    assert below.status_code == 400
    assert api.violations(below) == ["minDiskSize"]
    assert api.get(image["id"]).json()["minDiskSize"] == image["minDiskSize"]
    at = api.update(image["id"], updateMask="minDiskSize", minDiskSize=str(10 * GIB))
    assert _done(api, at)["response"]["minDiskSize"] == str(10 * GIB)


def test_a_file_too_large_for_min_disk_size_fails_the_operation(
    api: Api, fake: FakeImageService
) -> None:
    fake.put_object(URI, size=10 * GIB, storage_size=2 * GIB)
    reply = api.create(uri=URI, minDiskSize=str(4 * 1024**2))
    assert reply.status_code == 200  # the sizes are known once the upload runs
    done = _done(api, reply)
    assert done["error"]["code"] == 3
    assert "minDiskSize" in done["error"]["message"]
    assert api.get(done["metadata"]["imageId"]).json()["status"] == "ERROR"
    fine = api.ready_image(uri=URI, minDiskSize=str(10 * GIB))
    assert fine["status"] == "READY"


def test_the_objects_control_describes_a_file(api: Api) -> None:
    reply = api.http.post(
        "/_fake/objects", json={"uri": URI, "size": str(8 * GIB), "storageSize": 1024}
    )
    assert reply.status_code == 200, reply.text
    image = api.ready_image(uri=URI)
    assert (image["size"], image["storageSize"]) == (str(8 * GIB), "1024")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"uri": "http://x/a", "size": 1}, "uri"), ({"uri": URI}, "size"),
     ({"uri": URI, "size": -1}, "size"), ({"uri": URI, "size": "9223372036854775808"}, "size")],
)  # fmt: skip
def test_a_bad_objects_body_is_refused_naming_the_field(
    api: Api, fake: FakeImageService, body: dict[str, Any], field: str
) -> None:
    reply = api.http.post("/_fake/objects", json=body)
    assert reply.status_code == 400
    assert field in api.violations(reply)
    assert fake.service.store.objects == {}  # nothing stored


def test_objects_disks_and_snapshots_survive_a_state_file(tmp_path: Any) -> None:
    fake = FakeImageService()
    fake.put_object(URI, size=9 * GIB)
    fake.add_disk("epddisk", folder_id=FOLDER, hardware_generation=GEN2, kms_key=KEY)
    fake.add_snapshot("fd8snap", folder_id=FOLDER, hardware_generation=GEN1_1)
    path = fake.save_state(tmp_path / "state.json")
    again = FakeImageService()
    again.load_state(path)
    with again.client() as client:
        ops = [
            client.post("/compute/v1/images", json={"folderId": FOLDER, **source}).json()
            for source in ({"uri": URI}, {"diskId": "epddisk"}, {"snapshotId": "fd8snap"})
        ]
        made = [client.get(f"/operations/{op['id']}").json()["response"] for op in ops]
    assert made[0]["size"] == str(9 * GIB)
    assert (made[1]["hardwareGeneration"], made[1]["kmsKey"]) == (GEN2, KEY)
    assert made[2]["hardwareGeneration"] == GEN1_1


def test_a_seed_file_describes_objects(tmp_path: Any) -> None:
    fake = FakeImageService()
    fake.load_state({"objects": [{"uri": URI, "size": str(6 * GIB)}]})
    with fake.client() as client:
        op = client.post("/compute/v1/images", json={"folderId": FOLDER, "uri": URI}).json()
        image = client.get(f"/operations/{op['id']}").json()["response"]
    assert (image["size"], image["storageSize"]) == (str(6 * GIB), str(6 * GIB))
