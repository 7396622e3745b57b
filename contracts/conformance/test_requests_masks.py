"""Update masks: an Update without a mask, the JSON names a mask takes, and a mask naming
no field of the image.

The seed's UpdateImageRequest.update_mask; the REST reference page of Update
(docs:en/compute/api-ref/Image/update.md); API.md, "JSON mapping".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error, violations

pytestmark = pytest.mark.mutating

GIB = 1024**3


@pytest.fixture
def image(api: Api, scratch_image: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """This worker's scratch image (nothing new is created: the run's budget of images is
    small); its run label is given back after each contract."""
    yield scratch_image
    reply = api.update(scratch_image["id"], {"updateMask": "labels", "labels": api.run.labels})
    if reply.status_code == 200:
        api.wait(reply.json())


def _updated(api: Api, image_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = api.update(image_id, body)
    assert reply.status_code == 200, reply.text
    done = api.wait(reply.json())
    assert "error" not in done, done
    image = api.get(image_id)
    assert image.status_code == 200, image.text
    found: dict[str, Any] = image.json()
    return found


@pytest.mark.profile("live")  # the seed says nothing of an Update without a mask
@pytest.mark.rule("update.no-mask-all-fields", "update.no-mask-rest-reset")
def test_without_a_mask_every_field_is_set_or_reset(api: Api, image: dict[str, Any]) -> None:
    _updated(api, image["id"], {"updateMask": "description", "description": "to be reset"})
    new_name = api.run.name("m")
    labels = {**api.run.labels, "changed": "yes"}
    after = _updated(api, image["id"], {"name": new_name, "labels": labels})
    assert after["name"] == new_name, "no mask: the name given must be set"
    assert after.get("labels") == labels, "no mask: the labels given must be set"
    assert after.get("description", "") == "", "no mask: a field not given is reset"


@pytest.mark.rule("update.mask", "update.mask-json-names", "wire.int64")
def test_a_mask_names_fields_by_their_json_names(api: Api, image: dict[str, Any]) -> None:
    _updated(api, image["id"], {"updateMask": "description,minDiskSize", "description": "kept",
                                "minDiskSize": str(20 * GIB)})  # fmt: skip
    wanted = str(30 * GIB)
    new_name = api.run.name("j")
    labels = {**api.run.labels, "k": "v"}
    after = _updated(api, image["id"], {"updateMask": "minDiskSize,name,labels",
                                        "minDiskSize": wanted, "name": new_name,
                                        "labels": labels, "description": "ignored"})  # fmt: skip
    assert after.get("minDiskSize") == wanted, "minDiskSize is in the mask: it must change"
    assert after["name"] == new_name
    assert after.get("labels") == labels
    assert after.get("description") == "kept", "description is not in the mask"


@pytest.mark.rule("update.mask-absent-resets", "update.mask-json-names")
def test_masked_labels_left_out_are_cleared(api: Api, image: dict[str, Any]) -> None:
    before = _updated(api, image["id"], {"updateMask": "labels,description", "description": "x",
                                         "labels": {**api.run.labels, "old": "1"}})  # fmt: skip
    after = _updated(api, image["id"], {"updateMask": "labels,description"})
    assert after.get("labels", {}) == {}, "labels are masked and absent: reset to empty"
    assert after.get("description", "") == ""
    assert after["name"] == before["name"]


@pytest.mark.rule("update.mask-unknown-field", "errors.bad-request")
@pytest.mark.parametrize("mask", ["noSuchField", "name,noSuchField"])
def test_a_mask_naming_no_field_of_the_image_is_invalid_argument(
    api: Api, image: dict[str, Any], mask: str
) -> None:
    before = api.get(image["id"]).json()["name"]
    reply = api.update(image["id"], {"updateMask": mask, "name": api.run.name("u")})
    expect_error(reply, 3)
    named = violations(reply)
    assert any(f in ("updateMask", "update_mask") for f in named), named
    assert api.get(image["id"]).json()["name"] == before, "a refused Update renamed the image"


@pytest.mark.rule("wire.int64-number-accepted", "wire.int64")
def test_int64_fields_are_accepted_as_json_numbers(api: Api, image: dict[str, Any]) -> None:
    after = _updated(api, image["id"], {"updateMask": "minDiskSize", "minDiskSize": 25 * GIB})
    assert after.get("minDiskSize") == str(25 * GIB), "written back as a decimal string"
