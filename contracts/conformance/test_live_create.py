"""Create as today's protos document it: exactly one source, hardwareGeneration, the
image's size, and minDiskSize against the source's data (live/image_service.proto,
live/image.proto). Only the documented part: the fake's own choices (the default hardware
generation, how equality is treated) are stated in docs/profiles.md, not asserted here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error, violations

pytestmark = pytest.mark.mutating

SOURCES = ("imageId", "diskId", "snapshotId", "uri")
MAX_MIN_DISK_SIZE = 4398046511104  # the documented range's top
FAR = 4  # "far": a factor, so no rounding of sizes can decide the answer


def _data(image: dict[str, Any]) -> int:
    """The most an image holds: its stored bytes and its virtual size, as it shows them."""
    return max(int(image.get("storageSize", "0")), int(image.get("size", "0")))


def _stored(image: dict[str, Any]) -> int:
    """The volume of an image's data: what Create's minDiskSize must exceed ("Should be
    more than the volume of source data"; the virtual size is Update's second bound)."""
    return int(image.get("storageSize", "0"))


def _source(api: Api, source_image_id: str) -> dict[str, Any]:
    reply = api.get(source_image_id)
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    if _data(found) < FAR * 4194304:
        pytest.skip("the source image is too small for a minDiskSize far below its data")
    return found


@pytest.mark.rule("create.source-required", "errors.bad-request")
def test_a_create_without_a_source_is_refused_naming_a_source_field(api: Api) -> None:
    reply = api.create(api.create_body(None))
    expect_error(reply, 3)
    named = violations(reply)
    assert set(named) & {*SOURCES, "source"}, f"the BadRequest names {named}, no source field"


@pytest.mark.profile("live")
@pytest.mark.rule("create.hardware-generation", "image.hardware-generation", "image.size",
                  "wire.int64")  # fmt: skip
def test_a_hardware_generation_given_on_create_is_the_images(
    api: Api, source_image_id: str
) -> None:
    generation = {"generation2Features": {}}
    image = api.create_ready(source_image_id, hardwareGeneration=generation)
    assert image.get("hardwareGeneration") == generation
    for shown in (api.get(source_image_id).json(), image):  # size: an int64, as a string
        if "size" in shown:
            assert isinstance(shown["size"], str), shown["size"]
            assert re.fullmatch(r"0|[1-9][0-9]{0,18}", shown["size"]), shown["size"]


@pytest.mark.rule("create.min-disk-size", "errors.bad-request")
def test_create_refuses_a_min_disk_size_far_below_the_source_data(
    api: Api, source_image_id: str
) -> None:
    source = _source(api, source_image_id)
    if _stored(source) < FAR * 4194304:
        pytest.skip("the source image's data is too small for a minDiskSize far below it")
    reply = api.create(api.create_body(source_image_id, minDiskSize=str(_stored(source) // FAR)))
    expect_error(reply, 3)
    assert "minDiskSize" in violations(reply) or "min_disk_size" in violations(reply)


@pytest.mark.rule("create.min-disk-size", "update.min-disk-size", "errors.bad-request")
def test_min_disk_size_far_above_the_data_is_taken_far_below_refused(
    api: Api, source_image_id: str
) -> None:
    data = _data(_source(api, source_image_id))
    wanted = min(data * FAR, MAX_MIN_DISK_SIZE)
    image = api.create_ready(source_image_id, minDiskSize=str(wanted))
    assert image.get("minDiskSize") == str(wanted)
    data = _data(image)  # as the new image shows its own sizes

    small = str(data // FAR)
    reply = api.update(image["id"], {"updateMask": "minDiskSize", "minDiskSize": small})
    expect_error(reply, 3)
    assert "minDiskSize" in violations(reply) or "min_disk_size" in violations(reply)
    assert api.get(image["id"]).json().get("minDiskSize") == str(wanted)

    larger = str(min(data * FAR * 2, MAX_MIN_DISK_SIZE))
    reply = api.update(image["id"], {"updateMask": "minDiskSize", "minDiskSize": larger})
    assert reply.status_code == 200, reply.text
    done = api.wait(reply.json())
    assert "error" not in done, done
    assert api.get(image["id"]).json().get("minDiskSize") == larger
