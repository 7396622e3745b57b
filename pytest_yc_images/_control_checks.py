"""The one check of a control's body: its schema in ``contracts/controls.yaml``, then the
few rules JSON Schema cannot state (:data:`_RULES`). A body either passes whole or is
refused with a :class:`ControlError` naming each field."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from . import _contracts
from ._core.clock import check_time
from ._core.roles import binding_from_json
from ._routes import routes
from ._rpc import method_name
from ._validation import (
    _lone_surrogates,  # the API's walk for strings UTF-8 cannot carry
    collect,
    listed,
)
from ._wire import parse_time
from .errors import Code, FieldViolation, ServiceError

__all__ = ["INT64_MAX", "ControlError", "check", "inlined_control_schema", "refusal"]

INT64_MAX = 2**63 - 1


class ControlError(ServiceError, ValueError):
    """A control request refused: INVALID_ARGUMENT with a field violation for each field,
    raised by the Python API and answered as a 400 by ``/_fake/``. A ``ValueError`` too,
    as the Python API's refusals always were."""

    __slots__ = ()


def refusal(found: list[FieldViolation], unlisted: int = 0) -> ControlError:
    said = "; ".join(f"{v.field}: {v.description}" for v in found[:10])
    more = len(found) + unlisted - 10
    more_said = f" (and {more} more)" if more > 0 else ""
    return ControlError(  # the BadRequest as bounded as the API's (_validation.listed)
        Code.INVALID_ARGUMENT, f"Request validation error: {said}{more_said}", tuple(listed(found))
    )


# --- what JSON Schema cannot say -------------------------------------------------------
# A rule takes a field's value (of the type its schema has already checked) and says why
# it is refused, or None. These are the only rules of a control besides its schema.
_Rule = Callable[[Any], str | None]


def _int64(value: int | str) -> str | None:
    # The schema bounds a number; a decimal string's bound is this rule's.
    return f"must be at most {INT64_MAX}" if int(value) > INT64_MAX else None


def _finite(value: float) -> str | None:
    # NaN passes every minimum and maximum of JSON Schema.
    return None if math.isfinite(value) else "must be a finite number"


def _timestamp(value: str) -> str | None:
    try:
        datetime.fromisoformat(value[:19])  # parse_time rolls second 60 or 61 over
        check_time(parse_time(value))
    except ValueError:
        return "must be a date that exists, from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
    return None


def _method(value: str) -> str | None:
    # The RPCs are the route table's (openapi.yaml), not a list of the controls' document.
    try:
        method_name(value)
    except ValueError as exc:
        return str(exc)
    return None


_RULES: dict[str, dict[str, _Rule]] = {
    "PutImageRequest": {
        "createdAt": _timestamp,
        "size": _int64,
        "storageSize": _int64,
        "minDiskSize": _int64,
    },
    "AddDiskRequest": {"size": _int64},
    "AddSnapshotRequest": {"storageSize": _int64, "diskSize": _int64},
    "PutObjectRequest": {"size": _int64, "storageSize": _int64},
    "AdvanceClockRequest": {"seconds": _finite},
    "FaultSpec": {"method": _method, "seconds": _finite},
}


def inlined_control_schema(node: Any, document: Mapping[str, Any]) -> Any:
    """A schema of the controls' document with every ``$ref`` replaced by its target: to
    the document's own components here, to ``schemas/`` through :func:`_contracts.inline`."""
    if isinstance(node, list):
        return [inlined_control_schema(item, document) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: inlined_control_schema(value, document) for key, value in node.items() if key != "$ref"
    }
    ref = node.get("$ref")
    if ref is None:
        return out
    if ref.startswith("#/"):
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part]
        target = inlined_control_schema(target, document)
    else:
        target = _contracts.inline({"$ref": ref}, _contracts.CONTROLS_BASE)
    return {"allOf": [target, out]} if out else target


