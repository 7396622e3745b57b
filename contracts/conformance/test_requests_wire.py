"""Requests on the wire: malformed bodies, int64 values given as numbers, the bearer token,
the public folder, and paths with no method.

API.md ("JSON mapping", "Requests", "IDs") and the error table of the API design guide
(docs:en/_includes/errors-handling.md).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error
from pytest_yc_images.conformance.client import NotExpressible

IMAGES = "/compute/v1/images"
PUBLIC = "standard-images"


@pytest.mark.mutating
@pytest.mark.rule("wire.malformed-body")
@pytest.mark.parametrize(
    "body",
    [b"{", b"not json", b"[]", b'"a string"', b"42", b"null"],
    ids=["unclosed", "not-json", "array", "string", "number", "null"],
)
def test_a_body_that_is_not_a_json_object_is_invalid_argument(
    api: Api, scratch_image: dict[str, Any], body: bytes
) -> None:
    # Over gRPC the bridge cannot carry such a body: the contract is skipped, saying why.
    before = api.get(scratch_image["id"]).json()
    reply = api.http.patch(f"{IMAGES}/{scratch_image['id']}", content=body,
                           headers={"Content-Type": "application/json"})  # fmt: skip
    expect_error(reply, 3)
    assert api.get(scratch_image["id"]).json() == before, "a refused Update changed the image"


@pytest.mark.rule("auth.required", "auth.bearer")
@pytest.mark.parametrize(
    "header", ["Basic Y29uZm9ybWFuY2U6dG9rZW4=", "Token conformance", "conformance-token"]
)
def test_a_token_not_given_as_bearer_is_unauthenticated(api: Api, header: str) -> None:
    # An expected 401: an anonymous client, its Authorization header set by hand.
    with api.expecting(16), api.anonymous() as anonymous:
        anonymous.headers["Authorization"] = header
        for reply in (
            anonymous.get(IMAGES, params={"folderId": api.folder_id}),
            anonymous.get(f"{IMAGES}:latestByFamily",
                          params={"folderId": PUBLIC, "family": "ubuntu-2204-lts"}),
        ):  # fmt: skip
            expect_error(reply, 16)


@pytest.mark.mutating
@pytest.mark.rule("auth.required")
def test_update_and_delete_without_a_token_are_unauthenticated(
    api: Api, scratch_image: dict[str, Any]
) -> None:
    path = f"{IMAGES}/{scratch_image['id']}"
    with api.expecting(16), api.anonymous() as anonymous:  # an expected 401
        replies = [
            anonymous.patch(path, json={"updateMask": "description", "description": "x"}),
            anonymous.delete(path),
            anonymous.get(f"{path}/operations"),
        ]
    for reply in replies:
        expect_error(reply, 16)
    assert api.get(scratch_image["id"]).status_code == 200, "an unauthenticated Delete deleted"


@pytest.mark.rule("access.public-readable", "list.folder")
def test_the_public_folder_is_readable_by_every_account(api: Api) -> None:
    images = [i for page in api.list_all(PUBLIC, pageSize=1000) for i in page]
    assert images, f"{PUBLIC} lists no image"
    assert {i["folderId"] for i in images} == {PUBLIC}
    one = api.get(str(images[0]["id"]))
    assert one.status_code == 200, one.text
    assert one.json()["folderId"] == PUBLIC


@pytest.mark.mutating
@pytest.mark.rule("access.public-read-only")
def test_creating_an_image_in_the_public_folder_is_permission_denied(
    api: Api, source_image_id: str
) -> None:
    body = api.create_body(source_image_id) | {"folderId": PUBLIC}
    # An expected 403: sent over a client of its own, with the run's token.
    with api.expecting(7), api.anonymous(api.target.token) as client:
        reply = client.post(IMAGES, json=body)
    expect_error(reply, 7)


@pytest.mark.rule("wire.route")
@pytest.mark.parametrize(
    "path",
    ["/compute/v1/imagez", "/compute/v1/images/fd8conformancenone0/nothing", "/compute/v2/images"],
)
def test_a_path_of_no_method_is_not_found(api: Api, path: str) -> None:
    # A wrong verb on a known path is left out: the gateway's 405 (code 12) is not written.
    reply = api.http.get(path, params={"folderId": api.folder_id})
    assert reply.status_code == 404, f"GET {path}: {reply.status_code} {reply.text[:200]}"


def _request_ids(reply: Any) -> list[str]:
    details = reply.json().get("details", [])
    return [str(d.get("requestId")) for d in details if "RequestInfo" in str(d.get("@type"))]


@pytest.mark.rule("wire.request-id-echo", "errors.status")
@pytest.mark.parametrize("header", ["X-Request-Id", "X-Client-Request-Id"])
def test_an_error_echoes_the_request_id_sent(api: Api, header: str) -> None:
    if api.target.grpc_endpoint:
        raise NotExpressible(f"{header}: the gRPC bridge carries no request-id metadata")
    sent = str(uuid.uuid4())
    for reply in (
        api.http.get(f"{IMAGES}/fd8conformancenone0", headers={header: sent}),
        api.http.get("/compute/v1/imagez", headers={header: sent}),
    ):
        assert not reply.is_success, reply.text
        assert _request_ids(reply) == [sent], f"{header}: {reply.text[:300]}"


@pytest.mark.profile("live")
@pytest.mark.mutating
@pytest.mark.rule("create.os-nvidia", "create.ready")
def test_the_os_and_its_gpu_driver_are_the_images(api: Api, source_image_id: str) -> None:
    wanted = {"type": "LINUX", "nvidia": {"driver": "535"}}
    image = api.create_ready(source_image_id, os=wanted)
    assert image.get("os") == wanted, f"os {wanted} given, the image has {image.get('os')}"
    # No driver given: none is the image's (an empty message may be written or left out).
    image = api.create_ready(source_image_id, os={"type": "LINUX", "nvidia": {}})
    got = image.get("os", {})
    assert got.get("type") == "LINUX", f"the image has {got}"
    assert got.get("nvidia", {}) == {}, f"the image has {got}"
