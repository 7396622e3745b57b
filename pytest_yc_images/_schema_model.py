"""One model of the message schemas: each message flattened once into fields and constraints.

This is the one place that reads the schemas' structure. A message's schema is inlined
(:func:`._contracts.inline`, every ``$ref`` followed), its ``allOf`` parts merged into one
*flat* node (:func:`merged`), and every constraint of every top-level field listed with the
node it sits on. The hypothesis strategies, the conformance suite's boundary cases and rule
catalogue, the factories and the fake's validation messages all read this model.

The model knows exactly the keywords our schemas use (:data:`KEYWORDS`); any other raises
:class:`NotImplementedError` when a schema is read, so no constraint is silently ignored.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._contracts import DEFAULT_PROFILE, SCHEMA_BASE, inline, schema

__all__ = [
    "KEYWORDS",
    "Constraint",
    "Flat",
    "Message",
    "Site",
    "Unsatisfiable",
    "constraints",
    "definition",
    "flatten",
    "merged",
    "message",
    "read",
]

Flat = dict[str, Any]  # a schema with refs inlined and allOf merged (see merged)

_ANNOTATIONS = frozenset({"$schema", "$comment", "title", "description"})
_STRUCTURE = frozenset(
    {"additionalProperties", "propertyNames", "items", "not", "if", "then", "else"}
    | {"allOf", "anyOf", "oneOf", "properties", "dependentSchemas"}
)
_VALUES = frozenset(
    {"type", "required", "pattern", "minLength", "maxLength", "minimum", "maximum"}
    | {"maxProperties", "minItems", "maxItems", "enum", "const"}
)
KEYWORDS = _ANNOTATIONS | _STRUCTURE | _VALUES  # every keyword the model can read
_LIMITS = ("maxLength", "minLength", "minimum", "maximum", "maxProperties", "minItems", "maxItems")
_ONEOF_NAME = re.compile(r"^(\w+) oneof:")


class Unsatisfiable(Exception):
    """A schema (or a branch of one) that no value satisfies."""


@dataclass(frozen=True)
class Constraint:
    """One constraint of a message's top-level ``field``: its ``keyword`` and ``limit``.

    ``keyword`` is dotted below the field (``propertyNames.pattern`` for a label key,
    ``additionalProperties.maxLength`` for a label value, ``properties.type.enum``);
    ``limit`` is a tuple for ``enum``, for ``type`` (the JSON types accepted) and for
    ``oneof`` (whose ``field`` names the oneof, e.g. ``source``, and whose limit lists its
    members, at most one of which may be set). ``required`` has the limit True: the field
    itself is required, or below it the property its keyword names
    (``items.properties.subject.properties.id.required``: each list item's ``subject.id``).
    ``description`` is the schema's description of the field (not part of equality).
    """

    message: str
    field: str
    keyword: str
    limit: Any
    description: str = dataclasses.field(default="", compare=False, repr=False)

    @property
    def rule(self) -> str:
        """``Message.field.keyword``: the constraint's id in the conformance catalogue."""
        return f"{self.message}.{self.field}.{self.keyword}"


@dataclass(frozen=True)
class Site:
    """Where a constraint sits: the flat ``node`` holding it, and the steps from the field's
    node down to it (``("propertyNames", labels)``, ``("properties.type", os)``, ``("items",
    list)``), each with the flat node it leaves; an ``anyOf`` alternative adds no step."""

    constraint: Constraint
    node: Flat
    path: tuple[tuple[str, Flat], ...]


@dataclass(frozen=True)
class Message:
    """A message read once: treat every container here as read-only (it is shared)."""

    name: str
    flat: Flat  # the whole message, flat
    fields: dict[str, tuple[Any, ...]]  # field -> its inlined schema parts (allOf of them)
    required: tuple[str, ...]
    oneofs: dict[str, tuple[str, ...]]  # a proto oneof's name -> its members, in schema order
    sites: tuple[Site, ...]  # every constraint below a field, in schema order
    constraints: tuple[Constraint, ...]  # required, the fields' (deduplicated), the oneofs

    def field(self, name: str) -> dict[str, Any]:
        """The inlined schema of top-level field ``name`` (all its ``allOf`` parts)."""
        if name not in self.fields:
            raise ValueError(f"{self.name} has no field {name!r}; fields: {', '.join(self.fields)}")
        return {"allOf": list(self.fields[name])}

    def oneof(self, member: str) -> tuple[str, ...]:
        """The members of the oneof ``member`` belongs to (empty if none): at most one of
        them may be set."""
        return next((m for m in self.oneofs.values() if member in m), ())


# --- flattening: inline $ref (strictly), merge allOf -----------------------------------------


def read(node: Any, base: str = SCHEMA_BASE, profile: str = DEFAULT_PROFILE) -> Any:
    """``node`` inlined against ``base`` (``profile``'s schemas); a keyword outside
    :data:`KEYWORDS` raises."""
    return inline(node, base, known=KEYWORDS, where=base.split("#")[0] + "#", profile=profile)


def _forbidden(node: Any) -> set[str] | None:
    """The properties ``{"not": node}`` forbids, if that is all it says; else None."""
    simple = isinstance(node, dict) and set(node) == {"anyOf"}
    options = node["anyOf"] if simple else [node]
    if all(isinstance(o, dict) and set(o) == {"required"} and len(o["required"]) == 1
           for o in options):  # fmt: skip
        return {o["required"][0] for o in options}
    return None


def _merge_into(out: Flat, node: Any) -> None:
    """Merge an inlined schema and its ``allOf`` members into the flat form ``out``.

    Types and enums intersect (``const`` is a one-member enum), lower limits take the
    highest, upper ones the lowest; named subschemas collect per name as lists, as do
    patterns and the other applicators; ``not`` of required fields becomes ``_forbid`` and
    each ``if`` an ``(if, then, else)`` in ``_ifs``.
    """
    if node is True:
        return
    if node is False:
        raise Unsatisfiable
    for key, value in node.items():
        if key == "allOf":
            for sub in value:
                _merge_into(out, sub)
        elif key == "type":
            types = {value} if isinstance(value, str) else set(value)
            out["type"] = out.get("type", types) & types
        elif key in ("enum", "const"):
            values = value if key == "enum" else [value]
            out["enum"] = [v for v in out.get("enum", values) if v in values]
        elif key in ("minLength", "minimum", "minItems"):
            out[key] = max(out.get(key, value), value)
        elif key in ("maxLength", "maximum", "maxProperties", "maxItems"):
            out[key] = min(out.get(key, value), value)
        elif key == "required":
            out["required"] = list(dict.fromkeys([*out.get("required", []), *value]))
        elif key in ("properties", "dependentSchemas"):
            for name, sub in value.items():
                out.setdefault(key, {}).setdefault(name, []).append(sub)
        elif key == "not" and (forbid := _forbidden(value)) is not None:
            out["_forbid"] = out.get("_forbid", set()) | forbid
        elif key == "if":
            out.setdefault("_ifs", []).append((value, node.get("then"), node.get("else")))
        elif key not in ("then", "else") and key not in _ANNOTATIONS:
            out.setdefault(key, []).append(value)  # pattern, anyOf, oneOf, not, items, ...
    if set(out.get("required", ())) & out.get("_forbid", set()):
        raise Unsatisfiable


def merged(flat: Flat, *nodes: Any) -> Flat:
    """A copy of ``flat`` with the inlined ``nodes`` merged in."""
    out = copy.deepcopy(flat)
    for node in nodes:
        _merge_into(out, node)
    return out


def flatten(node: Any) -> Flat:
    """The flat form of an inlined schema."""
    return merged({}, node)


@cache
def definition(name: str, profile: str = DEFAULT_PROFILE) -> Flat:
    """The flat form of ``common.json#/$defs/<name>`` in ``profile`` (cached: do not
    change it)."""
    return flatten(read({"$ref": f"{SCHEMA_BASE}common.json#/$defs/{name}"}, profile=profile))


def _description(node: Any) -> str:
    """A node's own description, else the last of its ``allOf`` parts' (as a ``$ref`` with a
    description beside it is inlined to ``allOf: [target, {description}]``)."""
    if not isinstance(node, dict):
        return ""
    if isinstance(node.get("description"), str):
        return str(node["description"])
    return next(filter(None, map(_description, reversed(node.get("allOf", [])))), "")


# --- the constraints below a field -----------------------------------------------------------

_Found = tuple[str, Any, Flat, tuple[tuple[str, Flat], ...]]


def _walk(
    node: Flat, prefix: str, path: tuple[tuple[str, Flat], ...], typed: bool = True
) -> Iterator[_Found]:
    """(dotted keyword, limit, node, path) for each constraint of the flat ``node``.

    ``type`` comes first (over an ``anyOf``, the types its alternatives accept), then the
    node's keywords in schema order, then each ``anyOf`` alternative's (breaking one breaks
    that alternative). No ``type`` below ``propertyNames``: an object key is a string. A
    ``required`` name ``n`` of the node is ``properties.n.required`` (limit True) on the node
    holding it; an alternative's ``required`` (a oneof that must be set) is no constraint.
    """
    alternatives = [flatten(alt) for group in node.get("anyOf", ()) for alt in group]
    if typed:
        types = node.get("type") or set().union(*(a.get("type", set()) for a in alternatives))
        if types:
            yield prefix + "type", tuple(sorted(types)), node, path
    for key, value in node.items():
        if key in _LIMITS:
            yield prefix + key, value, node, path
        elif key == "pattern":
            for pattern in value:
                yield prefix + key, pattern, node, path
        elif key == "enum":
            yield prefix + key, tuple(value), node, path
        elif key == "required" and typed:
            for name in value:
                yield f"{prefix}properties.{name}.required", True, node, path
        elif key == "propertyNames":
            yield from _walk(
                flatten({"allOf": value}), f"{prefix}{key}.", (*path, (key, node)), typed=False
            )
        elif key in ("additionalProperties", "items") and False not in value:
            yield from _walk(flatten({"allOf": value}), f"{prefix}{key}.", (*path, (key, node)))
        elif key == "properties":
            for name, subs in value.items():
                step = f"properties.{name}"
                yield from _walk(
                    flatten({"allOf": subs}), f"{prefix}{step}.", (*path, (step, node))
                )
    for alternative in alternatives:
        yield from _walk(alternative, prefix, path, typed=False)


def _oneofs(flat: Flat, fields: dict[str, tuple[Any, ...]]) -> dict[str, tuple[str, ...]]:
    """The groups of fields whose ``dependentSchemas`` forbid each other, by name (the word
    before ``oneof:`` in the members' descriptions, as the API reference writes it)."""
    groups: list[tuple[str, ...]] = []
    dependent: dict[str, list[Any]] = flat.get("dependentSchemas", {})
    for name, subs in dependent.items():
        forbid: set[str] = set()
        for sub in subs:
            if isinstance(sub, dict) and "not" in sub:
                forbid |= _forbidden(sub["not"]) or set()
        members = tuple(n for n in dependent if n == name or n in forbid)
        if len(members) > 1 and members not in groups:
            groups.append(members)
    out: dict[str, tuple[str, ...]] = {}
    for members in groups:
        words = (
            _ONEOF_NAME.match(_description({"allOf": list(fields.get(m, ()))})) for m in members
        )
        named = next((m.group(1) for m in words if m), "oneof")
        out[named] = members
    return out


@cache
def message(name: str, profile: str = DEFAULT_PROFILE) -> Message:
    """Message ``name`` of ``profile`` read: flat, its fields, oneofs and every constraint
    (cached)."""
    raw = schema(name, profile)
    flat = flatten(read(raw, raw["$id"], profile))
    fields = {f: tuple(subs) for f, subs in flat.get("properties", {}).items()}
    required = tuple(flat.get("required", ()))
    words = {f: _description({"allOf": list(parts)}) for f, parts in fields.items()}
    sites = [
        Site(Constraint(name, f, keyword, limit, words[f]), node, path)
        for f, parts in fields.items()
        for keyword, limit, node, path in _walk(flatten({"allOf": list(parts)}), "", ())
    ]
    oneofs = _oneofs(flat, fields)
    found = [Constraint(name, f, "required", True, words.get(f, "")) for f in required]
    found += [site.constraint for site in sites]
    found += [Constraint(name, group, "oneof", members) for group, members in oneofs.items()]
    return Message(name, flat, fields, required, oneofs, tuple(sites), tuple(dict.fromkeys(found)))


def constraints(name: str) -> tuple[Constraint, ...]:
    """Every constraint of message ``name`` (any of :func:`~pytest_yc_images.message_names`).

    Its required fields first, then field by field in schema order each field's ``type``
    and limits (below it too: label keys and values, list items, nested properties), then
    its oneofs. Read from the schemas once; ``Constraint.rule`` names each.
    """
    return message(name).constraints
