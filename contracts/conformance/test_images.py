"""Create, Get, Delete, operations, idempotency, authentication and errors."""

from __future__ import annotations

import uuid

import pytest

from pytest_yc_images.conformance import Api, expect_error

IMAGES = "/compute/v1/images"
MISSING = "fd8conformancenone0"  # 19 characters: no image has this ID


@pytest.mark.mutating
@pytest.mark.rule("create.folder", "image.id", "image.folder-id", "image.name",
                  "image.description", "image.labels", "image.family", "image.min-disk-size",
                  "operations.response-success", "wire.operation-not-resource",
                  "create.operation", "create.ready", "operation.done", "operation.poll",
                  "wire.schema.CreateImageOperation", "wire.schema.Image", "wire.int64",
                  "wire.any-type", "wire.operation.metadata", "get.returns-image",
                  "CreateImageRequest.source.oneof")  # fmt: skip
def test_create_polls_to_a_ready_image_equal_to_the_request(api: Api, source_image_id: str) -> None:
    body = api.create_body(source_image_id, description="conformance", family="ycc-family",
                           minDiskSize="21474836480", labels={"k": "v"})  # fmt: skip
    reply = api.create(body)
    assert reply.status_code == 200, reply.text
    first = reply.json()
    image_id = first["metadata"]["imageId"]
    # done may be true at once, false, or omitted (false): each is allowed; poll if not done.
    done = api.wait(first)
    assert done["id"] == first["id"]
    assert done["done"] is True
    assert "error" not in done, done
    assert done["metadata"]["imageId"] == image_id
    response = done["response"]
    image = api.get(image_id).json()
    for got in (response, image):
        assert got["id"] == image_id
        assert got["folderId"] == api.folder_id
        assert got["status"] == "READY"
        assert got["name"] == body["name"]
        assert got.get("description") == "conformance"
        assert got.get("family") == "ycc-family"
        assert got.get("minDiskSize") == "21474836480"
        assert got.get("labels") == body["labels"]


@pytest.mark.mutating
@pytest.mark.rule("create.idempotency-key")
def test_a_repeated_idempotency_key_returns_the_first_operation(
    api: Api, source_image_id: str
) -> None:
    body = api.create_body(source_image_id)
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.create(body, headers=headers)
    second = api.create(body, headers=headers)
    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"]
    api.wait(first.json())
    named = [i for p in api.list_all(pageSize=1000) for i in p if i.get("name") == body["name"]]
    assert len(named) == 1, f"one Create with a repeated key made {len(named)} images"


@pytest.mark.mutating
@pytest.mark.rule("delete.deletes-image", "operations.get-returns", "delete.operation",
                  "delete.gone", "delete.operation-readable", "get.not-found",
                  "wire.schema.DeleteImageOperation")  # fmt: skip
def test_delete_removes_the_image_and_its_operation_stays_readable(
    api: Api, source_image_id: str
) -> None:
    image = api.create_ready(source_image_id)
    reply = api.delete(image["id"])
    assert reply.status_code == 200, reply.text
    assert reply.json()["metadata"]["imageId"] == image["id"]
    done = api.wait(reply.json())
    assert "error" not in done, done
    assert done["response"]["@type"] == "type.googleapis.com/google.protobuf.Empty"
    gone = api.get(image["id"])
    expect_error(gone, 5)
    again = api.operation(done["id"])
    assert again.status_code == 200, again.text
    assert again.json()["done"] is True
    listed = [i["id"] for p in api.list_all(pageSize=1000) for i in p]
    assert image["id"] not in listed


@pytest.mark.rule(
    "list-operations.image-id",
    "get.not-found",
    "errors.status",
    "errors.http_status",
    "wire.schema.Status",
    "wire.json",
    "wire.route",
)
def test_unknown_ids_are_not_found(api: Api) -> None:
    for reply in (api.get(MISSING), api.operation("conformancenoop00000"),
                  api.list_operations(MISSING)):  # fmt: skip
        assert reply.status_code == 404, reply.text
        assert reply.json()["code"] == 5
        assert reply.json().get("message") is not None


@pytest.mark.rule("auth.required", "errors.status")
@pytest.mark.parametrize("token", [None, ""], ids=["no-header", "empty-token"])
def test_calls_without_a_token_are_unauthenticated(api: Api, token: str | None) -> None:
    with api.expecting(16), api.anonymous(token) as anonymous:
        if token == "":
            anonymous.headers["Authorization"] = "Bearer"  # the scheme, no token
        for reply in (
            anonymous.get(IMAGES, params={"folderId": api.folder_id}),
            anonymous.get(f"{IMAGES}/{MISSING}"),
            anonymous.get(f"{IMAGES}:latestByFamily",
                          params={"folderId": api.folder_id, "family": "ubuntu-2204-lts"}),
        ):  # fmt: skip
            expect_error(reply, 16)


@pytest.mark.mutating
@pytest.mark.rule("auth.required")
def test_create_without_a_token_is_unauthenticated(api: Api, source_image_id: str) -> None:
    with api.expecting(16), api.anonymous() as anonymous:
        reply = anonymous.post(IMAGES, json=api.create_body(source_image_id))
    expect_error(reply, 16)
