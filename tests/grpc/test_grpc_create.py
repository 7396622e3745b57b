"""Create through the official SDK's stubs (issue 16, rows 1, 3, 4 and 5): the source
oneof, hardware_generation, size, kms_key, os.nvidia and min_disk_size, in both profiles."""

from __future__ import annotations

from typing import Any

import pytest

yandexcloud = pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc  # noqa: E402
from google.protobuf.field_mask_pb2 import FieldMask  # noqa: E402
from yandex.cloud.compute.v1.hardware_generation_pb2 import (  # noqa: E402
    PCI_TOPOLOGY_V1,
    PCI_TOPOLOGY_V2,
    Generation2HardwareFeatures,
    HardwareGeneration,
    LegacyHardwareFeatures,
)
from yandex.cloud.compute.v1.image_pb2 import Image, Nvidia, Os  # noqa: E402
from yandex.cloud.compute.v1.image_service_pb2 import (  # noqa: E402
    CreateImageMetadata,
    CreateImageRequest,
    UpdateImageMetadata,
    UpdateImageRequest,
)
from yandexcloud.operations import OperationError  # noqa: E402

from pytest_yc_images import YcGrpc  # noqa: E402

GIB = 1024**3
URI = "https://storage.yandexcloud.net/builds/app.qcow2"
KEY = {"keyId": "abjkmskey00000000001", "versionId": "abjkmsversion0000001"}


def _create(yc_grpc: YcGrpc, images: Any, request: CreateImageRequest) -> Image:
    result = yc_grpc.sdk.wait_operation_and_get_result(
        images.Create(request), response_type=Image, meta_type=CreateImageMetadata
    )
    return result.response


def test_generation2_features_round_trip(yc_grpc: YcGrpc, images: Any, yc_folder_id: str) -> None:
    generation = HardwareGeneration(generation2_features=Generation2HardwareFeatures())
    request = CreateImageRequest(folder_id=yc_folder_id, uri=URI, hardware_generation=generation)
    image = _create(yc_grpc, images, request)
    assert image.hardware_generation.WhichOneof("features") == "generation2_features"


def test_legacy_v2_round_trips_and_the_default_is_legacy_v1(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    legacy = HardwareGeneration(
        legacy_features=LegacyHardwareFeatures(pci_topology=PCI_TOPOLOGY_V2)
    )
    given = _create(
        yc_grpc,
        images,
        CreateImageRequest(folder_id=yc_folder_id, uri=URI, hardware_generation=legacy),
    )
    assert given.hardware_generation.legacy_features.pci_topology == PCI_TOPOLOGY_V2
    default = _create(yc_grpc, images, CreateImageRequest(folder_id=yc_folder_id, uri=URI))
    assert default.hardware_generation.legacy_features.pci_topology == PCI_TOPOLOGY_V1


def test_a_create_without_a_source_is_invalid_naming_each_source(
    images: Any, yc_folder_id: str, violations: Any
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        images.Create(CreateImageRequest(folder_id=yc_folder_id, name="nothing"))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["imageId", "diskId", "snapshotId", "uri"]


def test_size_kms_key_and_generation_come_from_an_encrypted_disk(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    gen2 = {"generation2Features": {}}
    yc_grpc.fake.add_disk("epdcrypt", folder_id=yc_folder_id, size=12 * GIB, kms_key=KEY,
                          hardware_generation=gen2)  # fmt: skip
    image = _create(yc_grpc, images, CreateImageRequest(folder_id=yc_folder_id, disk_id="epdcrypt"))
    assert image.size == 12 * GIB
    assert (image.kms_key.key_id, image.kms_key.version_id) == (KEY["keyId"], KEY["versionId"])
    assert image.hardware_generation.HasField("generation2_features")


def test_os_nvidia_is_taken_and_inherited(yc_grpc: YcGrpc, images: Any, yc_folder_id: str) -> None:
    gpu_os = Os(type=Os.LINUX, nvidia=Nvidia(driver="535.104.05"))
    gpu = _create(yc_grpc, images, CreateImageRequest(folder_id=yc_folder_id, uri=URI, os=gpu_os))
    assert gpu.os.nvidia.driver == "535.104.05"
    copy = _create(yc_grpc, images, CreateImageRequest(folder_id=yc_folder_id, image_id=gpu.id))
    assert copy.os.nvidia.driver == "535.104.05"


def test_min_disk_size_below_a_files_size_fails_the_operation(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    yc_grpc.fake.put_object(URI, size=10 * GIB, storage_size=GIB)
    operation = images.Create(
        CreateImageRequest(folder_id=yc_folder_id, uri=URI, min_disk_size=4 * 1024**2)
    )
    with pytest.raises(OperationError, match="minDiskSize"):
        yc_grpc.sdk.wait_operation_and_get_result(
            operation, response_type=Image, meta_type=CreateImageMetadata
        )


def test_update_refuses_min_disk_size_below_the_virtual_size(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str, violations: Any
) -> None:
    yc_grpc.fake.add_snapshot("fd8snap", folder_id=yc_folder_id, storage_size=GIB,
                              disk_size=10 * GIB)  # fmt: skip
    image = _create(
        yc_grpc, images, CreateImageRequest(folder_id=yc_folder_id, snapshot_id="fd8snap")
    )
    mask = FieldMask(paths=["min_disk_size"])
    with pytest.raises(grpc.RpcError) as caught:
        images.Update(
            UpdateImageRequest(image_id=image.id, update_mask=mask, min_disk_size=5 * GIB)
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["minDiskSize"]
    result = yc_grpc.sdk.wait_operation_and_get_result(
        images.Update(
            UpdateImageRequest(image_id=image.id, update_mask=mask, min_disk_size=10 * GIB)
        ),
        response_type=Image,
        meta_type=UpdateImageMetadata,
    )
    assert result.response.min_disk_size == 10 * GIB


@pytest.mark.yc_images(profile="seed")
def test_the_seed_refuses_hardware_generation(
    images: Any, yc_folder_id: str, violations: Any
) -> None:
    generation = HardwareGeneration(generation2_features=Generation2HardwareFeatures())
    with pytest.raises(grpc.RpcError) as caught:
        images.Create(
            CreateImageRequest(folder_id=yc_folder_id, uri=URI, hardware_generation=generation)
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["hardwareGeneration"]


@pytest.mark.yc_images(profile="seed")
def test_seed_images_carry_none_of_the_newer_fields(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    yc_grpc.fake.add_disk("epdcrypt", folder_id=yc_folder_id, kms_key=KEY,
                          hardware_generation={"generation2Features": {}})  # fmt: skip
    image = _create(yc_grpc, images, CreateImageRequest(folder_id=yc_folder_id, disk_id="epdcrypt"))
    assert image.size == 0
    assert not image.HasField("hardware_generation")
    assert not image.HasField("kms_key")
    assert not image.os.HasField("nvidia")
