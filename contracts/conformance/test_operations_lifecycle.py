"""Operations and what they do to their image: the fields of an Operation, IDs, states in
flight, the response of a finished operation, an Update that a Delete overtakes, and what
an image's name and family look like after an Update or a Delete.

Every case holds whether the target finishes an operation at once (``done: true`` in the
first reply) or later: what is asserted of a running operation is asserted only when a
read made after the observation still shows it running.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error

pytestmark = pytest.mark.mutating
ID = re.compile(r"[a-z0-9]{20}")  # API.md: "20 characters of [a-z0-9]"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")
IMAGE_TYPE = "type.googleapis.com/yandex.cloud.compute.v1.Image"


def _started(reply: Any, image_id: str | None = None) -> dict[str, Any]:
    assert reply.status_code == 200, reply.text
    op: dict[str, Any] = reply.json()
    if image_id is not None:
        assert op["metadata"]["imageId"] == image_id
    return op


def _listed(api: Api, image_id: str, operation_id: str) -> dict[str, Any] | None:
    """The operation as ListOperations of its image shows it (None: not listed)."""
    reply = api.list_operations(image_id, pageSize=1000)
    assert reply.status_code == 200, reply.text
    found = [o for o in reply.json().get("operations", []) if o["id"] == operation_id]
    return found[0] if found else None


def _check_fields(op: dict[str, Any]) -> None:
    assert ID.fullmatch(op["id"]), f"operation id {op['id']!r} is not 20 of [a-z0-9]"
    for stamp in ("createdAt", "modifiedAt"):
        assert RFC3339.fullmatch(op.get(stamp, "")), f"{stamp}: {op.get(stamp)!r}"
    assert op.get("createdBy"), f"createdBy missing: {op}"


@pytest.mark.rule("image.family-latest", "create.family-latest", "image.status", "operations.id",
                  "operations.description", "operations.metadata-target",
                  "operations.response-type", "operations.in-flight-neither",
                  "operations.in-flight-states", "operations.fields", "operations.created-by",
                  "ids.shape", "create.metadata", "operations.response-resource",
                  "create.operation", "states.creating", "states.deleting", "operation.poll",
                  "delete.metadata", "delete.gone", "list-operations.scope",
                  "latest.newest-ready", "latest.not-found",
                  "wire.schema.CreateImageOperation")  # fmt: skip
def test_an_image_lives_through_its_operations_as_documented(
    api: Api, source_image_id: str
) -> None:
    """Fields and IDs; CREATING then DELETING while they run; the response is the image;
    its family follows its newest image and is gone with its last."""
    family = api.run.name("f")
    older = api.create_ready(source_image_id, family=family)
    first = _started(api.create(api.create_body(source_image_id, family=family)))
    _check_fields(first)
    image_id = first["metadata"]["imageId"]
    assert ID.fullmatch(image_id), f"image id {image_id!r} is not 20 of [a-z0-9]"
    seen = api.get(image_id)
    assert seen.status_code == 200, seen.text
    listed = _listed(api, image_id, first["id"])
    assert listed is not None, "ListOperations of the image does not list its Create"
    if listed.get("done") is not True:  # still running after the Get: it saw CREATING
        assert seen.json()["status"] == "CREATING", seen.json()
    done = api.wait(first)
    _check_fields(done)
    assert "error" not in done, done
    image = api.get(image_id).json()
    assert image["status"] == "READY"
    # The target resource of the operation: the image as Get shows it once created.
    assert done["response"]["@type"] == IMAGE_TYPE
    assert {k: v for k, v in done["response"].items() if k != "@type"} == image
    # The same operation, as ListOperations of the image shows it: the same response.
    listed = _listed(api, image_id, first["id"])
    assert listed is not None, "ListOperations of the image does not list its Create"
    assert listed.get("done") is True, listed
    assert listed.get("response") == done["response"], "ListOperations shows another image"
    latest = api.latest(family)
    assert latest.status_code == 200, latest.text
    assert latest.json()["id"] == image_id, "the family's latest is not its newest image"
    deleting = _started(api.delete(image_id), image_id)
    seen = api.get(image_id)
    if deleting.get("done") is not True and seen.status_code == 200:
        listed = _listed(api, image_id, deleting["id"])
        if listed is not None and listed.get("done") is not True:
            assert seen.json()["status"] == "DELETING", seen.json()
    assert "error" not in api.wait(deleting), deleting
    expect_error(api.get(image_id), 5)
    assert api.latest(family).json().get("id") == older["id"]
    assert "error" not in api.wait(_started(api.delete(older["id"]), older["id"]))
    expect_error(api.latest(family), 5)  # no image left in the family


def _overtaken(api: Api, image: dict[str, Any]) -> None:
    """An Update that a Delete overtakes still ends as an Update: an error or the Image."""
    body = {"updateMask": "description", "description": "overtaken"}
    update = _started(api.update(image["id"], body), image["id"])
    deleting = api.delete(image["id"])
    # Deleting an image whose Update runs is not documented: refused (a state conflict,
    # FAILED_PRECONDITION or ABORTED) or done; either way the Update must end as an Update.
    if deleting.status_code != 200:
        assert deleting.json().get("code") in (9, 10), deleting.text
    else:
        assert "error" not in api.wait(deleting.json()), deleting.text
    again = api.operation(update["id"])
    assert again.status_code == 200, again.text
    done = api.wait(again.json())
    assert ("error" in done) != ("response" in done), done
    if "response" in done:  # an Update's response is the Image, never Empty
        assert done["response"]["@type"] == IMAGE_TYPE, done["response"]
        assert done["response"]["id"] == image["id"]


def _update(api: Api, image_id: str, body: dict[str, Any]) -> dict[str, Any]:
    done = api.wait(_started(api.update(image_id, body), image_id))
    assert "error" not in done, done
    reply = api.get(image_id)
    assert reply.status_code == 200, reply.text
    assert {k: v for k, v in done["response"].items() if k != "@type"} == reply.json()
    return dict(reply.json())


def _named(api: Api, name: str) -> list[str]:
    reply = api.list(filter=f'name="{name}"')
    assert reply.status_code == 200, reply.text
    return [i["id"] for i in reply.json().get("images", [])]


@pytest.mark.rule("update.mask", "update.mask-absent-resets", "list.filter-name",
                  "operations.response-resource", "operations.result-oneof", "update.operation",
                  "update.metadata", "delete.operation-readable")  # fmt: skip
def test_a_renamed_image_is_found_by_its_new_name_then_a_delete_overtakes_an_update(
    api: Api, source_image_id: str
) -> None:
    image = api.create_ready(source_image_id)
    old, new = image["name"], api.run.name("n")
    after = _update(api, image["id"], {"updateMask": "name", "name": new})
    assert after["name"] == new
    assert _named(api, new) == [image["id"]]
    assert _named(api, old) == []
    # The same name named in the mask: the name stays.
    after = _update(api, image["id"], {"updateMask": "name,description", "name": new,
                                       "description": "same name"})  # fmt: skip
    assert after["name"] == new
    # Named in the mask and left out: set to its default (empty, so absent).
    after = _update(api, image["id"], {"updateMask": "name"})
    assert after.get("name", "") == "", after
    assert _named(api, new) == []
    _overtaken(api, after)


@pytest.mark.rule("create.cancellable", "operations.error-cancelled", "operations.cancel-get",
                  "operations.cancel-best-effort", "operations.result-oneof")  # fmt: skip
def test_a_create_can_be_cancelled_while_it_runs(api: Api, source_image_id: str) -> None:
    first = _started(api.create(api.create_body(source_image_id)))
    reply = api.ops.get(f"/operations/{first['id']}:cancel")
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] == first["id"]
    done = api.wait(reply.json())
    # Best effort: cancelled (CANCELLED) or it got to finish first (the Image).
    assert ("error" in done) != ("response" in done), done
    if "error" in done:
        assert done["error"]["code"] == 1, done["error"]
    else:
        assert done["response"]["@type"] == IMAGE_TYPE, done["response"]
