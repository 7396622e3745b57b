"""Operations as today's documentation has them: Cancel by GET (the proto's HTTP rule) and
by POST (the API design guide), best effort; Idempotency-Key returns the operation first
created with it. Each works on the run's scratch image (Updates): no image of its own.
Both profiles: the seed is silent on both, today's documentation speaks.

Not asserted (the fake's choices, docs/profiles.md): whether a running operation's reply
writes ``"done": false`` or omits it, a key's scope beyond one caller and one method, and
what a key that is not a UUID gets.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from pytest_yc_images.conformance import Api

pytestmark = pytest.mark.mutating
IMAGES = "/compute/v1/images"


def _outcome(api: Api, reply: Any, operation_id: str) -> dict[str, Any]:
    """The cancelled (or already finished) operation, polled until done."""
    assert reply.status_code == 200, reply.text
    answered = reply.json()
    assert answered["id"] == operation_id
    done = api.wait(answered)
    assert done["done"] is True
    # Best effort: cancelled (an error, CANCELLED) or it got to finish first (a response).
    assert ("error" in done) != ("response" in done), done
    if "error" in done:
        assert done["error"]["code"] == 1, done["error"]  # google.rpc.Code CANCELLED
    return done


def _running_update(api: Api, image: dict[str, Any], description: str) -> str:
    """Start an Update of ``image`` (a description): its operation's ID."""
    reply = api.update(str(image["id"]), {"updateMask": "description", "description": description})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["id"])


@pytest.mark.rule("operations.cancel-get", "operations.cancel-best-effort",
                  "wire.schema.Operation")  # fmt: skip
def test_cancel_by_get_ends_the_operation(api: Api, scratch_image: dict[str, Any]) -> None:
    operation_id = _running_update(api, scratch_image, "cancelled by GET")
    reply = api.ops.get(f"/operations/{operation_id}:cancel")
    _outcome(api, reply, operation_id)


@pytest.mark.rule("operations.cancel-post", "operations.cancel-best-effort",
                  "wire.schema.Operation")  # fmt: skip
def test_cancel_by_post_ends_the_operation(api: Api, scratch_image: dict[str, Any]) -> None:
    operation_id = _running_update(api, scratch_image, "cancelled by POST")
    reply = api.ops.post(f"/operations/{operation_id}:cancel")
    _outcome(api, reply, operation_id)


@pytest.mark.rule("operations.idempotency-key-first-operation")
def test_an_idempotency_key_repeated_with_another_body_returns_the_first_operation(
    api: Api, scratch_image: dict[str, Any]
) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}  # "We recommend using a v4 UUID"
    image_id = str(scratch_image["id"])
    mask = {"updateMask": "description"}
    first = api.http.patch(f"{IMAGES}/{image_id}", json={**mask, "description": "first"},
                           headers=headers)  # fmt: skip
    assert first.status_code == 200, first.text
    again = api.http.patch(f"{IMAGES}/{image_id}", json={**mask, "description": "again"},
                           headers=headers)  # fmt: skip
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    done = api.wait(first.json())
    assert "error" not in done, done
    assert api.get(image_id).json().get("description") == "first"
