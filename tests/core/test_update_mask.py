"""ImageService.Update: the update mask decides what changes; the rest stays or resets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

GIB = 1024**3
ORIGINAL = {
    "name": "original",
    "description": "first words",
    "labels": {"env": "prod", "team": "core"},
    "minDiskSize": str(10 * GIB),
}


@pytest.fixture
def image(api: Api, fake: FakeImageService) -> dict[str, Any]:
    return fake.put_image(folderId=api.folder, storageSize=str(2 * GIB), **ORIGINAL)


def _update(api: Api, image_id: str, **body: Any) -> dict[str, Any]:
    reply = api.update(image_id, **body)
    assert reply.status_code == 200, reply.text
    done = api.poll(reply.json()["id"]).json()
    assert done["done"] is True, done
    after = api.get(image_id).json()
    assert done["response"] == {"@type": done["response"]["@type"], **after}
    return dict(after)


def _updatable(image: dict[str, Any]) -> dict[str, Any]:
    return {k: image.get(k) for k in ("name", "description", "labels", "minDiskSize")}


@pytest.mark.parametrize(
    ("mask", "body", "changed"),
    [
        ("name", {"name": "renamed", "description": "ignored"}, {"name": "renamed"}),
        (
            "description",
            {"description": "new words", "name": "ignored"},
            {"description": "new words"},
        ),
        ("minDiskSize", {"minDiskSize": str(20 * GIB)}, {"minDiskSize": str(20 * GIB)}),
        ("minDiskSize", {"minDiskSize": 30 * GIB}, {"minDiskSize": str(30 * GIB)}),
        ("labels", {"labels": {"only": "this"}}, {"labels": {"only": "this"}}),
        (
            "name,labels",
            {"name": "both", "labels": {"a": "b"}, "description": "ignored"},
            {"name": "both", "labels": {"a": "b"}},
        ),
    ],
)
def test_only_masked_fields_change(
    api: Api, image: dict[str, Any], mask: str, body: dict[str, Any], changed: dict[str, Any]
) -> None:
    after = _update(api, image["id"], updateMask=mask, **body)
    assert _updatable(after) == _updatable(image) | changed
    for field in ("id", "folderId", "createdAt", "storageSize", "status", "os"):
        assert after[field] == image[field]


def test_labels_are_replaced_never_merged(api: Api, image: dict[str, Any]) -> None:
    after = _update(api, image["id"], updateMask="labels", labels={"env": "dev"})
    assert after["labels"] == {"env": "dev"}


@pytest.mark.parametrize(
    ("mask", "gone"),
    [("description", "description"), ("labels", "labels"), ("name", "name")],
)
def test_masked_but_absent_field_is_reset(
    api: Api, image: dict[str, Any], mask: str, gone: str
) -> None:
    after = _update(api, image["id"], updateMask=mask)
    assert gone not in after  # back to its default, which JSON omits
    assert _updatable(after) == _updatable(image) | {gone: None}


def test_masked_but_absent_min_disk_size_resets_to_the_smallest_that_fits(
    api: Api, image: dict[str, Any]
) -> None:
    after = _update(api, image["id"], updateMask="minDiskSize")
    assert after["minDiskSize"] == image["storageSize"]


def test_no_mask_sets_every_updatable_field_from_the_body(api: Api, image: dict[str, Any]) -> None:
    after = _update(api, image["id"], name="whole", labels={"k": "v"})
    assert after["name"] == "whole"
    assert after["labels"] == {"k": "v"}
    assert "description" not in after  # absent from the body: reset
    assert after["minDiskSize"] == image["storageSize"]  # reset to its default


def test_empty_mask_behaves_as_no_mask(api: Api, image: dict[str, Any]) -> None:
    after = _update(api, image["id"], updateMask="", description="only this")
    assert after["description"] == "only this"
    assert "name" not in after
    assert "labels" not in after


@pytest.mark.parametrize(
    "mask",
    [
        "family",
        "status",
        "id",
        "folderId",
        "storageSize",
        "bogus",
        "name,family",
        "labels.env",
        "name,,labels",
        " name",
    ],
)
def test_unknown_or_read_only_mask_paths_are_invalid(
    api: Api, image: dict[str, Any], mask: str
) -> None:
    reply = api.update(image["id"], updateMask=mask, name="x1")
    assert reply.status_code == 400, mask
    assert "updateMask" in api.violations(reply)
    assert api.get(image["id"]).json() == image


def test_renaming_to_a_taken_name_is_already_exists(
    api: Api, fake: FakeImageService, image: dict[str, Any]
) -> None:
    fake.put_image(folderId=api.folder, name="taken")
    reply = api.update(image["id"], updateMask="name", name="taken")
    assert reply.status_code == 409
    assert api.get(image["id"]).json()["name"] == "original"


def test_renaming_to_its_own_name_is_fine(api: Api, image: dict[str, Any]) -> None:
    after = _update(
        api, image["id"], updateMask="name,description", name="original", description="x"
    )
    assert after["name"] == "original"


def test_min_disk_size_below_storage_size_is_invalid(api: Api, image: dict[str, Any]) -> None:
    reply = api.update(image["id"], updateMask="minDiskSize", minDiskSize=str(GIB))
    assert reply.status_code == 400
    assert api.violations(reply) == ["minDiskSize"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Bad Name"}, "name"),
        ({"labels": {"UP": "x"}}, "labels"),
        ({"description": "d" * 257}, "description"),
        ({"family": "new-family"}, "family"),  # not a field of UpdateImageRequest
        ({"updateMask": ["name"]}, "updateMask"),
    ],
)
def test_bad_update_bodies_name_the_field(
    api: Api, image: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    reply = api.update(image["id"], **body)
    assert reply.status_code == 400
    assert field in api.violations(reply)


def test_update_of_an_unknown_image_is_not_found(api: Api) -> None:
    assert api.update("fd8nosuchimage000000", updateMask="name", name="x1").status_code == 404


def test_image_id_in_the_body_is_refused(api: Api, image: dict[str, Any]) -> None:
    reply = api.update(image["id"], imageId="fd8someotherimage000", updateMask="name", name="x1")
    assert reply.status_code == 400
    assert api.violations(reply) == ["imageId"]