@cache
def _quick(schema_name: str) -> Callable[[Any], bool] | None:
    """A quick yes/no of the control's schema (jsonschema-rs on the inlined schema, some
    twenty times faster than following each ``$ref``), as the API's requests have; it
    never refuses alone: a no, or a value it cannot take, asks the full check."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - an optional speed-up, as in _contracts
        return None
    document = _contracts.controls_document()
    schema = inlined_control_schema(document["components"]["schemas"][schema_name], document)
    is_valid: Callable[[Any], bool] = jsonschema_rs.Draft202012Validator(schema).is_valid
    return is_valid


def _fits(schema_name: str, body: Any) -> bool:
    quick = _quick(schema_name)
    try:
        return quick is not None and quick(body)
    except (ValueError, OverflowError, TypeError):  # NaN, an int past 64 bits, ...
        return False


_SCALARS = (int, float, bool, type(None))


def _flat_ascii(body: Mapping[str, Any]) -> bool:
    """Keys and strings ASCII, no object or list inside: no string UTF-8 cannot carry."""
    return all(
        type(key) is str
        and key.isascii()
        and (value.isascii() if type(value) is str else type(value) in _SCALARS)
        for key, value in body.items()
    )


def check(schema_name: str | None, body: Any) -> None:
    """Raise :class:`ControlError` naming every field of ``body`` that the control's
    schema (``components/schemas/<schema_name>`` of controls.yaml; None: no body) or a
    rule of :data:`_RULES` refuses."""
    if schema_name is None:
        if body:
            bodiless = "unknown field; this control takes no body"
            raise refusal([FieldViolation(str(name)[:100], bodiless) for name in body])
        return
    if not _fits(schema_name, body):
        found, unlisted = collect(_contracts.control_validator(schema_name), schema_name, body)
        if found:
            raise refusal(_naming_the_fields(schema_name, found), unlisted)
    if not _flat_ascii(body):
        unencodable = _lone_surrogates(body)  # stored, no face could serve them back
        if unencodable:
            raise refusal(unencodable)
    found = [
        FieldViolation(name, why)
        for name, rule in _RULES.get(schema_name, {}).items()
        if name in body and (why := rule(body[name])) is not None
    ]
    if not found and schema_name == "FaultSpec" and body.get("kind") == "operation_error":
        found = _starts_an_operation(body["method"])
    if not found and schema_name == "PutBindingsRequest":
        found = _binding_rules(body["accessBindings"])
    if found:
        raise refusal(found)


def _naming_the_fields(schema_name: str, found: list[FieldViolation]) -> list[FieldViolation]:
    """An unknown top-level field's violation, with the fields the control takes."""
    schema = _contracts.controls_document()["components"]["schemas"][schema_name]
    why = f"unknown field; the fields: {', '.join(schema.get('properties', {}))}"
    return [
        FieldViolation(v.field, why)
        if v.description == "unknown field" and not any(c in v.field for c in ".[")
        else v
        for v in found
    ]


def _binding_rules(bindings: list[Any]) -> list[FieldViolation]:
    """What SetAccessBindings checks beyond the schema (roles, subject types and system
    IDs: ``_core/roles.py``), for each binding."""
    found: list[FieldViolation] = []
    for index, raw in enumerate(bindings):
        try:
            binding_from_json(raw, f"accessBindings[{index}]")
        except ServiceError as error:
            found += error.violations
    return found


def _starts_an_operation(method: str) -> list[FieldViolation]:
    """An operation_error fault on a method that starts no operation could never fire."""
    starting = [r.rpc for r in routes() if r.metadata_type is not None]
    if method == "*" or method_name(method) in starting:
        return []
    names = ", ".join(rpc.rpartition(".")[2] for rpc in starting)
    why = f"an operation_error fault needs a method that starts an operation: {names} or *"
    return [FieldViolation("method", why)]


# --- checked bodies to records ---------------------------------------------------------
