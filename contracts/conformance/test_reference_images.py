"""Rules found reading the reference sentence by sentence (rules_reference): an ID from
List is one Get returns; Update, Delete and Cancel of what is not there are NOT_FOUND;
a hardware generation, fixed to its image, is not changed by an Update.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error

IMAGES = "/compute/v1/images"
MISSING = "fd8conformancenone0"  # 19 characters: no image has this ID
NO_OPERATION = "conformancenoop00000"


@pytest.mark.rule("get.id-from-list", "get.list-request", "list.images", "get.returns-image")
def test_an_image_id_from_list_is_the_image_get_returns(
    api: Api, scratch_image: dict[str, Any]
) -> None:
    reply = api.list(pageSize=1000)
    assert reply.status_code == 200, reply.text
    listed = {i["id"]: i for i in reply.json().get("images", [])}
    assert scratch_image["id"] in listed, "List does not show the image this run made"
    got = api.get(str(scratch_image["id"]))
    assert got.status_code == 200, got.text
    assert got.json() == listed[scratch_image["id"]]


@pytest.mark.mutating
@pytest.mark.rule("update.image-id", "delete.image-id", "get.not-found", "errors.http_status")
def test_update_and_delete_of_an_image_that_is_not_there_are_not_found(api: Api) -> None:
    # The checked client straight: the Api refuses to change images this run did not make,
    # and no image has this ID.
    body = {"updateMask": "description", "description": "nobody's"}
    expect_error(api.http.patch(f"{IMAGES}/{MISSING}", json=body), 5)
    expect_error(api.http.delete(f"{IMAGES}/{MISSING}"), 5)


@pytest.mark.rule("operations.cancel-id", "get.not-found")
def test_cancel_of_an_operation_that_is_not_there_is_not_found(api: Api) -> None:
    expect_error(api.ops.get(f"/operations/{NO_OPERATION}:cancel"), 5)


@pytest.mark.mutating
@pytest.mark.profile("live")
@pytest.mark.rule("live.hardware-generation-fixed", "update.mask-unknown-field")
def test_an_update_does_not_change_the_hardware_generation(
    api: Api, scratch_image: dict[str, Any]
) -> None:
    before = api.get(str(scratch_image["id"])).json()
    other = (
        {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V1"}}
        if "generation2Features" in before.get("hardwareGeneration", {})
        else {"generation2Features": {}}
    )
    body = {"updateMask": "hardwareGeneration", "hardwareGeneration": other}
    reply = api.update(str(scratch_image["id"]), body)
    # UpdateImageRequest has no such field: the mask names no field an Update may set.
    expect_error(reply, 3)
    after = api.get(str(scratch_image["id"])).json()
    assert after.get("hardwareGeneration") == before.get("hardwareGeneration"), after
