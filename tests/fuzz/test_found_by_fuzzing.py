"""Regression tests, one per failure fuzzing found in the fake or its contract."""

from __future__ import annotations

import httpx
import pytest

from pytest_yc_images import FakeImageService, openapi_document

SRC = {"uri": "https://storage.example/a.qcow2"}  # a Create names one source
IMAGES = "/compute/v1/images"


@pytest.fixture
def client() -> httpx.Client:
    return FakeImageService(seed="found").client()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"folderId": "b1g", "uri": "https://storage.example/\\ud800.qcow2"}',  # was a 500
        b'{"folderId": "b1g\\udfff"}',  # was stored, in a folder no query could name
        b'{"folderId": "b1g", "description": "\\ud800"}',
    ],
)
def test_a_lone_surrogate_is_invalid_argument_not_a_crash(client: httpx.Client, raw: bytes) -> None:
    reply = client.post(IMAGES, content=raw, headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["details"][0]["fieldViolations"][0]["description"] == (
        "must be valid UTF-8 (lone surrogate)"
    )


def test_a_reused_idempotency_key_never_answers_for_another_request(client: httpx.Client) -> None:
    key = {"Idempotency-Key": "0"}  # schemathesis reused such keys across requests
    first = client.post(IMAGES, json={"folderId": "b1ga", **SRC}, headers=key).json()
    again = client.post(IMAGES, json={"folderId": "b1ga", **SRC}, headers=key).json()
    other = client.post(IMAGES, json={"folderId": "b1gb", **SRC}, headers=key).json()
    assert again["id"] == first["id"]  # a repeat: the first call's operation
    assert other["id"] != first["id"]  # another request: its own operation, its own image
    assert client.get(f"{IMAGES}/{other['metadata']['imageId']}").json()["folderId"] == "b1gb"
    for op in (first, other):
        client.get(f"/operations/{op['id']}")
    ids = [op["metadata"]["imageId"] for op in (first, other)]
    patched = [
        client.patch(f"{IMAGES}/{i}", json={"updateMask": "description"}, headers=key).json()
        for i in ids
    ]
    assert [op["metadata"]["imageId"] for op in patched] == ids


def test_the_idempotency_key_header_is_any_string_as_the_fake_takes_it() -> None:
    header = openapi_document()["components"]["parameters"]["idempotencyKey"]
    assert header["schema"] == {"type": "string"}  # it said format: uuid, the fake took any


def test_a_create_repeated_after_its_image_was_deleted_is_not_done_empty(
    client: httpx.Client,
) -> None:
    """The stateful phase repeated a Create by its Idempotency-Key after an earlier scenario
    had deleted the image while that Create still ran; polled, the Create was done with a
    google.protobuf.Empty response instead of an Image (on-poll completion)."""
    key = {"Idempotency-Key": "0"}
    create = client.post(IMAGES, json={"folderId": "b1ga", **SRC}, headers=key).json()
    image_id = create["metadata"]["imageId"]
    delete = client.delete(f"{IMAGES}/{image_id}").json()
    assert client.get(f"/operations/{delete['id']}").json()["done"] is True
    again = client.post(IMAGES, json={"folderId": "b1ga", **SRC}, headers=key).json()
    assert again["id"] == create["id"]
    polled = client.get(f"/operations/{create['id']}").json()
    assert polled["done"] is True
    assert "response" not in polled
    assert polled["error"]["code"] == 10  # ABORTED: its image went before it finished
    assert image_id in polled["error"]["message"]
