"""The fake's records: copies share nothing a later change could reach."""

from __future__ import annotations

from dataclasses import astuple, fields

from pytest_yc_images._catalogue import standard_images
from pytest_yc_images._core.model import Image


def _every_field_set() -> Image:
    image = Image(id="fd8copy0000000000000", folder_id="f", created_at=1.5)
    values = {
        "name": "n",
        "description": "d",
        "labels": {"k": "v"},
        "family": "fam",
        "storage_size": 3,
        "min_disk_size": 4,
        "product_ids": ["p"],
        "status": "ERROR",
        "os_type": "WINDOWS",
        "pooled": True,
        "seq": 7,
        "size": 5,
        "hardware_generation": {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V2"}},
        "kms_key": {"keyId": "k", "versionId": "v"},
        "nvidia_driver": "535",
    }
    for name, value in values.items():
        setattr(image, name, value)
    assert {f.name for f in fields(Image)} == {"id", "folder_id", "created_at", *values}
    return image


def test_image_copy_keeps_every_field_and_shares_nothing_mutable() -> None:
    image = _every_field_set()
    copy = image.copy()
    assert copy == image
    copy.labels["other"] = "x"
    copy.product_ids.append("q")
    assert copy.hardware_generation is not None
    assert copy.kms_key is not None
    copy.hardware_generation["legacyFeatures"]["pciTopology"] = "PCI_TOPOLOGY_V1"
    copy.kms_key["keyId"] = "other"
    assert image.labels == {"k": "v"}
    assert image.product_ids == ["p"]
    assert image.hardware_generation == {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V2"}}
    assert image.kms_key == {"keyId": "k", "versionId": "v"}


def test_each_fake_gets_its_own_standard_images() -> None:
    first, second = standard_images(), standard_images()
    values = [astuple(image) for image in second]
    assert [astuple(image) for image in first] == values
    for image in first:
        image.name, image.status = "renamed", "DELETING"
        image.labels["x"] = "y"
        image.product_ids.append("p")
    assert [astuple(image) for image in second] == values
    assert [astuple(image) for image in standard_images()] == values
