"""Every place a user names a gRPC code or a control's field: a wrong one is refused
with the valid choices listed."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from pytest_yc_images import Code, FakeImageService

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Api

# google.rpc.Code, as googleapis' google/rpc/code.proto numbers it.
CODES = [
    ("OK", 0),
    ("CANCELLED", 1),
    ("UNKNOWN", 2),
    ("INVALID_ARGUMENT", 3),
    ("DEADLINE_EXCEEDED", 4),
    ("NOT_FOUND", 5),
    ("ALREADY_EXISTS", 6),
    ("PERMISSION_DENIED", 7),
    ("RESOURCE_EXHAUSTED", 8),
    ("FAILED_PRECONDITION", 9),
    ("ABORTED", 10),
    ("OUT_OF_RANGE", 11),
    ("UNIMPLEMENTED", 12),
    ("INTERNAL", 13),
    ("UNAVAILABLE", 14),
    ("DATA_LOSS", 15),
    ("UNAUTHENTICATED", 16),
]
ALL_CODES = ", ".join(f"{name} ({number})" for name, number in CODES)
FAILURE_CODES = ", ".join(f"{name} ({number})" for name, number in CODES[1:])
# The fields of a FaultSpec (contracts/controls.yaml, docs "Controls").
FAULT_FIELDS = "kind, method, code, message, times, seconds, afterPolls"


@pytest.mark.parametrize("value", [503, 17, -1, "NOPE", "not_found", "5", 2.5])
def test_a_code_that_does_not_exist_lists_the_codes(value: Any) -> None:
    with pytest.raises(ValueError, match=re.escape(f"; the codes: {ALL_CODES}")) as raised:
        Code(value)
    assert str(raised.value).startswith(f"unknown gRPC code {value!r}")


@pytest.mark.parametrize("value", [503, "NOPE", "not found"])
def test_parse_lists_the_codes_too(value: Any) -> None:
    with pytest.raises(ValueError, match=re.escape(f"the codes: {ALL_CODES}")):
        Code.parse(value)


@pytest.mark.parametrize(("value", "code"), [(5, Code.NOT_FOUND), ("not_found", Code.NOT_FOUND)])
def test_valid_codes_still_parse(value: Any, code: Code) -> None:
    assert Code.parse(value) is code
    assert Code(code.value) is code


def test_a_huge_value_is_shown_shortened() -> None:
    with pytest.raises(ValueError, match="the codes") as raised:
        Code("x" * 10_000)
    assert len(str(raised.value)) < 500


def _refusals(fake: FakeImageService) -> dict[str, Callable[[Any], object]]:
    return {
        "fail_next": lambda code: fake.fail_next("Create", code),
        "fail_next_operation": lambda code: fake.fail_next_operation("Create", code),
        "fail_operation": lambda code: fake.fail_operation("fd8running0000000000", code),
        "add_fault": lambda code: fake.add_fault({"method": "List", "code": code}),
    }


@pytest.mark.parametrize(
    "where", ["fail_next", "fail_next_operation", "fail_operation", "add_fault"]
)
@pytest.mark.parametrize("code", [503, "NOPE", "OK", 0])
def test_every_control_naming_a_code_lists_them(where: str, code: Any) -> None:
    fake = FakeImageService()
    with pytest.raises(ValueError, match=re.escape(FAILURE_CODES)):
        _refusals(fake)[where](code)


def test_the_http_controls_list_the_codes(api: Api) -> None:
    reply = api.http.post("/_fake/faults", json={"method": "List", "code": "NOPE"})
    assert reply.status_code == 400
    assert FAILURE_CODES in reply.json()["message"]


def test_an_unknown_field_of_a_control_lists_its_fields(fake: FakeImageService) -> None:
    with pytest.raises(
        ValueError, match=re.escape(f"colour: unknown field; the fields: {FAULT_FIELDS}")
    ):
        fake.add_fault({"method": "Get", "colour": "red"})


def test_the_http_controls_list_the_fields(api: Api) -> None:
    reply = api.http.post("/_fake/faults", json={"method": "Get", "colour": "red"})
    assert reply.status_code == 400
    assert f"colour: unknown field; the fields: {FAULT_FIELDS}" in reply.json()["message"]


def test_a_control_without_a_body_says_so(api: Api) -> None:
    op = api.create(name="manual").json()
    reply = api.http.post(f"/_fake/operations/{op['id']}:complete", json={"colour": "red"})
    assert reply.status_code == 400
    assert "colour: unknown field; this control takes no body" in reply.json()["message"]


def test_a_nested_unknown_field_keeps_the_short_description(fake: FakeImageService) -> None:
    with pytest.raises(ValueError, match=r"kmsKey\.colour: unknown field(;|$)") as raised:
        fake.put_image(folderId="b1gfolder", kmsKey={"keyId": "k", "colour": "red"})
    assert "kmsKey.colour: unknown field; the fields" not in str(raised.value)
