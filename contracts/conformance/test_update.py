"""Update: the mask decides what changes; labels are replaced whole."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images.conformance import Api

pytestmark = pytest.mark.mutating


def _update(api: Api, image_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = api.update(image_id, body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["metadata"]["imageId"] == image_id
    done = api.wait(reply.json())
    assert "error" not in done, done
    image = api.get(image_id).json()
    assert done["response"]["id"] == image_id
    return dict(image)


@pytest.mark.rule(
    "update.updates-image", "update.operation", "update.mask", "wire.schema.UpdateImageOperation"
)
def test_only_masked_fields_change(api: Api, source_image_id: str) -> None:
    image = api.create_ready(source_image_id, description="before", labels={"keep": "me"})
    new_name = api.run.name("n")
    after = _update(api, image["id"], {"updateMask": "description", "description": "after",
                                       "name": new_name, "labels": api.run.labels})  # fmt: skip
    assert after.get("description") == "after"
    assert after["name"] == image["name"], "name is not in the mask, yet it changed"
    assert after.get("labels") == image["labels"], "labels are not in the mask, yet they changed"
    assert after.get("minDiskSize") == image.get("minDiskSize")


@pytest.mark.rule("update.mask-absent-resets", "update.mask")
def test_a_masked_field_left_out_is_reset(api: Api, source_image_id: str) -> None:
    image = api.create_ready(source_image_id, description="to be cleared")
    new_name = api.run.name("r")
    after = _update(api, image["id"], {"updateMask": "name,description", "name": new_name})
    assert after["name"] == new_name
    assert after.get("description", "") == "", "a masked, absent description must be reset"


@pytest.mark.rule("update.labels-replaced")
def test_labels_are_replaced_whole(api: Api, source_image_id: str) -> None:
    image = api.create_ready(source_image_id, labels={"old": "1", "both": "old"})
    wanted = {"both": "new", "fresh": "2", **api.run.labels}
    after = _update(api, image["id"], {"updateMask": "labels", "labels": wanted})
    assert after.get("labels") == wanted, f"labels were merged, not replaced: {after.get('labels')}"
    assert after["name"] == image["name"]
