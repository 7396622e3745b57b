"""Normalisation: what of a reply is compared as a symbol, by shape, or exactly."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from pytest_yc_images.conformance.differential.normalise import Symbols, normalise

RUN = "abcd1234"
FOLDER = "b1gfolder00000000001"
SOURCE = "fd8source00000000001"
IMAGE_1 = "fd8aaaaaaaaaaaaaaaa1"
IMAGE_2 = "fd8aaaaaaaaaaaaaaaa2"
OP_1 = "fd8oooooooooooooooo1"
OP_2 = "fd8oooooooooooooooo2"


def _symbols() -> Symbols:
    symbols = Symbols(run=RUN)
    symbols.preset("folder", FOLDER)
    symbols.preset("source-image", SOURCE)
    return symbols


def _image(image_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": image_id, "folderId": FOLDER, "status": "READY", **fields}


def _operation(op_id: str, image_id: str, **fields: Any) -> dict[str, Any]:
    metadata = {
        "@type": "type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata",
        "imageId": image_id,
    }
    return {"id": op_id, "createdBy": "ajeuser", "metadata": metadata, **fields}


# --- IDs as symbols ------------------------------------------------------------------------
def test_ids_are_numbered_by_first_appearance_per_kind() -> None:
    symbols = _symbols()
    first = normalise(_operation(OP_1, IMAGE_2), symbols)
    second = normalise(_operation(OP_2, IMAGE_1), symbols)
    again = normalise(_image(IMAGE_2), symbols)
    assert (first["id"], first["metadata"]["imageId"]) == ("<op#1>", "<image#1>")
    assert (second["id"], second["metadata"]["imageId"]) == ("<op#2>", "<image#2>")
    assert again["id"] == "<image#1>"  # the image the first operation named


def test_two_sides_with_different_ids_normalise_to_the_same_symbols() -> None:
    a = [_operation(OP_1, IMAGE_1), _image(IMAGE_1)]
    b = [_operation("fd8zzzzzzzzzzzzzzzz9", "fd8yyyyyyyyyyyyyyyy9"), _image("fd8yyyyyyyyyyyyyyyy9")]
    assert normalise(a, _symbols()) == normalise(b, _symbols())


def test_product_ids_are_symbols_of_their_own_kind() -> None:
    symbols = _symbols()
    out = normalise(
        _image(
            IMAGE_1,
            productIds=["f2eproduct0000000001", "f2eproduct0000000002", "f2eproduct0000000001"],
        ),
        symbols,
    )
    assert out["productIds"] == ["<product#1>", "<product#2>", "<product#1>"]
    assert out["id"] == "<image#1>"  # the image counter is not the product counter
    literal = normalise(_image(IMAGE_1, productIds=["000"]), _symbols())
    assert literal["productIds"] == ["000"]  # a value a program sent, not an ID: itself


def test_folder_source_and_run_are_the_preset_symbols() -> None:
    out = normalise(
        _image(IMAGE_1, name=f"ycc-{RUN}-a", labels={"ycc-run": RUN}, sourceImageId=SOURCE),
        _symbols(),
    )
    assert out["folderId"] == "<folder>"
    assert out["sourceImageId"] == "<source-image>"
    assert out["name"] == "ycc-<run>-a"
    assert out["labels"] == {"ycc-run": "<run>"}


def test_a_string_that_is_not_an_id_is_kept_as_it_is() -> None:
    out = normalise({"imageId": "not-an-image-id", "name": "plain"}, _symbols())
    assert out == {"imageId": "not-an-image-id", "name": "plain"}


# --- by shape ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "stamp",
    ["2024-01-31T23:59:59Z", "2024-01-31T23:59:59.123456789Z", "2024-01-31T23:59:59+03:00"],
)
def test_a_timestamp_is_compared_by_shape(stamp: str) -> None:
    out = normalise(_image(IMAGE_1, createdAt=stamp), _symbols())
    assert out["createdAt"] == "<timestamp>"


@pytest.mark.parametrize(
    "stamp",
    [
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-01-01 00:00:00Z",
        "yesterday",
        "1704067200",
    ],
)
def test_a_bad_timestamp_stays_visible(stamp: str) -> None:
    out = normalise(_operation(OP_1, IMAGE_1, modifiedAt=stamp), _symbols())
    assert out["modifiedAt"] == stamp


def test_a_number_where_a_timestamp_goes_stays_a_number() -> None:
    assert normalise(_image(IMAGE_1, createdAt=1704067200), _symbols())["createdAt"] == 1704067200


def test_created_by_message_request_id_and_page_token_are_compared_by_shape() -> None:
    error = {
        "code": 5,
        "message": "Image fd8 not found",
        "details": [{"@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": "6f1c2a"}],
    }
    out = normalise(error, _symbols())
    assert out["message"] == "<text>"
    assert out["details"][0]["requestId"] == "<text>"
    assert out["code"] == 5
    page = normalise({"images": [], "nextPageToken": "b3BhcXVl"}, _symbols())
    assert page == {"nextPageToken": "<text>"}
    assert normalise(_operation(OP_1, IMAGE_1), _symbols())["createdBy"] == "<text>"


def test_a_text_shape_keeps_a_non_string_visible() -> None:
    out = normalise({"code": 3, "message": 42, "requestId": ["x"]}, _symbols())
    assert out["message"] == 42
    assert out["requestId"] != normalise({"requestId": "x"}, _symbols())["requestId"]


def test_descriptions_are_by_shape_in_operations_and_violations_only() -> None:
    violations = {"fieldViolations": [{"field": "name", "description": "too long"}]}
    assert normalise(violations, _symbols())["fieldViolations"][0]["description"] == "<text>"
    op = normalise(_operation(OP_1, IMAGE_1, description="Create image"), _symbols())
    assert op["description"] == "<text>"
    image = normalise(_image(IMAGE_1, description="mine"), _symbols())
    assert image["description"] == "mine"  # an image's description is data


# --- proto3 defaults -----------------------------------------------------------------------
def test_fields_at_their_proto3_default_are_dropped() -> None:
    out = normalise(
        _image(
            IMAGE_1,
            description="",
            minDiskSize="0",
            productIds=[],
            labels={},
            pooled=False,
            storageSize="4194304",
        ),
        _symbols(),
    )
    assert out == {
        "id": "<image#1>",
        "folderId": "<folder>",
        "status": "READY",
        "storageSize": "4194304",
    }


def test_defaults_inside_labels_are_data() -> None:
    out = normalise(_image(IMAGE_1, labels={"empty": "", "zero": "0"}), _symbols())
    assert out["labels"] == {"empty": "", "zero": "0"}


def test_done_absent_is_done_false_for_an_operation() -> None:
    absent = normalise(_operation(OP_1, IMAGE_1), _symbols())
    false = normalise(_operation(OP_1, IMAGE_1, done=False), _symbols())
    true = normalise(_operation(OP_1, IMAGE_1, done=True), _symbols())
    assert absent == false
    assert absent["done"] is False
    assert true["done"] is True


def test_done_is_not_added_to_what_is_not_an_operation() -> None:
    assert "done" not in normalise(_image(IMAGE_1), _symbols())


def test_field_violations_are_sorted_by_field() -> None:
    detail = {
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [
            {"field": "name", "description": "x"},
            {"field": "labels", "description": "y"},
            {"field": "folderId", "description": "z"},
        ],
    }
    out = normalise({"code": 3, "message": "bad", "details": [detail]}, _symbols())
    fields = [v["field"] for v in out["details"][0]["fieldViolations"]]
    assert fields == ["folderId", "labels", "name"]


# --- Symbols.resolve -----------------------------------------------------------------------
def test_resolve_replaces_known_symbols_with_this_sides_values() -> None:
    symbols = _symbols()
    normalise(_image(IMAGE_1), symbols)
    assert symbols.resolve(
        {"imageId": "<image#1>", "folderId": "<folder>", "name": "ycc-<run>-a", "n": 3}
    ) == {"imageId": IMAGE_1, "folderId": FOLDER, "name": f"ycc-{RUN}-a", "n": 3}


@pytest.mark.parametrize("symbol", ["image#99", "op#7", "image#1"])
def test_an_unknown_id_symbol_resolves_to_a_well_formed_missing_id(symbol: str) -> None:
    value = _symbols().resolve(f"<{symbol}>")
    assert re.fullmatch(r"[a-z][a-z0-9]{19}", value), value
    assert value == Symbols().resolve(f"<{symbol}>")  # the same on every side
    assert value not in (IMAGE_1, OP_1)


def test_unknown_symbols_of_different_numbers_resolve_apart() -> None:
    assert _symbols().resolve("<image#98>") != _symbols().resolve("<image#99>")


def test_a_key_symbol_is_one_fresh_uuid_per_side() -> None:
    a, b = _symbols(), _symbols()
    first, again, other = a.resolve(["<key#1>", "<key#1>", "<key#2>"])
    assert uuid.UUID(first).version == 4
    assert first == again
    assert other != first
    assert b.resolve("<key#1>") != first
