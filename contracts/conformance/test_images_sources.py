"""What a new image takes from the Create that makes it and from its source image.

The seed and today's protos: licence IDs "are inherited by new resources created from this
resource"; the OS type's default is LINUX and the request's ``os`` is the image's; today's
``hardware_generation`` overrides the source's, and without one the source's stays.
Only what the documentation says: whether ``os`` is inherited ("can be inherited"), and
what a Create naming a source that is not READY answers, are not written anywhere.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error, violations

pytestmark = pytest.mark.mutating

SOURCES = ("imageId", "diskId", "snapshotId", "uri")
PUBLIC = "standard-images"
GEN2_GPU = "ubuntu-2004-lts-secureboot-cuda-12-2"  # hardware-generations.md: Gen 2
MISSING = "fd8conformancenone0"  # 19 characters: no image, disk or snapshot has this ID
# A request naming a resource that is not there: refused (INVALID_ARGUMENT, NOT_FOUND,
# PERMISSION_DENIED or FAILED_PRECONDITION), at once or as the operation's error.
REFUSALS = {3, 5, 7, 9}


def _get(api: Api, image_id: str) -> dict[str, Any]:
    reply = api.get(image_id)
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


@pytest.mark.rule(
    "image.pooled", "image.product-ids-inherited", "create.os", "create.pooled", "create.ready"
)
def test_a_new_image_takes_its_sources_licence_ids_and_its_creates_os_and_pool(
    api: Api, source_image_id: str
) -> None:
    # One image for three rules: each image a run makes is one of its budget.
    source = _get(api, source_image_id)
    reply = api.create(api.create_body(source_image_id, os={"type": "WINDOWS"}, pooled=True))
    assert reply.status_code == 200, reply.text
    done = api.wait(reply.json())
    assert "error" not in done, done
    image = _get(api, str(done["metadata"]["imageId"]))
    for shown in (image, done["response"]):  # Get, and the operation's response
        assert sorted(shown.get("productIds", [])) == sorted(source.get("productIds", [])), (
            f"source {source.get('productIds')}, new image {shown.get('productIds')}"
        )
        assert shown.get("os", {}).get("type") == "WINDOWS", shown.get("os")
        assert shown.get("pooled") is True, shown


@pytest.mark.rule("create.source-exists", "create.ready")
@pytest.mark.parametrize("source", ["imageId", "diskId", "snapshotId"])
def test_a_create_from_a_source_that_is_not_there_makes_no_image(api: Api, source: str) -> None:
    body = api.create_body(None, **{source: MISSING})
    reply = api.create(body)
    if reply.status_code == 200:  # accepted: the operation must end with the refusal
        done = api.wait(reply.json())
        assert "error" in done, f"a Create from {source}={MISSING} made an image: {done}"
        assert done["error"]["code"] in REFUSALS, done["error"]
        return
    code = reply.json().get("code")
    assert code in REFUSALS, f"{source}={MISSING}: HTTP {reply.status_code} {reply.text[:300]}"


@pytest.mark.profile("live")
@pytest.mark.rule("create.hardware-generation", "image.hardware-generation", "create.os",
                  "image.os-nvidia")  # fmt: skip
def test_without_a_hardware_generation_the_source_images_stays(api: Api) -> None:
    reply = api.latest(GEN2_GPU, PUBLIC)
    assert reply.status_code == 200, reply.text
    source = reply.json()
    assert source.get("hardwareGeneration") == {"generation2Features": {}}, source
    image = api.create_ready(str(source["id"]))
    assert image.get("hardwareGeneration") == source["hardwareGeneration"]
    # An override is the new image's, whatever the source's; and so is an os given with
    # a GPU driver.
    legacy = {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V2"}}
    os = {"type": "LINUX", "nvidia": {"driver": "535"}}
    reply = api.create(api.create_body(str(source["id"]), hardwareGeneration=legacy, os=os))
    assert reply.status_code == 200, reply.text
    done = api.wait(reply.json())
    assert "error" not in done, done
    for other in (_get(api, str(done["metadata"]["imageId"])), done["response"]):
        assert other.get("hardwareGeneration") == legacy
        assert other.get("os") == os


@pytest.mark.rule("create.source-required", "errors.bad-request")
@pytest.mark.parametrize("source", ["imageId", "diskId", "snapshotId", "uri"])
def test_a_source_given_as_an_empty_string_is_no_source(api: Api, source: str) -> None:
    reply = api.create(api.create_body(None, **{source: ""}))
    expect_error(reply, 3)
    named = violations(reply)
    assert set(named) & {*SOURCES, "source"}, f"the BadRequest names {named}, no source field"


@pytest.mark.rule("image.product-ids-inherited", "create.source-exists", "create.ready")
def test_an_image_of_the_folder_is_a_source_too(api: Api, scratch_image: dict[str, Any]) -> None:
    first = scratch_image  # made from the source image by this worker
    second = api.create_ready(str(first["id"]))
    assert second["status"] == "READY"
    assert sorted(second.get("productIds", [])) == sorted(first.get("productIds", []))
