"""List's orderBy and filter grammar through the official SDK's stubs, in both profiles.

live/image_service.proto, ListImagesRequest: ``order_by`` ("createdAt desc"; "id asc" if
omitted; ascending by default; at most 100 characters) and ``filter`` (AND; =, !=, IN,
NOT IN; double or single quotes with the escapes \\", \\' and \\\\). The seed profile has
no order_by and the seed's filter (name, =, a double-quoted value of 3-63 characters).
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc
from yandex.cloud.compute.v1.image_service_pb2 import ListImagesRequest

from pytest_yc_images import FakeImageService

# id letter -> (name, createdAt); the orders below are written out from this table.
IMAGES = {
    "c": ("bravo", "2026-01-03T00:00:00Z"),
    "a": ("delta", "2026-01-01T00:00:00Z"),
    "d": ("", "2026-01-02T00:00:00Z"),
    "b": ("alpha", "2026-01-02T00:00:00Z"),
}
ORDERS = {
    "id asc": "abcd",
    "id desc": "dcba",
    "name": "dbca",  # no name first; ascending with no direction
    "name desc": "acbd",
    "createdAt": "abdc",  # the tie (b, d) by id
    "createdAt desc": "cdba",
}


@pytest.fixture
def four(yc_fake: FakeImageService, yc_folder_id: str) -> str:
    for letter, (name, created) in IMAGES.items():
        fields = {"name": name} if name else {}
        yc_fake.put_image(
            folderId=yc_folder_id, id=f"fd8{letter}" + "0" * 16, createdAt=created, **fields
        )
    return yc_folder_id


def _walk(images: Any, folder: str, page_size: int, **fields: Any) -> str:
    letters, token = "", ""
    for _ in range(50):
        page = images.List(
            ListImagesRequest(folder_id=folder, page_size=page_size, page_token=token, **fields)
        )
        assert len(page.images) <= page_size
        letters += "".join(image.id[3] for image in page.images)
        token = page.next_page_token
        if not token:
            return letters
    raise AssertionError("paging did not end")


@pytest.fixture
def refused(images: Any, violations: Any) -> Any:
    """List ``request``, which must fail: its code, BadRequest fields and message."""

    def call(request: Any) -> tuple[Any, list[str], str]:
        with pytest.raises(grpc.RpcError) as caught:
            images.List(request)
        error = caught.value
        return error.code(), violations(error), error.details()

    return call


@pytest.mark.parametrize(("order", "expected"), ORDERS.items())
def test_order_by_through_the_sdk(images: Any, four: str, order: str, expected: str) -> None:
    assert _walk(images, four, 1, order_by=order) == expected
    assert _walk(images, four, 1000, order_by=order) == expected
    assert _walk(images, four, 3) == ORDERS["id asc"]  # omitted: id asc


@pytest.mark.parametrize("order", ["size", "createdAt up", "name, id", "created_at"])
def test_a_bad_order_is_invalid_argument_naming_order_by(
    images: Any, refused: Any, four: str, order: str
) -> None:
    code, fields, message = refused(ListImagesRequest(folder_id=four, order_by=order))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert fields == ["orderBy"]
    assert "one column of id, name, createdAt" in message


def test_order_by_takes_100_characters_and_no_more(images: Any, refused: Any, four: str) -> None:
    at_limit = "createdAt" + " " * 87 + "desc"
    assert _walk(images, four, 2, order_by=at_limit) == ORDERS["createdAt desc"]
    code, fields, _ = refused(ListImagesRequest(folder_id=four, order_by=at_limit + " "))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["orderBy"])


def test_a_token_is_bound_to_its_order(images: Any, refused: Any, four: str) -> None:
    token = images.List(
        ListImagesRequest(folder_id=four, page_size=1, order_by="createdAt desc")
    ).next_page_token
    code, fields, _ = refused(
        ListImagesRequest(folder_id=four, page_token=token, order_by="createdAt")
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["pageToken"])
    rest = images.List(
        ListImagesRequest(folder_id=four, page_token=token, order_by="createdAt DESC")
    )
    assert "".join(i.id[3] for i in rest.images) == "dba"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('name != "bravo" AND name != ""', "ba"),  # in createdAt desc: cdba
        ("name IN ('alpha', \"delta\", 'x')", "ba"),
        ('name NOT IN ("alpha")', "cda"),
        (r'name = "it\"s"', ""),
        (r"name IN ('it\'s', 'back\\slash')", ""),
        ('name = "ab"', ""),  # live: no value pattern
    ],
)
def test_the_live_filter_grammar(images: Any, four: str, expression: str, expected: str) -> None:
    assert _walk(images, four, 2, filter=expression, order_by="createdAt desc") == expected


def test_a_filter_error_names_filter_and_the_position(images: Any, refused: Any, four: str) -> None:
    code, fields, message = refused(
        ListImagesRequest(folder_id=four, filter='name = "alpha" OR name = "beta"')
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["filter"])
    assert "at position 16:" in message


@pytest.mark.yc_images(profile="seed")
@pytest.mark.parametrize(
    ("expression", "position"),
    [
        ('name != "alpha"', 6),
        ("name IN ('alpha')", 6),
        ("name = 'alpha'", 8),
        ('name = "alpha" AND name = "bravo"', 16),
        ('name = "ab"', 8),
    ],
)
def test_the_seed_list(
    images: Any, refused: Any, four: str, expression: str, position: int
) -> None:
    # The seed's filter grammar, with the position of the error.
    code, fields, message = refused(ListImagesRequest(folder_id=four, filter=expression))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["filter"])
    assert f"at position {position}:" in message
    assert _walk(images, four, 2, filter='name = "alpha"') == "b"
    # No order_by in the seed: refused as a field it lacks, whatever the value.
    for order in ("id asc", "createdAt desc", "name"):
        code, fields, message = refused(ListImagesRequest(folder_id=four, order_by=order))
        assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["orderBy"])
        assert "one column of" not in message
    assert _walk(images, four, 3) == "abcd"  # by id, as before
