"""Names with "_" through the official SDK's stubs (issue 16, row 6): today's pattern
|[a-z]([-_a-z0-9]{0,61}[a-z0-9])? in live, the seed's (no "_") in seed, on Create, Update
and a List filter."""

from __future__ import annotations

from typing import Any

import pytest

yandexcloud = pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc  # noqa: E402
from google.protobuf.field_mask_pb2 import FieldMask  # noqa: E402
from yandex.cloud.compute.v1.image_pb2 import Image  # noqa: E402
from yandex.cloud.compute.v1.image_service_pb2 import (  # noqa: E402
    CreateImageMetadata,
    CreateImageRequest,
    ListImagesRequest,
    UpdateImageMetadata,
    UpdateImageRequest,
)

from pytest_yc_images import YcGrpc  # noqa: E402

URI = "https://storage.yandexcloud.net/builds/app.qcow2"


def test_live_takes_an_underscore_on_create_update_and_filter(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    created = yc_grpc.sdk.wait_operation_and_get_result(
        images.Create(CreateImageRequest(folder_id=yc_folder_id, name="web_app", uri=URI)),
        response_type=Image,
        meta_type=CreateImageMetadata,
    ).response
    assert created.name == "web_app"
    renamed = yc_grpc.sdk.wait_operation_and_get_result(
        images.Update(
            UpdateImageRequest(
                image_id=created.id, update_mask=FieldMask(paths=["name"]), name="web_app_2"
            )
        ),
        response_type=Image,
        meta_type=UpdateImageMetadata,
    ).response
    assert renamed.name == "web_app_2"
    found = images.List(ListImagesRequest(folder_id=yc_folder_id, filter='name = "web_app_2"'))
    assert [image.id for image in found.images] == [created.id]


@pytest.mark.yc_images(profile="seed")
def test_seed_refuses_an_underscore_on_create_and_filter(images: Any, yc_folder_id: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        images.Create(CreateImageRequest(folder_id=yc_folder_id, name="web_app", uri=URI))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "name" in caught.value.details()
    with pytest.raises(grpc.RpcError) as listed:
        images.List(ListImagesRequest(folder_id=yc_folder_id, filter='name = "web_app"'))
    assert listed.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "filter" in listed.value.details()
