"""The gRPC face's methods come from the route table: what it lists is served, the rest
of the SDK's services answers UNIMPLEMENTED, and the server can be pointed at another fake."""

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
from yandex.cloud.compute.v1.image_service_pb2 import GetImageRequest
from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

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


@pytest.mark.parametrize(
    ("method", "request_message"),
    [
        ("ListAccessBindings", ListAccessBindingsRequest(resource_id="fd8x")),
        ("SetAccessBindings", SetAccessBindingsRequest(resource_id="fd8x")),
        ("UpdateAccessBindings", UpdateAccessBindingsRequest(resource_id="fd8x")),
    ],
)
def test_sdk_methods_the_fake_does_not_serve_answer_unimplemented(
    server: Any, method: str, request_message: Any
) -> None:
    assert f"ImageService.{method}" not in routes()
    with _channel(server) as channel:
        stub = ImageServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            getattr(stub, method)(request_message, metadata=AUTH, timeout=10)
        assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
        # The served methods of the same service still answer.
        with pytest.raises(grpc.RpcError) as missing:
            stub.Get(GetImageRequest(image_id="fd8nosuchimage0000000"), metadata=AUTH, timeout=10)
        assert missing.value.code() is grpc.StatusCode.NOT_FOUND


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
    document["paths"]["/compute/v1/images/{imageId}:listAccessBindings"] = {
        "parameters": [{"$ref": "#/components/parameters/imageId"}],
        "get": _access_bindings_operation(document),
    }
    server = GrpcServer(fake._rpc, table=routes(document)).start()
    try:
        with _channel(server) as channel:
            stub = ImageServiceStub(channel)
            with pytest.raises(grpc.RpcError) as caught:
                stub.ListAccessBindings(
                    ListAccessBindingsRequest(resource_id="fd8x"), metadata=AUTH, timeout=10
                )
    finally:
        server.stop()
    assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
    assert "ImageService.ListAccessBindings is not implemented" in (caught.value.details() or "")
    assert [e.method for e in fake.journal.entries] == ["ImageService.ListAccessBindings"]


def _access_bindings_operation(document: dict[str, Any]) -> dict[str, Any]:
    operation = copy.deepcopy(document["paths"]["/compute/v1/images/{imageId}"]["get"])
    operation["operationId"] = "listImageAccessBindings"
    operation["x-yc-rpc"] = {
        "method": "yandex.cloud.compute.v1.ImageService/ListAccessBindings",
        "request": "GetImageRequest",
        "requestType": "yandex.cloud.access.ListAccessBindingsRequest",
        "responseType": "yandex.cloud.access.ListAccessBindingsResponse",
    }
    return operation
