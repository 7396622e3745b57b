"""Requests checked against their message schemas, and each violation named as the
``google.rpc.BadRequest`` of the live service names it (the field in the JSON mapping)."""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError

from . import _contracts
from ._schema_model import message as schema_model
from .errors import Code, FieldViolation, ServiceError

__all__ = ["check", "reject", "validate", "violations"]


def validate(message_name: str, message: Any) -> None:
    """Raise INVALID_ARGUMENT naming every field of ``message`` that its schema refuses."""
    unencodable = _lone_surrogates(message)
    if unencodable:
        reject(unencodable)
    quick = _contracts.fast_check(message_name)
    if quick is not None:
        try:
            if quick(message):
                return
        except (ValueError, OverflowError, TypeError):
            pass  # a value jsonschema-rs cannot take (e.g. a huge integer): ask jsonschema
    check(_contracts.validator(message_name), message_name, message)


def check(validator: Any, message_name: str, message: Any) -> None:
    """Raise INVALID_ARGUMENT naming every field ``validator`` (of ``message_name``'s
    schema) refuses in ``message``; return if it refuses none."""
    found: list[FieldViolation] = []
    for error in validator.iter_errors(message):
        found += [v for v in violations(error, message_name) if v not in found]
    if found:
        reject(found)


def reject(found: list[FieldViolation]) -> None:
    """Raise the INVALID_ARGUMENT of a request with these violations."""
    fields = ", ".join(v.field for v in found)
    raise ServiceError(Code.INVALID_ARGUMENT, f"Request validation error: {fields}", tuple(found))


def _lone_surrogates(message: Any) -> list[FieldViolation]:
    """Strings proto3 cannot carry: JSON may escape a lone surrogate (``"\\ud800"``), UTF-8
    cannot encode one. Walked with a stack, not recursion: the body may be deeply nested."""
    if type(message) is dict:  # the common case, flat and ASCII: nothing to walk
        for key, value in message.items():
            if not (type(value) is str and value.isascii() and type(key) is str and key.isascii()):
                break
        else:
            return []
    found: list[FieldViolation] = []
    stack: list[tuple[str, Any]] = [("", message)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not _utf8(value):
                found.append(FieldViolation(path or "body", "must be valid UTF-8 (lone surrogate)"))
        elif isinstance(value, dict):
            for key, item in value.items():
                if not _utf8(str(key)):
                    found.append(FieldViolation(path or "body", "keys must be valid UTF-8"))
                else:
                    stack.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return sorted(set(found), key=lambda v: v.field)


def _utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def violations(error: ValidationError, message_name: str) -> list[FieldViolation]:
    """Name the field(s) behind one schema error of a ``message_name``, in the JSON mapping's
    names."""
    base = _path(error.absolute_path)
    keyword: Any = error.validator
    value: Any = error.validator_value
    schema: Any = error.schema
    instance: Any = error.instance

    def at(name: Any) -> str:  # a key of a Python caller's message may be any type
        return f"{base}.{name}" if base else str(name)

    if keyword == "required":
        have = instance if isinstance(instance, dict) else {}
        return [FieldViolation(at(n), "is required") for n in value if n not in have]
    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = schema.get("properties", {})
        return [FieldViolation(at(n), "unknown field") for n in instance if n not in known]
    schema_path = list(error.relative_schema_path)
    if "dependentSchemas" in schema_path:  # a oneof: the schema model knows its members
        source = str(schema_path[schema_path.index("dependentSchemas") + 1])
        *others, last = schema_model(message_name).oneof(source) or (source,)
        listed = f"{', '.join(others)} and {last}" if others else last
        return [FieldViolation(at(source), f"only one of {listed} may be set")]
    if keyword == "propertyNames":
        return [FieldViolation(base or "body", f"key {_short(instance)} {_why(error.context)}")]
    if keyword in ("anyOf", "oneOf") and isinstance(schema, dict) and schema.get("description"):
        return [FieldViolation(base or "body", schema["description"])]
    if keyword == "type" and not base:
        return [FieldViolation("body", "must be a JSON object")]
    return [FieldViolation(base or "body", _describe(keyword, value, instance))]


def _why(context: Any) -> str:
    if not context:
        return "is not allowed"
    first = context[0]
    return _describe(first.validator, first.validator_value, first.instance)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(keyword: Any, value: Any, instance: Any) -> str:
    match keyword:
        case "maxLength":
            return f"must be at most {value} characters long"
        case "minLength":
            return "is required" if value == 1 else f"must be at least {value} characters long"
        case "pattern":
            return f"value {_short(instance)} must match the regular expression {value}"
        case "maximum":
            return f"must be at most {value}"
        case "minimum":
            return f"must be at least {value}"
        case "maxProperties":
            return f"must have at most {value} entries"
        case "maxItems":
            return f"must have at most {value} items"
        case "enum":
            return "must be one of " + ", ".join(map(str, value))
        case "type":
            return f"must be of type {value}"
        case _:
            return f"has an invalid value {_short(instance)}"
