"""Profile live: the public folder holds today's documented families; the documented
Gen 2 GPU image shows its hardware generation. Read only: nothing is created."""

from __future__ import annotations

import pytest

from pytest_yc_images.conformance import Api

pytestmark = pytest.mark.profile("live")

PUBLIC = "standard-images"
# compute/operations/images-with-pre-installed-software/ and the docs' tutorials.
FAMILIES = [
    "ubuntu-2404-lts",
    "ubuntu-2204-lts",
    "ubuntu-2004-lts",
    "debian-12",
    "debian-11",
    "container-optimized-image",
    "windows-2022-dc-gvlk",
]
GEN2_GPU = "ubuntu-2004-lts-secureboot-cuda-12-2"  # hardware-generations.md


@pytest.mark.rule("live.catalogue-families")
@pytest.mark.parametrize("family", FAMILIES)
def test_the_public_folder_has_todays_families(api: Api, family: str) -> None:
    reply = api.latest(family, PUBLIC)
    assert reply.status_code == 200, reply.text
    image = reply.json()
    assert image["family"] == family
    assert image["folderId"] == PUBLIC
    assert image["status"] == "READY"


@pytest.mark.rule("live.catalogue-gen2-gpu")
def test_the_secure_boot_gpu_image_is_generation_2(api: Api) -> None:
    reply = api.latest(GEN2_GPU, PUBLIC)
    assert reply.status_code == 200, reply.text
    assert reply.json()["hardwareGeneration"] == {"generation2Features": {}}
