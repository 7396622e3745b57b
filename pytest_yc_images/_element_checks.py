"""Checks of the entries of a large map or list field, compiled once from its schema.

jsonschema costs several microseconds for each entry it checks and more for each error, so
a 1 MiB body of label entries would hold the request path for seconds. Of a map or list
field longer than :data:`SCHEMA_CHECKED` entries, jsonschema sees only the first ones
(:func:`split`); the others are checked here, against the same schema nodes, keyword by
keyword as jsonschema checks them. Only fields whose nodes use the simple keywords below are
split, and only where cutting the field changes no count limit of its own (``maxItems``,
``maxProperties`` below :data:`SCHEMA_CHECKED`); any other field is left whole to jsonschema.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ._contracts import _ecma_regex

__all__ = ["SCHEMA_CHECKED", "Entries", "Failure", "split"]

# Entries of a map or list field that jsonschema checks; the rest are checked here. Above
# the largest count limit of our schemas (64 labels), so jsonschema still sees that limit
# broken, and small enough that jsonschema's share of a request is bounded (about 256 times
# two subschemas per field).
SCHEMA_CHECKED = 256

_ANNOTATIONS = frozenset({"$schema", "$comment", "title", "description", "examples", "default"})
_COUNTS = ("maxProperties", "minProperties", "maxItems", "minItems")
_MAP = frozenset({"type", "propertyNames", "additionalProperties"}).union(_COUNTS, _ANNOTATIONS)
_LIST = frozenset({"type", "items"}).union(_COUNTS, _ANNOTATIONS)
_ROOT = frozenset(
    {"type", "additionalProperties", "required", "properties", "dependentSchemas", "anyOf"}
)

Step = tuple[str, Any, Callable[[Any], bool]]  # keyword, its limit, "does a value break it"
Failure = tuple[tuple[Any, ...], str, Any, Any]  # path parts, keyword, limit, the value


def _steps(validator: Any, node: Any) -> tuple[Step, ...] | None:
    """The steps of a node of scalar keywords, in the node's order (as jsonschema reports
    them); None if it has any other keyword."""
    if node is True:
        return ()
    if not isinstance(node, dict) or "$ref" in node:
        return None
    steps: list[Step] = []
    for keyword, limit in node.items():
        fails: Callable[[Any], bool]
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "type" and limit == "string":
            fails = _not_string
        elif keyword == "type" and isinstance(limit, str):
            fails = _not_type(validator, limit)
        elif keyword == "minLength" and type(limit) is int:
            fails = _shorter(limit)
        elif keyword == "maxLength" and type(limit) is int:
            fails = _longer(limit)
        elif keyword == "pattern" and isinstance(limit, str):
            fails = _unmatched(limit)
        elif keyword == "enum" and all(type(v) is str for v in limit):
            fails = _outside(frozenset(limit))
        else:
            return None
        steps.append((keyword, limit, fails))
    return tuple(steps)


def _not_string(value: Any) -> bool:
    return not isinstance(value, str)


def _not_type(validator: Any, name: str) -> Callable[[Any], bool]:
    return lambda value: not validator.is_type(value, name)


def _shorter(limit: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and len(value) < limit


def _longer(limit: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and len(value) > limit


def _unmatched(pattern: str) -> Callable[[Any], bool]:
    search = _ecma_regex(pattern).search  # the rule the validators' "pattern" applies
    return lambda value: isinstance(value, str) and search(value) is None


def _outside(members: frozenset[str]) -> Callable[[Any], bool]:
    return lambda value: not (isinstance(value, str) and value in members)


@dataclass(frozen=True, slots=True)
class _Field:
    """A map field (key and value steps) or a list field (item steps) that may be split."""

    name: str
    kind: type
    keys: tuple[Step, ...]
    values: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Entries:
    """The entries of one field that jsonschema did not see."""

    field: _Field
    value: Any

    def failures(self) -> Iterator[Failure]:
        """Each (path parts, keyword, limit, value) these entries break, in order."""
        name, keys, values = self.field.name, self.field.keys, self.field.values
        if self.field.kind is dict:
            for key, item in itertools.islice(self.value.items(), SCHEMA_CHECKED, None):
                for keyword, limit, fails in keys:
                    if fails(key):
                        yield (name,), keyword, limit, key
                for keyword, limit, fails in values:
                    if fails(item):
                        yield (name, key), keyword, limit, item
        else:
            for index in range(SCHEMA_CHECKED, len(self.value)):
                item = self.value[index]
                for keyword, limit, fails in values:
                    if fails(item):
                        yield (name, index), keyword, limit, item


def _resolve(node: Any, resolver: Any) -> tuple[Any, Any]:
    """Follow a node that is a ``$ref`` (and annotations) to its target, and its resolver."""
    while isinstance(node, dict) and "$ref" in node and set(node) - _ANNOTATIONS == {"$ref"}:
        resolved = resolver.lookup(node["$ref"])
        node, resolver = resolved.contents, resolved.resolver
    return node, resolver


def _field(validator: Any, name: str, node: Any, resolver: Any) -> _Field | None:
    node, resolver = _resolve(node, resolver)
    if not isinstance(node, dict) or any(
        not (type(node[c]) is int and node[c] < SCHEMA_CHECKED) for c in _COUNTS if c in node
    ):
        return None
    if node.get("type") == "object" and set(node) <= _MAP:
        keys = _steps(validator, _resolve(node.get("propertyNames", True), resolver)[0])
        values = _steps(validator, _resolve(node.get("additionalProperties", True), resolver)[0])
        kind: type = dict
    elif node.get("type") == "array" and set(node) <= _LIST:
        keys = ()
        values = _steps(validator, _resolve(node.get("items", True), resolver)[0])
        kind = list
    else:
        return None
    if keys is None or values is None or not (keys or values):
        return None
    return _Field(name, kind, keys, values)


def _mentions(node: Any, keyword: str) -> bool:
    if isinstance(node, dict):
        return keyword in node or any(_mentions(v, keyword) for v in node.values())
    return isinstance(node, list) and any(_mentions(v, keyword) for v in node)


def _fields(validator: Any) -> tuple[_Field, ...]:
    """The fields of ``validator``'s message that may be split (none if its schema is more
    than an object of properties whose other keywords say nothing about them)."""
    resolver = getattr(validator, "_resolver", None)
    if resolver is None:  # pragma: no cover - jsonschema before 4.18
        return ()
    root, resolver = _resolve(validator.schema, resolver)
    if not isinstance(root, dict) or not set(root) - _ANNOTATIONS - {"$id"} <= _ROOT:
        return ()
    if _mentions(root.get("dependentSchemas", {}), "properties"):
        return ()
    # A root anyOf may only ask which fields are present (a oneof's "exactly one"):
    # nothing in it reads a field's entries, which the split cuts.
    for option in root.get("anyOf", ()):
        if not isinstance(option, dict) or set(option) - _ANNOTATIONS - {"required"}:
            return ()
    properties = root.get("properties", {})
    found = (_field(validator, name, node, resolver) for name, node in properties.items())
    return tuple(f for f in found if f is not None)


_FIELDS: dict[int, tuple[Any, tuple[_Field, ...]]] = {}


def split(validator: Any, message: Any) -> tuple[Any, list[Entries]]:
    """``message`` with its long map and list fields cut to :data:`SCHEMA_CHECKED` entries
    (``message`` itself if none is), and the entries cut off, to check with
    :meth:`Entries.failures`."""
    known = _FIELDS.get(id(validator))
    if known is None or known[0] is not validator:
        if len(_FIELDS) > 256:  # validators are cached by their makers; this is a guard
            _FIELDS.clear()
        known = _FIELDS[id(validator)] = (validator, _fields(validator))
    rest: list[Entries] = []
    if not known[1] or not isinstance(message, dict):
        return message, rest
    cut: dict[Any, Any] | None = None
    for field in known[1]:
        value = message.get(field.name)
        part: Any
        if field.kind is dict and isinstance(value, dict) and len(value) > SCHEMA_CHECKED:
            part = dict(itertools.islice(value.items(), SCHEMA_CHECKED))
        elif field.kind is list and isinstance(value, list) and len(value) > SCHEMA_CHECKED:
            part = value[:SCHEMA_CHECKED]
        else:
            continue
        if cut is None:
            cut = dict(message)
        cut[field.name] = part
        rest.append(Entries(field, value))
    return (message if cut is None else cut), rest
