"""The route table: read from openapi.yaml's x-yc-rpc extensions, consistent with the
schemas, the official SDK's services and the core, and the one table the faces route by."""

from __future__ import annotations

import copy
import importlib
import json
from typing import Any

import pytest

from pytest_yc_images import (
    DEFAULT_TOKEN,
    FakeImageService,
    Route,
    message_names,
    openapi_document,
    routes,
    schema,
)
from pytest_yc_images._core.rpcs import implemented
from pytest_yc_images._core.service import ImageService
from pytest_yc_images._rpc import METHODS
from pytest_yc_images.faces.rest import HttpRequest, RestRouter

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
BY_ROUTE = pytest.mark.parametrize("route", list(routes()), ids=lambda r: r.rpc)
AUTH = {"authorization": f"Bearer {DEFAULT_TOKEN}"}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_every_operation_of_the_document_is_a_route() -> None:
    operations = _operations(openapi_document())
    assert all("x-yc-rpc" in operation for _, _, operation in operations)
    assert [(r.path, r.http_method.lower(), r.operation_id) for r in routes().bindings] == [
        (path, method, operation["operationId"]) for path, method, operation in operations
    ]
    # Iterating gives each RPC once: its main binding, whatever else reaches it.
    assert [r.rpc for r in routes()] == list(dict.fromkeys(r.rpc for r in routes().bindings))
    assert not any(r.additional_binding for r in routes())


def test_the_table_as_the_api_has_it() -> None:
    assert {r.rpc: (r.http_method, r.path) for r in routes()} == {
        "ImageService.Get": ("GET", "/compute/v1/images/{imageId}"),
        "ImageService.GetLatestByFamily": ("GET", "/compute/v1/images:latestByFamily"),
        "ImageService.List": ("GET", "/compute/v1/images"),
        "ImageService.Create": ("POST", "/compute/v1/images"),
        "ImageService.Update": ("PATCH", "/compute/v1/images/{imageId}"),
        "ImageService.Delete": ("DELETE", "/compute/v1/images/{imageId}"),
        "ImageService.ListOperations": ("GET", "/compute/v1/images/{imageId}/operations"),
        # live/image_service.proto: the three access-binding RPCs (the live profile only)
        "ImageService.ListAccessBindings": (
            "GET",
            "/compute/v1/images/{resourceId}:listAccessBindings",
        ),
        "ImageService.SetAccessBindings": (
            "POST",
            "/compute/v1/images/{resourceId}:setAccessBindings",
        ),
        "ImageService.UpdateAccessBindings": (
            "POST",
            "/compute/v1/images/{resourceId}:updateAccessBindings",
        ),
        "OperationService.Get": ("GET", "/operations/{operationId}"),
        "OperationService.Cancel": ("GET", "/operations/{operationId}:cancel"),
    }
    # live/operation_service.proto's HTTP rule is GET; the API design guide writes POST.
    assert [(r.http_method, r.additional_binding) for r in routes().bindings
            if r.rpc == "OperationService.Cancel"] == [("GET", False), ("POST", True)]  # fmt: skip
    table = routes()
    assert {r.rpc for r in table if r.mutating} == {
        "ImageService.Create",
        "ImageService.Update",
        "ImageService.Delete",
        "ImageService.SetAccessBindings",
        "ImageService.UpdateAccessBindings",
        "OperationService.Cancel",
    }
    assert {r.rpc for r in table if r.body} == {
        "ImageService.Create",
        "ImageService.Update",
        "ImageService.SetAccessBindings",
        "ImageService.UpdateAccessBindings",
    }
    assert table["ImageService.List"].query_parameters == (
        "folderId",
        "pageSize",
        "pageToken",
        "filter",
        "orderBy",  # live/image_service.proto: ListImagesRequest.order_by
    )
    seed = routes(profile="seed")["ImageService.List"]
    assert seed.query_parameters == ("folderId", "pageSize", "pageToken", "filter")
    assert table["ImageService.ListOperations"].path_parameters == ("imageId",)
    assert {r.rpc: r.page_items for r in table if r.page_items} == {
        "ImageService.List": "images",
        "ImageService.ListOperations": "operations",
        "ImageService.ListAccessBindings": "accessBindings",
    }
    assert table["ImageService.Create"].metadata_type == (
        "type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata"
    )
    assert table["OperationService.Get"].metadata_type is None


