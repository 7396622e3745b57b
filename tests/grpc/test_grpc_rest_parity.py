"""One mistake, both faces: the same code and the same BadRequest fields over REST and gRPC."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from yandex.cloud.compute.v1 import image_service_pb2 as svc
from yandex.cloud.operation.operation_service_pb2 import GetOperationRequest
from yandex.cloud.operation.operation_service_pb2_grpc import OperationServiceStub

from pytest_yc_images import Code, YcGrpc

FOLDER = "b1gparityfolder00001"
SOURCE = "https://storage.yandexcloud.net/builds/app.qcow2"
MISSING_IMAGE = "fd8nothere0000000000"
PUBLIC_IMAGE = "{public}"  # replaced by a standard image's ID

# (id, the answer both give, REST: method, path, query, body; gRPC: service, method, request)
CASES: list[
    tuple[str, tuple[str, list[str]], tuple[str, str, dict[str, Any], Any], tuple[str, str, Any]]
] = [
    (
        "bad-name",
        ("INVALID_ARGUMENT", ["name"]),
        ("POST", "/compute/v1/images", {}, {"folderId": FOLDER, "name": "Bad Name", "uri": SOURCE}),
        ("images", "Create", svc.CreateImageRequest(folder_id=FOLDER, name="Bad Name", uri=SOURCE)),
    ),
    (
        "no-folder",
        ("INVALID_ARGUMENT", ["folderId"]),
        ("POST", "/compute/v1/images", {}, {"name": "ok", "uri": SOURCE}),
        ("images", "Create", svc.CreateImageRequest(name="ok", uri=SOURCE)),
    ),
    (
        "bad-label-key",
        ("INVALID_ARGUMENT", ["labels"]),
        (
            "POST",
            "/compute/v1/images",
            {},
            {"folderId": FOLDER, "uri": SOURCE, "labels": {"A": "1"}},
        ),
        (
            "images",
            "Create",
            svc.CreateImageRequest(folder_id=FOLDER, uri=SOURCE, labels={"A": "1"}),
        ),
    ),
    (
        "page-size",
        ("INVALID_ARGUMENT", ["pageSize"]),
        ("GET", "/compute/v1/images", {"folderId": FOLDER, "pageSize": "1001"}, None),
        ("images", "List", svc.ListImagesRequest(folder_id=FOLDER, page_size=1001)),
    ),
    (
        "filter",
        ("INVALID_ARGUMENT", ["filter"]),
        ("GET", "/compute/v1/images", {"folderId": FOLDER, "filter": "family = x"}, None),
        ("images", "List", svc.ListImagesRequest(folder_id=FOLDER, filter="family = x")),
    ),
    (
        "page-token",
        ("INVALID_ARGUMENT", ["pageToken"]),
        ("GET", "/compute/v1/images", {"folderId": FOLDER, "pageToken": "forged"}, None),
        ("images", "List", svc.ListImagesRequest(folder_id=FOLDER, page_token="forged")),
    ),
    (
        "no-family",
        ("NOT_FOUND", []),
        ("GET", "/compute/v1/images:latestByFamily", {"folderId": FOLDER}, None),
        ("images", "GetLatestByFamily", svc.GetImageLatestByFamilyRequest(folder_id=FOLDER)),
    ),
    (
        "mask",
        ("INVALID_ARGUMENT", ["updateMask"]),
        ("PATCH", f"/compute/v1/images/{MISSING_IMAGE}", {}, {"updateMask": "family"}),
        (
            "images",
            "Update",
            svc.UpdateImageRequest(image_id=MISSING_IMAGE, update_mask=FieldMask(paths=["family"])),
        ),
    ),
    (
        "missing-image",
        ("NOT_FOUND", []),
        ("GET", f"/compute/v1/images/{MISSING_IMAGE}", {}, None),
        ("images", "Get", svc.GetImageRequest(image_id=MISSING_IMAGE)),
    ),
    (
        "public-folder",
        ("PERMISSION_DENIED", []),
        ("DELETE", f"/compute/v1/images/{PUBLIC_IMAGE}", {}, None),
        ("images", "Delete", svc.DeleteImageRequest(image_id=PUBLIC_IMAGE)),
    ),
    (
        "missing-operation",
        ("NOT_FOUND", []),
        ("GET", "/operations/fd8noop0000000000000", {}, None),
        ("operations", "Get", GetOperationRequest(operation_id="fd8noop0000000000000")),
    ),
]


@pytest.fixture
def rest(yc_grpc: YcGrpc, yc_server: Any) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {yc_grpc.token}"}
    with httpx.Client(base_url=yc_server.url, headers=headers) as client:
        yield client


def _public_image(yc_grpc: YcGrpc) -> str:
    image_id: str = yc_grpc.fake.images("standard-images")[0]["id"]
    return image_id


@pytest.mark.parametrize(
    ("expected", "rest_call", "grpc_call"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_mistake_gets_one_answer_on_both_faces(
    yc_grpc: YcGrpc,
    rest: httpx.Client,
    expected: tuple[str, list[str]],
    rest_call: tuple[str, str, dict[str, Any], Any],
    grpc_call: tuple[str, str, Any],
    violations: Callable[[Any], list[str]],
) -> None:
    public = _public_image(yc_grpc)
    method, path, query, body = rest_call
    reply = rest.request(method, path.replace(PUBLIC_IMAGE, public), params=query, json=body)
    status = reply.json()
    rest_fields = [
        v["field"]
        for d in status.get("details", [])
        if d["@type"].endswith("google.rpc.BadRequest")
        for v in d["fieldViolations"]
    ]

    from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

    stubs = {
        "images": yc_grpc.sdk.client(ImageServiceStub),
        "operations": yc_grpc.sdk.client(OperationServiceStub),
    }
    service, rpc, request = grpc_call
    if getattr(request, "image_id", None) == PUBLIC_IMAGE:
        request.image_id = public
    with pytest.raises(grpc.RpcError) as caught:
        getattr(stubs[service], rpc)(request)

    code = Code(status["code"])
    assert code is not Code.OK
    assert reply.status_code == code.http_status
    assert caught.value.code().value[0] == code, (caught.value.code(), code.name)
    assert violations(caught.value) == rest_fields
    assert caught.value.details() == status["message"]
    assert (code.name, rest_fields) == expected
