"""The Image resource as Get, List and the Create operation show it: fields at their default
left out, int64 values as decimal strings, timestamps in RFC 3339 UTC, enums by name
(API.md, "JSON mapping")."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_yc_images.conformance import Api

pytestmark = pytest.mark.mutating

RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")
INT64 = re.compile(r"0|-?[1-9][0-9]{0,18}")
# Fields of a CreateImageRequest that, left out, leave the image's at their default.
AT_DEFAULT = ("description", "family", "pooled")


def _created(api: Api, source_image_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An image made with only a name, labels and a source: its operation, and Get's reply."""
    reply = api.create(api.create_body(source_image_id))
    assert reply.status_code == 200, reply.text
    done = api.wait(reply.json())
    assert "error" not in done, done
    got = api.get(str(done["metadata"]["imageId"]))
    assert got.status_code == 200, got.text
    return done, dict(got.json())


@pytest.mark.rule("image.storage-size-live", "wire.defaults-omitted", "wire.int64",
                  "wire.timestamp", "wire.enum-names", "image.storage-size", "image.size",
                  "create.operation", "update.operation", "get.returns-image")  # fmt: skip
def test_an_image_shows_its_fields_as_the_json_mapping_writes_them(
    api: Api, source_image_id: str
) -> None:
    done, image = _created(api, source_image_id)
    listed = [i for p in api.list_all(pageSize=1000) for i in p if i["id"] == image["id"]]
    assert len(listed) == 1, listed
    for shown in (image, done["response"], listed[0]):
        for field in AT_DEFAULT:
            assert field not in shown, f"{field} is at its default, yet shown: {shown[field]!r}"
        assert RFC3339_UTC.fullmatch(shown["createdAt"]), shown["createdAt"]
        for field in ("storageSize", "minDiskSize", "size"):
            if field in shown:
                assert isinstance(shown[field], str), (field, shown[field])
                assert INT64.fullmatch(shown[field]), (field, shown[field])
        assert shown["status"] == "READY"
        assert shown["os"]["type"] in ("LINUX", "WINDOWS"), shown["os"]
        # A READY image made from a source holds data: its sizes are above 0, so shown.
        assert int(shown["storageSize"]) > 0, shown
        if api.target.profile == "live":
            assert int(shown["size"]) > 0, shown
    for field in ("createdAt", "modifiedAt"):
        assert RFC3339_UTC.fullmatch(done[field]), (field, done[field])

    # The same image (one of the run's budget): the operations' responses are the image as
    # Get shows it.
    assert done["response"] == {"@type": "type.googleapis.com/yandex.cloud.compute.v1.Image",
                                **image}  # fmt: skip
    reply = api.update(image["id"], {"updateMask": "description", "description": "updated"})
    assert reply.status_code == 200, reply.text
    updated = api.wait(reply.json())
    assert "error" not in updated, updated
    got = api.get(image["id"]).json()
    assert got.get("description") == "updated"
    assert updated["response"] == {"@type": "type.googleapis.com/yandex.cloud.compute.v1.Image",
                                   **got}  # fmt: skip


@pytest.mark.profile("live")
@pytest.mark.rule("wire.defaults-omitted", "create.hardware-generation")
def test_an_enum_at_its_zero_value_is_not_shown(api: Api, source_image_id: str) -> None:
    # PCI_TOPOLOGY_UNSPECIFIED is the enum's zero value: its default, so never shown (an
    # implementation may refuse it as INVALID_ARGUMENT, or take it as unset).
    unset = {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_UNSPECIFIED"}}
    reply = api.create(api.create_body(source_image_id, hardwareGeneration=unset))
    if reply.status_code != 200:
        assert reply.json().get("code") == 3, reply.text
        return
    done = api.wait(reply.json())
    assert "error" not in done, done
    image = api.get(str(done["metadata"]["imageId"])).json()
    shown = image.get("hardwareGeneration", {}).get("legacyFeatures", {})
    assert shown.get("pciTopology") != "PCI_TOPOLOGY_UNSPECIFIED", image["hardwareGeneration"]