@BY_ROUTE
def test_messages_resolve_to_schema_files(route: Route) -> None:
    assert route.request in message_names()
    assert route.response in message_names()
    assert schema(route.request)["title"] == route.request_type
    response = schema(route.response)
    if route.metadata_type is None:
        assert response["title"] == route.response_type
    else:  # a typed operation: an Operation whose metadata has the route's @type
        assert {"$ref": "Operation.json"} in response["allOf"]
        assert route.response_type == schema("Operation")["title"]


@BY_ROUTE
def test_every_route_is_a_method_of_the_official_sdk(route: Route) -> None:
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    from google.protobuf import descriptor_pool

    importlib.import_module(route.grpc_module)
    service = descriptor_pool.Default().FindServiceByName(route.grpc_service)
    method = service.methods_by_name[route.grpc_method.rsplit("/", 1)[1]]
    assert f"/{service.full_name}/{method.name}" == route.grpc_method
    assert method.input_type.full_name == route.request_type
    assert method.output_type.full_name == route.response_type
    assert route.rpc == f"{service.name}.{method.name}"


def test_the_core_implements_every_route_and_nothing_else() -> None:
    assert set(implemented(ImageService)) == {r.rpc for r in routes()}
    assert set(METHODS) == {r.rpc for r in routes()}
    for route in routes():
        spec = METHODS[route.rpc]
        assert spec.request == route.request
        # Idempotency-Key returns the operation a call started: Cancel starts none.
        assert spec.mutating == (route.rpc != "OperationService.Cancel" and route.mutating)


def test_lookups() -> None:
    table = routes()
    assert table is routes()  # read once
    assert "ImageService.Get" in table
    assert "ImageService.Nope" not in table
    with pytest.raises(KeyError, match=r"ImageService\.Nope"):
        table["ImageService.Nope"]
    methods, in_path = table.match("/compute/v1/images/fd8a%2Fb") or ({}, {})
    assert sorted(methods) == ["DELETE", "GET", "PATCH"]
    assert in_path == {"imageId": "fd8a%2Fb"}
    assert table.match("/compute/v1/images/a/b") is None
    assert table.match("/compute/v1/images/") is None
    for verb in ("get", "post"):
        found = table.find(verb, "/operations/op1:cancel")
        assert found is not None
        assert found.rpc == "OperationService.Cancel"
        assert found.grpc_method == "/yandex.cloud.operation.OperationService/Cancel"
    assert table.find("GET", "/operations/op1:cancel") is table["OperationService.Cancel"]
    post = table.template("POST", "/operations/{operationId}:cancel")
    assert post is not None
    assert post.additional_binding
    assert post.operation_id != table["OperationService.Cancel"].operation_id
    assert table.find("DELETE", "/operations/op1:cancel") is None
    assert table.find("PUT", "/compute/v1/images") is None
    assert table.template("GET", "/operations/{operationId}") is table["OperationService.Get"]
    assert table["ImageService.ListOperations"].url(imageId="fd8x") == (
        "/compute/v1/images/fd8x/operations"
    )
    assert table["ImageService.Get"].grpc_module == "yandex.cloud.compute.v1.image_service_pb2"


def test_an_operation_without_the_extension_is_refused() -> None:
    document = copy.deepcopy(openapi_document())
    del document["paths"]["/compute/v1/images"]["post"]["x-yc-rpc"]
    with pytest.raises(ValueError, match="createImage has no x-yc-rpc"):
        routes(document)


