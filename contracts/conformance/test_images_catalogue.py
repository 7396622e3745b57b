"""Both profiles: the public folder standard-images is readable by every account, and holds
the families API.md names. Read only: nothing is created."""

from __future__ import annotations

import pytest

from pytest_yc_images.conformance import Api

PUBLIC = "standard-images"
FAMILIES = ["ubuntu-2204-lts", "debian-12"]  # API.md, "IDs"


@pytest.mark.rule("catalogue.public-folder", "latest.newest-ready", "get.returns-image",
                  "list.filter-name")  # fmt: skip
@pytest.mark.parametrize("family", FAMILIES)
def test_the_public_folder_is_readable_and_holds_the_named_families(api: Api, family: str) -> None:
    reply = api.latest(family, PUBLIC)
    assert reply.status_code == 200, reply.text
    latest = reply.json()
    assert latest["family"] == family
    assert latest["folderId"] == PUBLIC
    got = api.get(str(latest["id"]))
    assert got.status_code == 200, got.text
    assert got.json() == latest
    found = api.list_all(PUBLIC, filter=f'name="{latest["name"]}"')
    assert latest["id"] in [image["id"] for page in found for image in page]
