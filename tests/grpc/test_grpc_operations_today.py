"""Issue 16, rows 8-11 over gRPC through the official SDK's stubs: Cancel, done, the
idempotency-key metadata as the API design guide has it, and timestamps."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from yandex.cloud.compute.v1.image_service_pb2 import (
    CreateImageRequest,
    ListImagesRequest,
    UpdateImageRequest,
)
from yandex.cloud.operation.operation_service_pb2 import (
    CancelOperationRequest,
    GetOperationRequest,
)
from yandex.cloud.operation.operation_service_pb2_grpc import OperationServiceStub

from pytest_yc_images import YcGrpc

SOURCE = "https://storage.yandexcloud.net/builds/app.qcow2"
KEY = "3c9e8f1a-7b2d-4e6f-9a1b-2c3d4e5f6a7b"  # the API design guide: "must contain the UUID"


@pytest.fixture
def operations(yc_grpc: YcGrpc) -> Any:
    return yc_grpc.sdk.client(OperationServiceStub)


def test_cancel_is_one_method_and_ends_a_running_operation(  # a guard: gRPC did not change
    images: Any, operations: Any, yc_folder_id: str
) -> None:
    running = images.Create(CreateImageRequest(folder_id=yc_folder_id, name="c", uri=SOURCE))
    assert running.done is False
    cancelled = operations.Cancel(CancelOperationRequest(operation_id=running.id))
    assert (cancelled.id, cancelled.done) == (running.id, True)
    assert cancelled.error.code == grpc.StatusCode.CANCELLED.value[0]
    assert operations.Get(GetOperationRequest(operation_id=running.id)).error.code == 1


def test_a_key_repeated_with_another_request_answers_the_first_operation(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    key = (("idempotency-key", KEY),)
    first = images.Create(
        CreateImageRequest(folder_id=yc_folder_id, name="first", uri=SOURCE), metadata=key
    )
    other = images.Create(
        CreateImageRequest(folder_id=yc_folder_id, name="second", uri=SOURCE), metadata=key
    )
    update = images.Update(
        UpdateImageRequest(
            image_id="fd8nosuchimage000000", update_mask=FieldMask(paths=["name"]), name="x"
        ),
        metadata=(("idempotency-key", KEY.upper()),),  # one UUID however it is written
    )
    assert other.id == update.id == first.id
    names = [i.name for i in images.List(ListImagesRequest(folder_id=yc_folder_id)).images]
    assert names == ["first"]
    journal = yc_grpc.fake.journal
    assert [(e.replayed, e.replayed_with_other_body) for e in journal.calls("Create")] == [
        (False, False),
        (True, True),
    ]
    assert [e.method for e in journal.reused_keys()] == [
        "ImageService.Create",
        "ImageService.Update",
    ]


def test_a_key_that_is_not_a_uuid_is_invalid_argument_naming_it(
    yc_grpc: YcGrpc, images: Any, violations: Any, yc_folder_id: str
) -> None:
    request = CreateImageRequest(folder_id=yc_folder_id, name="k", uri=SOURCE)
    with pytest.raises(grpc.RpcError) as caught:
        images.Create(request, metadata=(("idempotency-key", "retry-1"),))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["Idempotency-Key"]
    assert yc_grpc.fake.images(yc_folder_id) == []  # nothing was created


def test_timestamps_keep_their_fraction(yc_grpc: YcGrpc, images: Any, yc_folder_id: str) -> None:
    yc_grpc.fake.advance(0.5)  # createdAt ends in .500 (the canonical three digits)
    running = images.Create(CreateImageRequest(folder_id=yc_folder_id, name="t", uri=SOURCE))
    rest = yc_grpc.fake.operations()[0]
    assert running.created_at.ToJsonString() == rest["createdAt"]
    assert rest["createdAt"].endswith(":00.500Z")
    assert running.created_at.nanos == 500_000_000