def _with_share_route() -> dict[str, Any]:
    """The shipped document and one more operation: POST /compute/v1/images/{id}:share."""
    document = copy.deepcopy(openapi_document())
    operation = copy.deepcopy(document["paths"]["/compute/v1/images/{imageId}"]["patch"])
    operation["operationId"] = "shareImage"
    operation["x-yc-rpc"] = {
        "method": "yandex.cloud.compute.v1.ImageService/Share",
        "request": "UpdateImageRequest",
        "requestType": "yandex.cloud.compute.v1.UpdateImageRequest",
        "responseType": "yandex.cloud.operation.Operation",
    }
    document["paths"]["/compute/v1/images/{imageId}:share"] = {
        "parameters": [{"$ref": "#/components/parameters/imageId"}],
        "post": operation,
    }
    return document


def test_a_route_added_to_the_document_is_routed_by_rest() -> None:
    table = routes(_with_share_route())
    assert len(table) == len(routes()) + 1
    share = table["ImageService.Share"]
    assert (share.http_method, share.body, share.mutating) == ("POST", True, True)
    assert share.path_parameters == ("imageId",)
    assert table.find("POST", "/compute/v1/images/fd8x:share") is share

    fake = FakeImageService(seed=1)
    request = HttpRequest("POST", "/compute/v1/images/fd8x:share", headers=AUTH, body=b"{}")
    shipped = RestRouter(fake._rpc).handle(request)
    assert shipped.status == 404
    # Routed now; the core does not implement it yet, so the request path says so.
    extended = RestRouter(fake._rpc, table=table).handle(request)
    assert extended.status == 501
    assert json.loads(extended.body)["message"] == "ImageService.Share is not implemented"
    assert fake.journal.entries[-1].method == "ImageService.Share"
    # The other routes are unchanged.
    get = HttpRequest("GET", "/compute/v1/images/fd8x", headers=AUTH)
    assert RestRouter(fake._rpc, table=table).handle(get).status == 404
    wrong = RestRouter(fake._rpc, table=table).handle(
        HttpRequest("GET", "/compute/v1/images/fd8x:share", headers=AUTH)
    )
    assert (wrong.status, dict(wrong.headers)[b"allow"]) == (405, b"POST")


def _cancel_binding(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"]["/operations/{operationId}:cancel"]["post"]  # type: ignore[no-any-return]


def test_an_additional_binding_needs_its_rpc_main_binding() -> None:
    document = copy.deepcopy(openapi_document())
    del document["paths"]["/operations/{operationId}:cancel"]["get"]
    with pytest.raises(ValueError, match=r"additional binding of OperationService\.Cancel, which"):
        routes(document)


def test_an_additional_binding_takes_and_answers_what_its_main_binding_does() -> None:
    document = copy.deepcopy(openapi_document())
    _cancel_binding(document)["x-yc-rpc"]["request"] = "GetOperationRequest"
    with pytest.raises(ValueError, match="differs in: request"):
        routes(document)


def test_two_main_bindings_of_one_rpc_are_refused() -> None:
    document = copy.deepcopy(openapi_document())
    del _cancel_binding(document)["x-yc-rpc"]["additionalBinding"]
    with pytest.raises(ValueError, match="name the same RPC"):
        routes(document)


@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_both_bindings_route_to_the_one_rpc_and_others_get_405(verb: str) -> None:
    fake = FakeImageService(seed=1)
    image = fake.put_image(folderId="b1gfolder", name="a")
    running = fake.call("Update", {"imageId": image["id"], "updateMask": "name", "name": "b"})
    assert running["done"] is False
    router = RestRouter(fake._rpc)
    reply = router.handle(HttpRequest(verb, f"/operations/{running['id']}:cancel", headers=AUTH))
    assert reply.status == 200, reply.body
    assert json.loads(reply.body)["error"]["code"] == 1  # CANCELLED
    assert [e.method for e in fake.journal.entries][-1] == "OperationService.Cancel"
    wrong = router.handle(HttpRequest("PUT", f"/operations/{running['id']}:cancel", headers=AUTH))
    assert (wrong.status, dict(wrong.headers)[b"allow"]) == (405, b"GET, POST")
