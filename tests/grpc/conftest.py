"""Helpers for the gRPC face's tests: a stub from the fixture's SDK, errors' BadRequest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

SOURCE = "https://storage.yandexcloud.net/builds/app.qcow2"


@pytest.fixture
def images(yc_grpc: Any) -> Any:
    """An ImageServiceStub from the fixture's SDK (endpoint discovery, TLS, token)."""
    from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

    return yc_grpc.sdk.client(ImageServiceStub)


@pytest.fixture
def create_image(yc_grpc: Any, images: Any, yc_folder_id: str) -> Callable[..., Any]:
    """Create an image through the SDK and wait for it: the finished Image."""
    from yandex.cloud.compute.v1.image_pb2 import Image
    from yandex.cloud.compute.v1.image_service_pb2 import CreateImageMetadata, CreateImageRequest

    def create(**fields: Any) -> Any:
        request = CreateImageRequest(folder_id=yc_folder_id, uri=SOURCE, **fields)
        result = yc_grpc.sdk.wait_operation_and_get_result(
            images.Create(request), response_type=Image, meta_type=CreateImageMetadata
        )
        return result.response

    return create


def field_violations(error: Any) -> list[str]:
    """The fields named by the google.rpc.BadRequest in a gRPC error's status trailer."""
    from google.rpc import error_details_pb2, status_pb2

    fields: list[str] = []
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        assert status.code == error.code().value[0]
        assert status.message == error.details()
        for detail in status.details:
            bad = error_details_pb2.BadRequest()
            if detail.Unpack(bad):
                fields += [v.field for v in bad.field_violations]
    return fields


@pytest.fixture
def violations() -> Callable[[Any], list[str]]:
    return field_violations
