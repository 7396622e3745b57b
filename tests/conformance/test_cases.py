"""The boundary cases come from the schemas: every constraint has them, or a reason."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import pytest_yc_images.conformance as conformance
from pytest_yc_images import _schema_model, registry, schema, validator
from pytest_yc_images.conformance import MESSAGES, RunIdentity, boundary_cases, cases, catalogue

RUN = RunIdentity("abcd1234")


def test_every_constraint_has_cases_at_and_past_its_limit_or_a_reason() -> None:
    found = boundary_cases(RUN)
    for message in MESSAGES:
        for constraint in conformance.constraints(message):
            for kind in ("at", "past"):
                has = any(c.constraint == constraint and c.kind == kind for c in found)
                assert has or cases.skipped(constraint, kind), (constraint.rule, kind)


def test_at_cases_are_valid_and_past_cases_invalid_at_their_field() -> None:
    for case in boundary_cases(RUN):
        if case.constraint.field in ("source",) or case.absent:
            continue
        assert case.kind in ("at", "past")
        assert cases._fits(case, RUN), case.id


def test_a_constraint_added_to_a_schema_adds_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = schema("CreateImageRequest")
    changed["properties"]["pooled"] = {"type": "string", "maxLength": 7}

    def patched(name: str, profile: str = "live") -> dict[str, Any]:
        return changed if name == "CreateImageRequest" else schema(name, profile)

    def patched_validator(name: str) -> Any:
        if name == "CreateImageRequest":
            return Draft202012Validator(changed, registry=registry())
        return validator(name)

    monkeypatch.setattr(_schema_model, "schema", patched)  # what the schema model reads
    monkeypatch.setattr(cases, "validator", patched_validator)
    _schema_model.message.cache_clear()
    cases.constraints.cache_clear()
    try:
        ids = {c.id for c in boundary_cases(RUN)}
    finally:
        _schema_model.message.cache_clear()
        cases.constraints.cache_clear()
    assert "CreateImageRequest.pooled.maxLength-at-7-chars" in ids
    assert "CreateImageRequest.pooled.maxLength-past-8-chars" in ids


def test_every_schema_constraint_is_a_rule_of_the_catalogue() -> None:
    rules = catalogue()
    for message in MESSAGES:
        for constraint in conformance.constraints(message):
            assert constraint.rule in rules


def test_public_surface() -> None:
    assert sorted(conformance.__all__) == sorted(
        name
        for name in dir(conformance)
        if not name.startswith("_") and name in conformance.__all__
    )
    assert {"Api", "Target", "boundary_cases", "catalogue", "check_response"} <= set(
        conformance.__all__
    )


@cache
def _all() -> tuple[Any, ...]:
    return tuple(boundary_cases(RUN))


def _case(case_id: str) -> Any:
    found = [c for c in _all() if c.id == case_id]
    assert len(found) == 1, case_id
    return found[0]


def test_a_value_inside_list_items_sits_in_a_valid_item() -> None:
    subject = {"id": "ajeconformance000001", "type": "userAccount"}
    role = "compute.images.user"
    case = _case("SetAccessBindingsRequest.accessBindings.items.properties.roleId.maxLength"
                 "-past-65-chars")  # fmt: skip
    assert case.value == [{"roleId": "a" * 65, "subject": subject}]
    case = _case("UpdateAccessBindingsRequest.accessBindingDeltas.items.properties."
                 "accessBinding.properties.subject.properties.id.required-past-absent")  # fmt: skip
    assert case.value == [
        {"action": "ADD", "accessBinding": {"roleId": role, "subject": {"type": "userAccount"}}}
    ]
    case = _case("UpdateAccessBindingsRequest.accessBindingDeltas.items.properties.action."
                 "enum-at-REMOVE")  # fmt: skip
    assert case.value == [{"action": "REMOVE", "accessBinding": {"roleId": role,
                                                                 "subject": subject}}]  # fmt: skip


def test_list_counts_sit_at_and_past_their_limits() -> None:
    at = _case("UpdateAccessBindingsRequest.accessBindingDeltas.minItems-at-1-items")
    assert len(at.value) == 1
    assert (
        _case("UpdateAccessBindingsRequest.accessBindingDeltas.minItems-past-0-items").value == []
    )
    past = _case("SetAccessBindingsRequest.accessBindings.maxItems-past-1001-items")
    assert len(past.value) == 1001
    ids = {c.id for c in _all()}
    assert "SetAccessBindingsRequest.accessBindings.maxItems-at-1000-items" not in ids


def test_a_resource_id_sits_at_its_64_characters_in_the_path() -> None:
    for message in ("ListAccessBindingsRequest", "SetAccessBindingsRequest",
                    "UpdateAccessBindingsRequest"):  # fmt: skip
        assert _case(f"{message}.resourceId.maxLength-at-64-chars").value == "a" * 64
        assert _case(f"{message}.resourceId.maxLength-past-65-chars").value == "a" * 65


def test_reasons_reach_nested_keywords() -> None:
    nested = conformance.Constraint(
        "SetAccessBindingsRequest", "accessBindings",
        "items.properties.subject.properties.id.required", True,
    )  # fmt: skip
    assert cases.skipped(nested, "at") == "every accepted request of the message sends it"
    assert cases.skipped(nested, "past") is None
    role = conformance.Constraint(
        "UpdateAccessBindingsRequest", "accessBindingDeltas",
        "items.properties.accessBinding.properties.roleId.maxLength", 64,
    )  # fmt: skip
    assert "role" in (cases.skipped(role, "at") or "")
    assert cases.skipped(role, "past") is None
