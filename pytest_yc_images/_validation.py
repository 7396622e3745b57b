"""Requests checked against their message schemas, and each violation named as the
``google.rpc.BadRequest`` of the live service names it (the field in the JSON mapping).

The work is linear in the request and the reply is bounded, whatever the request holds:
violations are collected once each (a dict, not a list searched per violation), a BadRequest
lists at most :data:`MAX_LISTED` of them within :data:`MAX_LISTED_BYTES` bytes and its
message counts the rest, and of a large map or list field jsonschema checks only the first
:data:`SCHEMA_CHECKED` entries: the rest are checked by element checks compiled from the
same schema (:mod:`._element_checks`), which find the same violations far more cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

import orjson
from jsonschema import ValidationError

from . import _contracts
from ._element_checks import SCHEMA_CHECKED, split
from ._schema_model import message as schema_model
from .errors import Code, FieldViolation, ServiceError

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_LISTED",
    "MAX_LISTED_BYTES",
    "SCHEMA_CHECKED",
    "check",
    "collect",
    "listed",
    "reject",
    "validate",
    "violations",
]

# A BadRequest lists the first violations found: at most MAX_LISTED of them, and (after the
# first) at most MAX_LISTED_BYTES of field names and descriptions, a name counted as it is
# sent twice: in the message (which gRPC percent-encodes) and in the BadRequest. The message
# says how many more there were. The bytes bound keeps the gRPC face's trailers (the message,
# and the Status base64-encoded) under the 8 KiB of metadata a gRPC client accepts by
# default: past it, the client sees RESOURCE_EXHAUSTED instead of the error. The count bound
# keeps a reply readable. A field name longer than MAX_FIELD_CHARS (an unknown key may be
# most of a 1 MiB body) is cut, as the REST face cuts unknown query parameters' names.
MAX_LISTED = 100
MAX_LISTED_BYTES = 4500
MAX_FIELD_CHARS = 100


def validate(message_name: str, message: Any, profile: str = _contracts.DEFAULT_PROFILE) -> None:
    """Raise INVALID_ARGUMENT naming the fields of ``message`` that its schema (in
    ``profile``) refuses."""
    unencodable = _lone_surrogates(message)
    if unencodable:
        reject(unencodable)
    quick = _contracts.fast_check(message_name, profile)
    if quick is not None:
        try:
            if quick(message):
                return
        except (ValueError, OverflowError, TypeError):
            pass  # a value jsonschema-rs cannot take (e.g. a huge integer): ask jsonschema
    check(_contracts.validator(message_name, profile), message_name, message)


def check(validator: Any, message_name: str, message: Any) -> None:
    """Raise INVALID_ARGUMENT naming the fields ``validator`` (of ``message_name``'s
    schema) refuses in ``message`` (see :func:`collect`); return if it refuses none."""
    found, unlisted = collect(validator, message_name, message)
    if found:
        reject(found, unlisted)


def collect(validator: Any, message_name: str, message: Any) -> tuple[list[FieldViolation], int]:
    """The distinct violations ``validator`` finds in ``message``, in the order found, and
    how many more it counted without naming them.

    Map and list fields longer than :data:`SCHEMA_CHECKED` entries are cut for jsonschema,
    and their other entries checked by the element checks, after the rest of the message.
    Once :data:`MAX_LISTED` are found, an entry's own violations (``labels.key``,
    ``productIds[7]``: a path no other violation has) are only counted."""
    instance, rest = split(validator, message)
    found: dict[FieldViolation, None] = {}
    for error in validator.iter_errors(instance):
        for violation in violations(error, message_name):
            found[violation] = None
    unlisted = 0
    for entries in rest:
        for parts, keyword, limit, value in entries.failures():
            if len(parts) > 1 and len(found) >= MAX_LISTED:
                unlisted += 1
            else:
                found[FieldViolation(_path(parts), _describe(keyword, limit, value))] = None
    return list(found), unlisted


def reject(found: Sequence[FieldViolation], unlisted: int = 0) -> NoReturn:
    """Raise the INVALID_ARGUMENT of a request with these (distinct) violations: the first
    of them in its BadRequest (:func:`listed`), and how many others (and ``unlisted`` more,
    counted but not named) in its message."""
    shown = listed(found)
    message = "Request validation error: " + ", ".join(v.field for v in shown)
    if len(found) + unlisted > len(shown):
        message += f" (and {len(found) + unlisted - len(shown)} more not listed)"
    raise ServiceError(Code.INVALID_ARGUMENT, message, tuple(shown))


def listed(found: Sequence[FieldViolation]) -> list[FieldViolation]:
    """The first of ``found`` that a BadRequest lists: at most :data:`MAX_LISTED`, within
    :data:`MAX_LISTED_BYTES` (the first always), names cut at :data:`MAX_FIELD_CHARS`."""
    shown: list[FieldViolation] = []
    size = 0
    for violation in found:
        if len(violation.field) > MAX_FIELD_CHARS:
            violation = FieldViolation(
                violation.field[: MAX_FIELD_CHARS - 3] + "...", violation.description
            )
        size += _size(violation)
        if shown and (len(shown) == MAX_LISTED or size > MAX_LISTED_BYTES):
            break
        shown.append(violation)
    return shown


def _size(violation: FieldViolation) -> int:
    """The bytes a violation takes in a gRPC status: its field name percent-encoded (in
    the message) and in UTF-8 (in the BadRequest), and its description in UTF-8."""
    name = violation.field.encode("utf-8", "surrogatepass")
    escaped = sum(1 for byte in name if byte < 0x20 or byte > 0x7E or byte == 0x25)
    return 2 * len(name) + 2 * escaped + len(violation.description.encode("utf-8", "replace"))


def _lone_surrogates(message: Any) -> list[FieldViolation]:
    """Strings proto3 cannot carry: JSON may escape a lone surrogate (``"\\ud800"``), UTF-8
    cannot encode one. Walked with a stack, not recursion: the body may be deeply nested."""
    if type(message) is dict:  # the common case, flat and ASCII: nothing to walk
        for key, value in message.items():
            if not (type(value) is str and value.isascii() and type(key) is str and key.isascii()):
                break
        else:
            return []
    try:  # orjson encodes every string to UTF-8 in one pass at C speed, and refuses these
        orjson.dumps(message)
        return []
    except TypeError:  # that, or a value JSON cannot carry, or nesting too deep: walk it
        pass
    found: list[FieldViolation] = []
    # Each value's place is (its parent's place, its key or index), named only when a
    # violation needs it: building every path would cost the square of the depth.
    stack: list[tuple[Any, Any]] = [(None, message)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if not _utf8(value):
                found.append(FieldViolation(_named(where), "must be valid UTF-8 (lone surrogate)"))
        elif isinstance(value, dict):
            for key, item in value.items():
                if not _utf8(str(key)):
                    found.append(FieldViolation(_named(where), "keys must be valid UTF-8"))
                else:
                    stack.append(((where, str(key)), item))
        elif isinstance(value, list):
            stack.extend(((where, index), item) for index, item in enumerate(value))
    return sorted(set(found), key=lambda v: v.field)


def _named(where: Any) -> str:
    parts: list[Any] = []
    while where is not None:
        where, part = where
        parts.append(part)
    return _path(reversed(parts)) or "body"


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
        members = schema_model(message_name).oneof(source) if not base else ()
        # A oneof below the top level (hardwareGeneration's): its members from the schema.
        members = members or (source, *sorted(_required_names(schema.get("not"))))
        return [FieldViolation(at(source), f"only one of {_and(members)} may be set")]
    if keyword == "anyOf" and (members := _each_required(value)):  # a oneof left empty
        return [FieldViolation(at(m), f"exactly one of {_and(members)} must be set")
                for m in members]  # fmt: skip
    if keyword == "propertyNames":
        return [FieldViolation(base or "body", f"key {_short(instance)} {_why(error.context)}")]
    if keyword in ("anyOf", "oneOf") and isinstance(schema, dict) and schema.get("description"):
        return [FieldViolation(base or "body", schema["description"])]
    if keyword == "type" and not base:
        return [FieldViolation("body", "must be a JSON object")]
    return [FieldViolation(base or "body", _describe(keyword, value, instance))]


def _and(names: Any) -> str:
    *others, last = names
    return f"{', '.join(others)} and {last}" if others else str(last)


def _required_names(node: Any) -> set[str]:
    """The fields a ``{"required": [...]}`` node or an ``anyOf`` of them names."""
    if not isinstance(node, dict):
        return set()
    options = node.get("anyOf", [node])
    return {str(n) for o in options if isinstance(o, dict) for n in o.get("required", ())}


def _each_required(alternatives: Any) -> tuple[str, ...]:
    """The members of an ``anyOf`` whose each alternative requires one field (a oneof
    that must be set, as Create's source), else ()."""
    if not isinstance(alternatives, list) or not alternatives:
        return ()
    if all(isinstance(a, dict) and set(a) == {"required"} and len(a["required"]) == 1
           for a in alternatives):  # fmt: skip
        return tuple(str(a["required"][0]) for a in alternatives)
    return ()


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
        case "minItems":
            return f"must have at least {value} item{'' if value == 1 else 's'}"
        case "enum":
            return "must be one of " + ", ".join(map(str, value))
        case "type":
            return f"must be of type {value}"
        case _:
            return f"has an invalid value {_short(instance)}"
