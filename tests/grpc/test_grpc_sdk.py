"""The gRPC face through the official Python SDK (``yandexcloud``), its public API only."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

yandexcloud = pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc  # noqa: E402
from google.protobuf.empty_pb2 import Empty  # noqa: E402
from google.protobuf.field_mask_pb2 import FieldMask  # noqa: E402
from yandex.cloud.compute.v1.image_pb2 import Image  # noqa: E402
from yandex.cloud.compute.v1.image_service_pb2 import (  # noqa: E402
    CreateImageMetadata,
    CreateImageRequest,
    DeleteImageMetadata,
    DeleteImageRequest,
    GetImageLatestByFamilyRequest,
    GetImageRequest,
    ListImageOperationsRequest,
    ListImagesRequest,
    UpdateImageMetadata,
    UpdateImageRequest,
)
from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub  # noqa: E402
from yandex.cloud.operation.operation_service_pb2 import GetOperationRequest  # noqa: E402
from yandex.cloud.operation.operation_service_pb2_grpc import OperationServiceStub  # noqa: E402
from yandexcloud.operations import OperationError  # noqa: E402

from pytest_yc_images import FakeImageService, YcGrpc  # noqa: E402

SOURCE = "https://storage.yandexcloud.net/builds/app.qcow2"

Create = Callable[..., Any]


def test_create_and_wait_returns_the_ready_image(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    request = CreateImageRequest(
        folder_id=yc_folder_id, name="web-v1", family="web", labels={"app": "web"}, uri=SOURCE
    )
    operation = images.Create(request)
    assert not operation.done
    assert operation.metadata.Is(CreateImageMetadata.DESCRIPTOR)  # typed from the first reply
    result = yc_grpc.sdk.wait_operation_and_get_result(
        operation, response_type=Image, meta_type=CreateImageMetadata
    )
    image = result.response
    assert image.id  # a wrong type URL in the response would unpack to an empty Image
    assert image.id == result.meta.image_id
    assert image.status == Image.READY
    assert (image.name, image.family, dict(image.labels)) == ("web-v1", "web", {"app": "web"})
    assert image.folder_id == yc_folder_id
    assert image.created_at.seconds > 0


def test_create_operation_and_get_result(yc_grpc: YcGrpc, yc_folder_id: str) -> None:
    result = yc_grpc.sdk.create_operation_and_get_result(
        CreateImageRequest(folder_id=yc_folder_id, name="one-call", uri=SOURCE),
        service=ImageServiceStub,
        method_name="Create",
        response_type=Image,
        meta_type=CreateImageMetadata,
    )
    assert result.response.name == "one-call"
    assert result.response.id == result.meta.image_id


def test_get_and_latest_by_family(images: Any, create_image: Create, yc_folder_id: str) -> None:
    first = create_image(name="app-1", family="app", min_disk_size=4 * 2**30)
    second = create_image(name="app-2", family="app")
    got = images.Get(GetImageRequest(image_id=first.id))
    assert got == first
    assert got.min_disk_size == 4 * 2**30  # int64 through the JSON mapping and back
    latest = images.GetLatestByFamily(
        GetImageLatestByFamilyRequest(folder_id=yc_folder_id, family="app")
    )
    assert latest.id == second.id


def test_list_pages_and_filters(images: Any, yc_grpc: YcGrpc, yc_folder_id: str) -> None:
    for i in range(5):
        yc_grpc.fake.put_image(folderId=yc_folder_id, name=f"img-{i}")
    seen: list[str] = []
    token = ""
    for _ in range(10):
        page = images.List(ListImagesRequest(folder_id=yc_folder_id, page_size=2, page_token=token))
        assert len(page.images) <= 2
        seen += [image.name for image in page.images]
        token = page.next_page_token
        if not token:
            break
    assert sorted(seen) == [f"img-{i}" for i in range(5)]
    only = images.List(ListImagesRequest(folder_id=yc_folder_id, filter='name = "img-3"'))
    assert [image.name for image in only.images] == ["img-3"]
    assert not only.next_page_token


def test_update_with_a_mask_and_wait(yc_grpc: YcGrpc, images: Any, create_image: Create) -> None:
    image = create_image(name="before", description="kept", labels={"a": "1"})
    request = UpdateImageRequest(
        image_id=image.id,
        name="after",
        description="ignored: not in the mask",
        labels={"b": "2"},
        update_mask=FieldMask(paths=["name", "labels"]),
    )
    result = yc_grpc.sdk.wait_operation_and_get_result(
        images.Update(request), response_type=Image, meta_type=UpdateImageMetadata
    )
    assert result.meta.image_id == image.id
    updated = result.response
    assert (updated.name, updated.description, dict(updated.labels)) == (
        "after",
        "kept",
        {"b": "2"},
    )
    assert images.Get(GetImageRequest(image_id=image.id)) == updated


def test_list_operations(images: Any, yc_grpc: YcGrpc, create_image: Create) -> None:
    image = create_image(name="ops")
    yc_grpc.sdk.wait_operation_and_get_result(
        images.Update(
            UpdateImageRequest(
                image_id=image.id, name="ops2", update_mask=FieldMask(paths=["name"])
            )
        ),
        response_type=Image,
        meta_type=UpdateImageMetadata,
    )
    listed = images.ListOperations(ListImageOperationsRequest(image_id=image.id))
    metadata = sorted(op.metadata.type_url.rsplit(".", 1)[1] for op in listed.operations)
    assert metadata == ["CreateImageMetadata", "UpdateImageMetadata"]
    assert all(op.done for op in listed.operations)


def test_delete_and_wait_then_not_found(yc_grpc: YcGrpc, images: Any, create_image: Create) -> None:
    image = create_image(name="doomed")
    operation = images.Delete(DeleteImageRequest(image_id=image.id))
    result = yc_grpc.sdk.wait_operation_and_get_result(
        operation, response_type=Empty, meta_type=DeleteImageMetadata
    )
    assert result.meta.image_id == image.id
    done = yc_grpc.sdk.client(OperationServiceStub).Get(
        GetOperationRequest(operation_id=operation.id)
    )
    assert done.done
    assert done.response.Is(Empty.DESCRIPTOR)
    with pytest.raises(grpc.RpcError) as caught:
        images.Get(GetImageRequest(image_id=image.id))
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND


def test_invalid_argument_names_the_field_in_bad_request(
    images: Any, yc_folder_id: str, violations: Callable[[Any], list[str]]
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        images.Create(CreateImageRequest(folder_id=yc_folder_id, name="Not Valid", uri=SOURCE))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["name"]
    assert "name" in caught.value.details()


def test_a_field_mask_path_the_json_mapping_cannot_carry_names_update_mask(
    images: Any, create_image: Create, violations: Callable[[Any], list[str]]
) -> None:
    image = create_image(name="masked")
    with pytest.raises(grpc.RpcError) as caught:
        images.Update(UpdateImageRequest(image_id=image.id, update_mask=FieldMask(paths=["Name"])))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["updateMask"]


def test_an_empty_token_is_unauthenticated(yc_grpc: YcGrpc) -> None:
    sdk = yandexcloud.SDK(endpoint=yc_grpc.endpoint, iam_token="", root_certificates=yc_grpc.ca_pem)
    with pytest.raises(grpc.RpcError) as caught:  # the SDK sends "authorization: Bearer "
        sdk.client(ImageServiceStub).List(ListImagesRequest(folder_id="standard-images"))
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED


def test_the_waiter_polls_once_and_never_sleeps_with_on_poll_completion(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # the waiter's 1 s pause is time.sleep
    result = yc_grpc.sdk.wait_operation_and_get_result(
        images.Create(CreateImageRequest(folder_id=yc_folder_id, name="fast", uri=SOURCE)),
        response_type=Image,
        meta_type=CreateImageMetadata,
    )
    assert slept == []
    assert len(yc_grpc.fake.journal.polls(result.operation.id)) == 1


def test_a_failed_operation_raises_operation_error(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    yc_grpc.fake.fail_next_operation("Create", "INTERNAL", message="not a qcow2 file")
    operation = images.Create(CreateImageRequest(folder_id=yc_folder_id, name="bad", uri=SOURCE))
    with pytest.raises(OperationError, match="not a qcow2 file"):
        yc_grpc.sdk.wait_operation_and_get_result(
            operation, response_type=Image, meta_type=CreateImageMetadata
        )


def test_scripted_errors_and_latency_reach_grpc_clients(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str
) -> None:
    yc_grpc.fake.fail_next("List", "UNAVAILABLE")
    with pytest.raises(grpc.RpcError) as caught:
        images.List(ListImagesRequest(folder_id=yc_folder_id))
    assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
    # A deadline shorter than the latency; long enough that the server takes the call (and
    # fires the fault) before gRPC cancels it, even on a loaded machine.
    yc_grpc.fake.add_latency("Get", 2.0, times=1)
    with pytest.raises(grpc.RpcError) as slow:
        images.Get(GetImageRequest(image_id="fd8nothere0000000000"), timeout=0.5)
    assert slow.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED


def test_an_idempotency_key_in_metadata_returns_the_first_operation(
    images: Any, yc_folder_id: str
) -> None:
    request = CreateImageRequest(folder_id=yc_folder_id, name="once", uri=SOURCE)
    key = (("idempotency-key", "4b0a5d3e-6a55-4f0c-9d5e-0d3b7c1c2b11"),)
    first = images.Create(request, metadata=key)
    again = images.Create(request, metadata=key)
    assert again.id == first.id
    assert len(images.List(ListImagesRequest(folder_id=yc_folder_id)).images) == 1


def test_request_id_metadata_comes_back_in_request_info(images: Any) -> None:
    from google.rpc import error_details_pb2, status_pb2

    with pytest.raises(grpc.RpcError) as caught:
        images.Get(
            GetImageRequest(image_id="fd8nothere0000000000"),
            metadata=(("x-request-id", "req-42"),),
        )
    (details,) = [v for k, v in caught.value.trailing_metadata() if k == "grpc-status-details-bin"]
    info = error_details_pb2.RequestInfo()
    assert any(d.Unpack(info) for d in status_pb2.Status.FromString(details).details)
    assert info.request_id == "req-42"


def test_latency_delays_a_patient_client_and_ends_when_the_client_gives_up() -> None:
    fake = FakeImageService()
    lines: list[tuple[float, str]] = []
    server = fake.serve_grpc(log=lambda line: lines.append((time.monotonic(), line)))
    try:
        sdk = yandexcloud.SDK(
            endpoint=server.endpoint, iam_token="t", root_certificates=server.ca_pem
        )
        stub = sdk.client(ImageServiceStub)
        image_id = fake.put_image(folderId="b1gslowfolder")["id"]
        fake.add_latency("Get", 0.3, times=1)
        start = time.monotonic()
        assert stub.Get(GetImageRequest(image_id=image_id), timeout=30).id == image_id
        assert time.monotonic() - start >= 0.3
        fake.add_latency("Get", 30.0, times=1)
        start = time.monotonic()
        with pytest.raises(grpc.RpcError) as slow:
            stub.Get(GetImageRequest(image_id=image_id), timeout=0.5)
        assert slow.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        deadline = time.monotonic() + 10
        while len(lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        # the server's thread stopped waiting when the call ended, not after 30 s
        assert len(lines) == 2, lines
        assert lines[1][0] - start < 10, lines
    finally:
        server.stop()
