"""Regression tests, one per failure fuzzing found in the fake or its contract."""

from __future__ import annotations

import re

import httpx
import pytest

from pytest_yc_images import FakeImageService, openapi_document

SRC = {"uri": "https://storage.example/a.qcow2"}  # a Create names one source
IMAGES = "/compute/v1/images"
ZERO_UUID = "00000000-0000-0000-0000-000000000000"


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


def test_a_reused_idempotency_key_answers_the_first_operation_and_is_marked(
    client: httpx.Client,
) -> None:
    """Schemathesis reused one key across requests (the fake answered each with its own
    operation then). As the API design guide has it, a key names one operation whatever
    the request repeating it: a reuse gets that operation, and the journal marks it."""
    key = {"Idempotency-Key": ZERO_UUID}  # what hypothesis draws first for a UUID
    first = client.post(IMAGES, json={"folderId": "b1ga", **SRC}, headers=key).json()
    other = client.post(IMAGES, json={"folderId": "b1gb", **SRC}, headers=key).json()
    image_id = first["metadata"]["imageId"]
    patched = client.patch(f"{IMAGES}/{image_id}", json={"updateMask": "description"},
                           headers=key).json()  # fmt: skip
    assert other["id"] == patched["id"] == first["id"]
    assert client.get(IMAGES, params={"folderId": "b1gb"}).json() == {}  # no work done
    journal = client.get("/_fake/journal").json()["entries"]
    assert [(e["replayed"], e["replayedWithOtherBody"]) for e in journal[:3]] == [
        (False, False),
        (True, True),
        (True, True),
    ]


def test_the_idempotency_key_header_is_a_uuid_or_empty_as_the_fake_takes_it() -> None:
    header = openapi_document()["components"]["parameters"]["idempotencyKey"]
    # It once said format: uuid while the fake took any string; now both ask a UUID (an
    # empty header is no key), and schemathesis draws what the fake takes.
    pattern = re.compile(header["schema"]["pattern"])
    assert pattern.search(ZERO_UUID)
    assert pattern.search("")
    assert not pattern.search("0")
    assert not pattern.search(ZERO_UUID + "0")


def test_a_create_repeated_after_its_image_was_deleted_is_not_done_empty(
    client: httpx.Client,
) -> None:
    """The stateful phase repeated a Create by its Idempotency-Key after an earlier scenario
    had deleted the image while that Create still ran; polled, the Create was done with a
    google.protobuf.Empty response instead of an Image (on-poll completion)."""
    key = {"Idempotency-Key": ZERO_UUID}
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
