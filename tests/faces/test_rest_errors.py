"""REST face robustness: whatever arrives, the answer is a Status JSON body, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

UBUNTU = "fd8a1ejo4ucrhdihu5ge"
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "body",
    [b"{", b"{'folderId': 'f'}", b'{"folderId": "f",}', b"\xff\xfe", b"nul\x00l", b"[" * 100_000],
    ids=["truncated", "single-quotes", "trailing-comma", "not-utf8", "nul", "deep-nesting"],
)
def test_malformed_json_is_invalid_argument(api: Api, body: bytes) -> None:
    reply = api.http.post("/compute/v1/images", content=body, headers=JSON)
    assert reply.status_code == 400
    assert api.violations(reply) == ["body"]


@pytest.mark.parametrize(
    "body",
    [b"[]", b'"text"', b"42", b"null", b"true"],
    ids=["array", "string", "int", "null", "bool"],
)
def test_a_body_that_is_not_an_object_is_invalid(api: Api, body: bytes) -> None:
    reply = api.http.post("/compute/v1/images", content=body, headers=JSON)
    assert reply.status_code == 400
    assert api.violations(reply) == ["body"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"folderId": ["f"]}, "folderId"),
        ({"folderId": None}, "folderId"),
        ({"folderId": "f", "labels": ["a"]}, "labels"),
        ({"folderId": "f", "labels": {"a": 1}}, "labels.a"),
        ({"folderId": "f", "minDiskSize": 4194304.5}, "minDiskSize"),
        ({"folderId": "f", "minDiskSize": True}, "minDiskSize"),
        ({"folderId": "f", "productIds": "p"}, "productIds"),
        ({"folderId": "f", "os": "LINUX"}, "os"),
        ({"folderId": "f", "name": {"x": 1}}, "name"),
    ],
)
def test_wrong_json_types_name_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    reply = api.http.post("/compute/v1/images", json=body)
    assert reply.status_code == 400
    assert field in api.violations(reply)


def test_wrong_types_in_an_update(api: Api, fake: FakeImageService) -> None:
    image = fake.put_image(folderId=api.folder)
    reply = api.update(image["id"], updateMask=7, description=["x"])
    assert reply.status_code == 400
    assert set(api.violations(reply)) >= {"updateMask", "description"}


def test_body_over_one_mebibyte_is_resource_exhausted(api: Api) -> None:
    body = b'{"folderId": "f", "description": "' + b"x" * (1024 * 1024) + b'"}'
    reply = api.http.post("/compute/v1/images", content=body, headers=JSON)
    assert reply.status_code == 429
    assert reply.json()["code"] == 8


def test_body_just_under_the_limit_is_read(api: Api) -> None:
    padding = 1024 * 1024 - 100
    body = b'{"folderId": "f", "uri": "https://s.example/a", "description": "'
    body += b"x" * (padding - 32) + b'"}'
    reply = api.http.post("/compute/v1/images", content=body, headers=JSON)
    assert reply.status_code == 400  # parsed and validated: the description is too long
    assert api.violations(reply) == ["description"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/compute/v1",
        "/compute/v1/imagez",
        "/compute/v2/images",
        "/compute/v1/images/a/b/c",
        f"/compute/v1/images/{UBUNTU}/",
        "/operations",
        "/operations/",
        "/compute/v1/images:other",
        "/%ff%fe",
    ],
)
def test_unknown_paths_are_not_found(api: Api, path: str) -> None:
    reply = api.http.get(path)
    assert reply.status_code == 404
    assert reply.json()["code"] == 5


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/compute/v1/images", {"GET", "POST"}),
        ("DELETE", "/compute/v1/images", {"GET", "POST"}),
        ("POST", f"/compute/v1/images/{UBUNTU}", {"GET", "PATCH", "DELETE"}),
        ("PUT", f"/compute/v1/images/{UBUNTU}", {"GET", "PATCH", "DELETE"}),
        ("POST", "/compute/v1/images:latestByFamily", {"GET"}),
        ("DELETE", f"/compute/v1/images/{UBUNTU}/operations", {"GET"}),
        ("DELETE", "/operations/fd8someoperation0000", {"GET"}),
        ("DELETE", "/operations/fd8someoperation0000:cancel", {"GET", "POST"}),
        ("OPTIONS", "/compute/v1/images", {"GET", "POST"}),
    ],
)
def test_wrong_methods_are_405_with_allow(
    api: Api, method: str, path: str, allow: set[str]
) -> None:
    reply = api.http.request(method, path)
    assert reply.status_code == 405
    assert reply.json()["code"] == 12
    assert {m.strip() for m in reply.headers["allow"].split(",")} == allow


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/compute/v1/images", {"folderId": "f", "sortBy": "name"}, "sortBy"),
        ("/compute/v1/images", {"folderId": "f", "folder_id": "f"}, "folder_id"),
        (f"/compute/v1/images/{UBUNTU}", {"view": "FULL"}, "view"),
        ("/operations/fd8someoperation0000", {"x": "1"}, "x"),
        ("/compute/v1/images:latestByFamily", {"folderId": "f", "family": "abc", "y": ""}, "y"),
    ],
)
def test_unknown_query_parameters_are_invalid(
    api: Api, path: str, params: dict[str, str], field: str
) -> None:
    reply = api.http.get(path, params=params)
    assert reply.status_code == 400
    assert api.violations(reply) == [field]


def test_a_repeated_query_parameter_is_invalid(api: Api) -> None:
    reply = api.http.get("/compute/v1/images?folderId=a&folderId=b")
    assert reply.status_code == 400
    assert api.violations(reply) == ["folderId"]


def test_a_path_id_repeated_in_the_body_is_invalid(api: Api, fake: FakeImageService) -> None:
    image = fake.put_image(folderId=api.folder)
    reply = api.update(image["id"], imageId=image["id"])
    assert reply.status_code == 400
    assert api.violations(reply) == ["imageId"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_invalid(api: Api, content_type: str) -> None:
    reply = api.http.post(
        "/compute/v1/images", content=b'{"folderId": "f"}', headers={"Content-Type": content_type}
    )
    assert reply.status_code == 400
    assert api.violations(reply) == ["Content-Type"]


def test_an_empty_body_is_an_empty_message(api: Api) -> None:
    reply = api.http.post("/compute/v1/images", content=b"", headers=JSON)
    assert reply.status_code == 400
    # folderId is required; the source oneof must be set (one violation per member)
    assert api.violations(reply) == ["folderId", "imageId", "diskId", "snapshotId", "uri"]


def test_percent_encoded_ids_are_decoded(api: Api) -> None:
    assert api.http.get("/compute/v1/images/fd8a1ejo4ucrhdihu5g%65").json()["id"] == UBUNTU
    assert api.http.get("/compute/v1/images/%00").status_code == 404


def test_the_request_id_is_echoed(api: Api) -> None:
    reply = api.http.get("/compute/v1/images/fd8nosuchimage000000", headers={"X-Request-Id": "r-1"})
    details = reply.json()["details"]
    assert {"@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": "r-1"} in details


ODD_REQUESTS: list[tuple[str, str, bytes]] = [
    ("GET", "/compute/v1/images?folderId=%ff", b""),
    ("GET", "/compute/v1/images?folderId=" + "f" * 5000, b""),
    ("GET", "/compute/v1/images?pageSize=1e3&folderId=f", b""),
    ("GET", "/compute/v1/images?filter=%22&folderId=f", b""),
    ("GET", "/compute/v1/images/" + "a" * 5000, b""),
    ("POST", "/compute/v1/images", b'{"folderId": "f", "labels": {"": ""}}'),
    ("POST", "/compute/v1/images", b'{"folderId": "f", "os": {"type": null}}'),
    ("POST", "/compute/v1/images", b'{"folderId": "f", "minDiskSize": "1e10"}'),
    ("POST", "/compute/v1/images", b'{"folderId": "f", "minDiskSize": 1e400}'),
    ("POST", "/compute/v1/images", b'{"folderId": "f", "name": "a", "name": "b"}'),
    ("POST", "/compute/v1/images", b'{"folderId": "\\ud800"}'),
    ("PATCH", f"/compute/v1/images/{UBUNTU}", b'{"updateMask": "name,,"}'),
    ("POST", "/operations/%2F:cancel", b""),
    ("GET", "/operations/" + "o" * 500, b""),
]


@pytest.mark.parametrize(("method", "path", "body"), ODD_REQUESTS)
def test_odd_requests_never_give_a_server_error(
    api: Api, method: str, path: str, body: bytes
) -> None:
    reply = api.http.request(method, path, content=body, headers=JSON if body else {})
    assert reply.status_code < 500, reply.text
    assert reply.status_code != 200 or reply.json().get("id")


def _response(method: str, path: str, status: int, body: dict[str, Any]) -> httpx.Response:
    request = httpx.Request(method, "https://compute.api.cloud.yandex.net" + path)
    return httpx.Response(status, json=body, request=request)


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", f"/compute/v1/images/{UBUNTU}", 200, {"id": UBUNTU}),  # no folderId, status
        ("GET", "/compute/v1/images", 200, {"images": [{"id": "x"}]}),
        ("POST", "/compute/v1/images", 200, {"id": "o", "metadata": {"imageId": "i"}}),
        (
            "DELETE",
            f"/compute/v1/images/{UBUNTU}",
            200,
            {
                "id": "o",
                "metadata": {
                    "@type": "type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata",
                    "imageId": "i",
                },
            },
        ),
        ("GET", "/operations/o", 200, {"id": "o", "done": True}),  # neither error nor response
        ("GET", "/compute/v1/images/x", 400, {"code": 5, "message": "not found"}),  # wrong HTTP
        ("GET", "/compute/v1/images/x", 404, {"message": "no code"}),
    ],
)
def test_the_contract_check_rejects_bad_bodies(
    contract_check: Callable[[httpx.Response], None],
    method: str,
    path: str,
    status: int,
    body: dict[str, Any],
) -> None:
    with pytest.raises(AssertionError):
        contract_check(_response(method, path, status, body))
