"""The gRPC face's methods come from the route table: what it lists is served, the rest
of the SDK's services (and the RPCs the seed profile lacks) answers UNIMPLEMENTED, and
the server can be pointed at another fake."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc
from yandex.cloud.access.access_pb2 import (
    ListAccessBindingsRequest,
    SetAccessBindingsRequest,
    UpdateAccessBindingsRequest,
)
from yandex.cloud.compute.v1.disk_service_pb2 import GetDiskRequest
from yandex.cloud.compute.v1.disk_service_pb2_grpc import DiskServiceStub
from yandex.cloud.compute.v1.image_service_pb2 import GetImageRequest
from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub
from yandex.cloud.compute.v1.snapshot_service_pb2 import GetSnapshotRequest
from yandex.cloud.compute.v1.snapshot_service_pb2_grpc import SnapshotServiceStub

from pytest_yc_images import DEFAULT_TOKEN, FakeImageService, openapi_document, routes
from pytest_yc_images.faces.grpc import GrpcServer

AUTH = (("authorization", f"Bearer {DEFAULT_TOKEN}"),)


def _channel(server: GrpcServer) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(root_certificates=server.ca_pem)
    return grpc.secure_channel(server.endpoint, credentials)


@pytest.fixture
def fake() -> FakeImageService:
    return FakeImageService(seed=1)


@pytest.fixture
def server(fake: FakeImageService) -> Iterator[Any]:
    served = fake.serve_grpc()
    try:
        yield served
    finally:
        served.stop()


def test_every_image_service_method_of_the_sdk_is_a_route() -> None:
    """Today's ImageService (live profile) is served whole; the seed's lacks the three
    access-binding RPCs (live/image_service.proto has ten, the seed documents seven)."""
    from yandex.cloud.compute.v1 import image_service_pb2

    sdk = image_service_pb2.DESCRIPTOR.services_by_name["ImageService"].methods
    in_sdk = {f"ImageService.{m.name}" for m in sdk}
    assert in_sdk == {r.rpc for r in routes() if r.rpc.startswith("ImageService.")}
    seed = {r.rpc for r in routes(profile="seed") if r.rpc.startswith("ImageService.")}
    assert in_sdk - seed == {
        "ImageService.ListAccessBindings",
        "ImageService.SetAccessBindings",
        "ImageService.UpdateAccessBindings",
    }


@pytest.mark.parametrize(
    ("stub_class", "request_message"),
    [
        (DiskServiceStub, GetDiskRequest(disk_id="epdnosuchdisk0000000")),
        (SnapshotServiceStub, GetSnapshotRequest(snapshot_id="fd8nosuchsnap0000000")),
    ],
)
def test_sdk_methods_the_fake_does_not_serve_answer_unimplemented(
    server: Any, stub_class: Any, request_message: Any
) -> None:
    with _channel(server) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            stub_class(channel).Get(request_message, metadata=AUTH, timeout=10)
        assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
        # The served methods on the same channel still answer.
        with pytest.raises(grpc.RpcError) as missing:
            ImageServiceStub(channel).Get(
                GetImageRequest(image_id="fd8nosuchimage0000000"), metadata=AUTH, timeout=10
            )
        assert missing.value.code() is grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("method", "request_message"),
    [
        ("ListAccessBindings", ListAccessBindingsRequest(resource_id="fd8x")),
        ("SetAccessBindings", SetAccessBindingsRequest(resource_id="fd8x")),
        ("UpdateAccessBindings", UpdateAccessBindingsRequest(resource_id="fd8x")),
    ],
)
def test_a_seed_fake_does_not_serve_the_access_binding_methods(
    method: str, request_message: Any
) -> None:
    seed = FakeImageService(seed=1, profile="seed")
    served = seed.serve_grpc()
    try:
        with _channel(served) as channel, pytest.raises(grpc.RpcError) as caught:
            getattr(ImageServiceStub(channel), method)(request_message, metadata=AUTH, timeout=10)
    finally:
        served.stop()
    assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED


def test_every_route_is_served(server: Any, fake: FakeImageService) -> None:
    """Each RPC of the table reaches the request path (an empty request: INVALID_ARGUMENT
    or NOT_FOUND from the fake, never UNIMPLEMENTED from gRPC)."""
    from pytest_yc_images.faces import grpc_codec

    with _channel(server) as channel:
        for route in routes():
            call = channel.unary_unary(
                route.grpc_method,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=grpc_codec.message_class(route.response_type).FromString,
            )
            empty = grpc_codec.message_class(route.request_type)()
            with pytest.raises(grpc.RpcError) as caught:
                call(empty, metadata=AUTH, timeout=10)
            assert caught.value.code() in (
                grpc.StatusCode.INVALID_ARGUMENT,
                grpc.StatusCode.NOT_FOUND,
            ), route.rpc
    assert [e.method for e in fake.journal.entries] == [r.rpc for r in routes()]


def test_the_server_can_be_pointed_at_another_fake(server: Any) -> None:
    other = FakeImageService(seed=2)
    image = other.put_image(folderId="b1gother", name="elsewhere")
    request = GetImageRequest(image_id=image["id"])
    with _channel(server) as channel:
        stub = ImageServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.Get(request, metadata=AUTH, timeout=10)
        assert caught.value.code() is grpc.StatusCode.NOT_FOUND
        first = server.rpc
        server.rpc = other._rpc
        assert server.rpc is other._rpc
        assert stub.Get(request, metadata=AUTH, timeout=10).name == "elsewhere"
        server.rpc = first
        with pytest.raises(grpc.RpcError):
            stub.Get(request, metadata=AUTH, timeout=10)


def test_a_route_the_core_does_not_implement_answers_unimplemented(
    fake: FakeImageService,
) -> None:
    """A route added to the contract is served at once; until the core implements its
    RPC, the request path answers UNIMPLEMENTED (and the journal records the call)."""
    document = copy.deepcopy(openapi_document())
    document["paths"]["/compute/v1/disks/{imageId}"] = {
        "parameters": [{"$ref": "#/components/parameters/imageId"}],
        "get": _disk_operation(document),
    }
    server = GrpcServer(fake._rpc, table=routes(document)).start()
    try:
        with _channel(server) as channel, pytest.raises(grpc.RpcError) as caught:
            DiskServiceStub(channel).Get(GetDiskRequest(disk_id="epdx"), metadata=AUTH, timeout=10)
    finally:
        server.stop()
    assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
    assert "DiskService.Get is not implemented" in (caught.value.details() or "")
    assert [e.method for e in fake.journal.entries] == ["DiskService.Get"]


def _disk_operation(document: dict[str, Any]) -> dict[str, Any]:
    operation = copy.deepcopy(document["paths"]["/compute/v1/images/{imageId}"]["get"])
    operation["operationId"] = "getDisk"
    operation["x-yc-rpc"] = {
        "method": "yandex.cloud.compute.v1.DiskService/Get",
        "request": "GetImageRequest",
        "requestType": "yandex.cloud.compute.v1.GetDiskRequest",
        "responseType": "yandex.cloud.compute.v1.Disk",
    }
    return operation
