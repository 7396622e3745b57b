"""The standard-images catalogue through the official SDK: today's families and the
live profile's fields (hardware generation, virtual size, GPU driver), none of which a
seed fake shows."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

from yandex.cloud.compute.v1.image_service_pb2 import (
    GetImageLatestByFamilyRequest,
    ListImagesRequest,
)

PUBLIC = "standard-images"
GEN2_GPU = "ubuntu-2004-lts-secureboot-cuda-12-2"


def _latest(images: Any, family: str) -> Any:
    return images.GetLatestByFamily(GetImageLatestByFamilyRequest(folder_id=PUBLIC, family=family))


def test_todays_families_and_fields_over_grpc(images: Any) -> None:
    ubuntu = _latest(images, "ubuntu-2404-lts")
    assert ubuntu.name == "ubuntu-24-04-lts-v20251006"
    assert ubuntu.size == 8 * 1024**3
    assert ubuntu.hardware_generation.WhichOneof("features") == "legacy_features"
    assert ubuntu.hardware_generation.legacy_features.pci_topology == 1  # PCI_TOPOLOGY_V1
    gpu = _latest(images, GEN2_GPU)
    assert gpu.hardware_generation.WhichOneof("features") == "generation2_features"
    assert gpu.os.nvidia.driver == "535"
    page = images.List(ListImagesRequest(folder_id=PUBLIC, page_size=1000))
    families = {image.family for image in page.images}
    assert {"debian-11", "windows-2022-dc-gvlk", "ubuntu-2204-lts-cuda-12-2"} <= families


@pytest.mark.yc_images(profile="seed")
def test_a_seed_fake_shows_none_of_the_newer_fields_over_grpc(images: Any, yc_grpc: Any) -> None:
    assert yc_grpc.fake.profile == "seed"
    gpu = _latest(images, GEN2_GPU)
    assert gpu.name.startswith(GEN2_GPU + "-v")
    assert not gpu.HasField("hardware_generation")
    assert gpu.size == 0
    assert not gpu.os.HasField("nvidia")
    page = images.List(ListImagesRequest(folder_id=PUBLIC, page_size=1000))
    assert page.images
    assert not any(i.HasField("hardware_generation") for i in page.images)
