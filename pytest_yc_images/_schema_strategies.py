"""The schema-to-strategy compiler behind :mod:`pytest_yc_images.strategies` (private)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urldefrag, urljoin

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ._contracts import SCHEMA_BASE, _ecma_regex, registry, schema, validator

_Flat = dict[str, Any]  # a schema with refs inlined and allOf merged (see _merge_into)
_Violation = tuple[str, Any, SearchStrategy[Any]]  # keyword, limit, values breaking it
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description"})
_ONE = frozenset({"additionalProperties", "propertyNames", "items", "not", "if", "then", "else"})
_MANY = frozenset({"allOf", "anyOf", "oneOf"})
_NAMED = frozenset({"properties", "dependentSchemas"})
_VALUES = frozenset(
    {"type", "required", "pattern", "minLength", "maxLength", "minimum", "maximum"}
    | {"maxProperties", "enum", "const"}
)
_MAX_ITEMS = 3  # at most this many list items and extra (additionalProperties) entries
_SOURCES = ("imageId", "diskId", "snapshotId", "uri")
_SAMPLES: dict[str, Any] = {"null": None, "boolean": False, "integer": 1, "number": 0.5}
_SAMPLES |= {"string": "0", "array": [], "object": {}}  # a value of each JSON type


class _Unsatisfiable(Exception):
    """A branch of a schema that no value satisfies; pruned while compiling."""


@dataclass(frozen=True)
class Constraint:
    """A constraint on a top-level ``field``: its ``keyword`` and ``limit``.

    ``keyword`` is dotted below the field (``propertyNames.pattern`` for a label key,
    ``additionalProperties.maxLength`` for a label value); ``limit`` is a tuple for ``enum``
    and for ``type`` (the JSON types accepted). ``required`` is broken by omitting the field,
    any other keyword by :func:`invalid_values` with ``keyword=``.
    """

    field: str
    keyword: str
    limit: Any


# --- the compiler: inline $ref, merge allOf, split on choices, build leaves ---------------


def _inline(node: Any, base: str, where: str) -> Any:
    """``node`` with every ``$ref`` replaced by its target; unknown keywords raise."""
    if isinstance(node, bool):
        return node
    base = urljoin(base, node.get("$id", ""))
    out: _Flat = {}
    for key, value in node.items():
        at = f"{where}/{key}"
        if key in _ONE:
            out[key] = _inline(value, base, at)
        elif key in _MANY:
            out[key] = [_inline(sub, base, f"{at}/{i}") for i, sub in enumerate(value)]
        elif key in _NAMED:
            out[key] = {name: _inline(sub, base, f"{at}/{name}") for name, sub in value.items()}
        elif key in _VALUES:
            out[key] = value
        elif key not in _ANNOTATIONS and key != "$ref":
            raise NotImplementedError(
                f"strategies cannot generate JSON Schema keyword {key!r} (at {at}); "
                "teach pytest_yc_images/strategies.py the constraint first"
            )
    if "$ref" not in node:
        return out
    target = urljoin(base, node["$ref"])
    contents = registry().resolver(base_uri=base).lookup(node["$ref"]).contents
    resolved = _inline(contents, urldefrag(target).url, target)
    return {"allOf": [resolved, out]} if out else resolved


def _forbidden(node: Any) -> set[str] | None:
    """The properties ``{"not": node}`` forbids, if that is all it says; else None."""
    simple = isinstance(node, dict) and set(node) == {"anyOf"}
    options = node["anyOf"] if simple else [node]
    if all(isinstance(o, dict) and set(o) == {"required"} and len(o["required"]) == 1
           for o in options):  # fmt: skip
        return {o["required"][0] for o in options}
    return None


def _merge_into(out: _Flat, node: Any) -> None:
    """Merge an inlined schema and its ``allOf`` members into the flat form ``out``."""
    if node is True:
        return
    if node is False:
        raise _Unsatisfiable
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
        elif key in ("minLength", "minimum"):
            out[key] = max(out.get(key, value), value)
        elif key in ("maxLength", "maximum", "maxProperties"):
            out[key] = min(out.get(key, value), value)
        elif key == "required":
            out["required"] = list(dict.fromkeys([*out.get("required", []), *value]))
        elif key in _NAMED:
            for name, sub in value.items():
                out.setdefault(key, {}).setdefault(name, []).append(sub)
        elif key == "not" and (forbid := _forbidden(value)) is not None:
            out["_forbid"] = out.get("_forbid", set()) | forbid
        elif key == "if":
            out.setdefault("_ifs", []).append((value, node.get("then"), node.get("else")))
        elif key not in ("then", "else"):  # pattern, anyOf, oneOf, not, items, ...Properties
            out.setdefault(key, []).append(value)
    if set(out.get("required", ())) & out.get("_forbid", set()):
        raise _Unsatisfiable


def _merged(flat: _Flat, *nodes: Any) -> _Flat:
    out = copy.deepcopy(flat)
    for node in nodes:
        _merge_into(out, node)
    return out


def _compile(node: Any) -> SearchStrategy[Any]:
    return _compile_flat(_merged({}, node))


def _compile_flat(flat: _Flat) -> SearchStrategy[Any]:
    """Split on the first choice the schema offers, else build a leaf."""
    for key in ("dependentSchemas", "oneOf", "anyOf", "_ifs"):
        if flat.get(key):
            return _branches(flat, key)
    if "enum" in flat:
        if not flat["enum"]:
            raise _Unsatisfiable
        strategy: SearchStrategy[Any] = st.sampled_from(flat["enum"])
    else:
        types = flat.get("type", _inferred_types(flat))
        if not types or types - set(_BUILDERS):
            raise _Unsatisfiable if not types else NotImplementedError(f"JSON type(s) {types}")
        strategy = st.one_of([_BUILDERS[t](flat) for t in sorted(types)])
    if flat.get("not"):
        checks = [_checker(sub) for sub in flat["not"]]
        strategy = strategy.filter(lambda v: not any(check(v) for check in checks))
    return strategy


def _branches(flat: _Flat, key: str) -> SearchStrategy[Any]:
    """One branch per way of meeting the choice ``key``; unsatisfiable branches are pruned."""
    rest = copy.deepcopy(flat)
    if key == "dependentSchemas":  # without the property, or with it and its schema
        name = next(iter(rest[key]))
        subs = rest[key].pop(name)
        options = [{"not": {"required": [name]}}, {"required": [name], "allOf": subs}]
    elif key == "_ifs":  # the else branch (shrinks to it) filtered by "not if", then if+then
        condition, then, otherwise = rest[key].pop(0)
        options = [{"allOf": [otherwise or {}], "not": condition}]
        options.append({"allOf": [condition, then or {}]})
    else:
        alternatives = rest[key].pop(0)
        options = alternatives
        if key == "oneOf":  # each alternative, and none of the others
            options = [
                {"allOf": [alt], "not": {"anyOf": [o for o in alternatives if o is not alt]}}
                for alt in alternatives
            ]
    compiled = []
    for option in options:
        try:
            compiled.append(_compile_flat(_merged(rest, option)))
        except _Unsatisfiable:
            continue
    if not compiled:
        raise _Unsatisfiable
    return st.one_of(compiled)


def _inferred_types(flat: _Flat) -> set[str]:
    if flat.keys() & {"properties", "required", "additionalProperties", "maxProperties", "_forbid"}:
        return {"object"}
    if flat.keys() & {"pattern", "minLength", "maxLength"}:
        return {"string"}
    if flat.keys() & {"minimum", "maximum"}:
        return {"integer"}
    return {"array"} if "items" in flat else {"boolean", "integer", "string"}


def _regex(pattern: str) -> SearchStrategy[str]:
    """Strings matching ``pattern`` the ECMA way: an anchored one never gets a final newline."""
    if pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        return st.from_regex(pattern[1:-1], fullmatch=True)
    return st.from_regex(_ecma_regex(pattern))


def _string(flat: _Flat) -> SearchStrategy[str]:
    low, high = flat.get("minLength", 0), flat.get("maxLength")
    if high is not None and low > high:
        raise _Unsatisfiable
    if not flat.get("pattern"):
        return st.text(min_size=low, max_size=high)
    first, *others = flat["pattern"]
    checks = [_ecma_regex(p).search for p in others]
    return _regex(first).filter(
        lambda s: low <= len(s) and (high is None or len(s) <= high) and all(c(s) for c in checks)
    )


def _object(flat: _Flat) -> SearchStrategy[dict[str, Any]]:
    props: dict[str, list[Any]] = flat.get("properties", {})
    required, forbid = flat.get("required", []), flat.get("_forbid", set())
    extra: list[Any] = flat.get("additionalProperties", [])
    fixed: dict[str, SearchStrategy[Any]] = {}
    optional: dict[str, SearchStrategy[Any]] = {}
    for name in dict.fromkeys([*required, *props]):
        if name in forbid:
            continue
        try:
            strategy = _compile({"allOf": props.get(name, extra)})
        except _Unsatisfiable:
            if name in required:
                raise
            continue  # an optional field no value satisfies is left out
        (fixed if name in required else optional)[name] = strategy
    result = st.fixed_dictionaries(fixed, optional=optional)
    limit = flat.get("maxProperties")
    if extra and False not in extra:
        room = _MAX_ITEMS if limit is None else min(_MAX_ITEMS, limit - len(fixed) - len(optional))
        keys = _keys(flat).filter(lambda k: k not in props and k not in forbid)
        more = st.dictionaries(keys, _compile({"allOf": extra}), max_size=max(room, 0))
        result = st.tuples(result, more).map(lambda pair: {**pair[1], **pair[0]})
    return result if limit is None else result.filter(lambda d: len(d) <= limit)


def _keys(flat: _Flat) -> SearchStrategy[str]:
    return _compile({"allOf": [{"type": "string"}, *flat.get("propertyNames", [])]})


_BUILDERS: dict[str, Callable[[_Flat], SearchStrategy[Any]]] = {
    "object": _object,
    "string": _string,
    "integer": lambda f: st.integers(min_value=f.get("minimum"), max_value=f.get("maximum")),
    "boolean": lambda f: st.booleans(),
    "array": lambda f: st.lists(_compile({"allOf": f.get("items", [])}), max_size=_MAX_ITEMS),
}


def _checker(node: Any) -> Callable[[Any], bool]:
    """``is_valid`` for a schema, with the contract's validator class (ECMA ``pattern``)."""
    check: Callable[[Any], bool] = validator("Image").evolve(schema=node).is_valid
    return check


def _compile_schema(node: Any, *, base: str = SCHEMA_BASE) -> SearchStrategy[Any]:
    """Compile an ad-hoc schema whose ``$ref`` resolve against ``base`` (unfiltered)."""
    try:
        return _compile(_inline(node, base, base + "#"))
    except _Unsatisfiable:
        raise ValueError(f"no value satisfies the schema at {base}") from None


@lru_cache(maxsize=256)
def _message(name: str, extra: str = "null") -> SearchStrategy[dict[str, Any]]:
    """Valid ``name`` bodies that also satisfy ``extra`` (a JSON-encoded schema or null)."""
    doc, more = schema(name), json.loads(extra)
    node = {"$id": doc["$id"], "allOf": [doc, more]} if more is not None else doc
    valid, check = validator(name).is_valid, _checker(more if more is not None else True)
    strategy: SearchStrategy[dict[str, Any]] = _compile_schema(node, base=doc["$id"])
    return strategy.filter(lambda v: valid(v) and check(v))


def _pinned(message: str, *, require: Iterable[str] = (), **values: Any) -> str:
    """An extra schema for :func:`_message`: ``require`` present, each non-None value fixed."""
    fixed = {field: value for field, value in values.items() if value is not None}
    for field, value in fixed.items():
        if not _checker(_field(message, field))(value):
            raise ValueError(f"{value!r} is not a valid {message}.{field}")
    properties = {field: {"const": value} for field, value in fixed.items()}
    return json.dumps({"required": list(require), "properties": properties}, sort_keys=True)


def _flat_message(message: str) -> _Flat:
    doc = schema(message)
    return _merged({}, _inline(doc, doc["$id"], doc["$id"] + "#"))


def _field(message: str, field: str) -> Any:
    """The inlined schema of top-level ``field`` of ``message`` (all its ``allOf`` parts)."""
    props = _flat_message(message).get("properties", {})
    if field not in props:
        raise ValueError(f"{message} has no field {field!r}; fields: {', '.join(props)}")
    return {"allOf": props[field]}


@lru_cache
def _defined(name: str) -> tuple[SearchStrategy[Any], Callable[[Any], bool]]:
    """Values of ``common.json#/$defs/<name>`` and their validity check."""
    ref = {"$ref": f"{SCHEMA_BASE}common.json#/$defs/{name}"}
    return _compile_schema(ref), _checker(ref)


# --- valid values ----------------------------------------------------------------------------


def _violations(node: Any) -> list[_Violation]:
    """(keyword, limit, values breaking it) for each constraint of ``node``."""
    flat = _merged({}, node)
    alternatives = [_merged({}, a) for a in flat["anyOf"][0]] if flat.get("anyOf") else [flat]
    found: list[_Violation] = []
    types: set[str] = set()
    for alternative in alternatives:  # breaking a constraint of each alternative breaks anyOf
        types |= alternative.get("type", set())
        found += _leaf_violations(alternative)
    if not types:
        return found
    accepted = types | ({"integer"} if "number" in types else set())
    wrong = [value for kind, value in _SAMPLES.items() if kind not in accepted]
    return [("type", tuple(sorted(types)), st.sampled_from(wrong)), *found]


def _leaf_violations(flat: _Flat) -> list[_Violation]:
    found: list[_Violation] = []
    if "maxLength" in flat:
        n = flat["maxLength"]
        found.append(("maxLength", n, st.text(min_size=n + 1, max_size=n + 8)))
    if flat.get("minLength"):
        found.append(("minLength", flat["minLength"], st.text(max_size=flat["minLength"] - 1)))
    for pattern in flat.get("pattern", []):
        newline = _compile_flat(flat).map(lambda s: s + "\n")  # the ECMA '$' trap
        other = st.text(min_size=1).filter(partial(_mismatches, _ecma_regex(pattern).search))
        found.append(("pattern", pattern, newline | other))
    if "minimum" in flat:
        found.append(("minimum", flat["minimum"], st.integers(max_value=flat["minimum"] - 1)))
    if "maximum" in flat:
        found.append(("maximum", flat["maximum"], st.integers(min_value=flat["maximum"] + 1)))
    if "enum" in flat:
        enum = flat["enum"]
        found.append(("enum", tuple(enum), st.text(max_size=12).filter(lambda v: v not in enum)))
    extra = flat.get("additionalProperties", [False])
    extra = [] if False in extra else extra
    values = _compile({"allOf": extra}) if extra else st.just("")
    if "maxProperties" in flat:
        n = flat["maxProperties"]
        found.append(("maxProperties", n, st.dictionaries(_keys(flat), values, min_size=n + 1)))
    for sub in flat.get("propertyNames", []):
        for keyword, limit, keys in _violations(sub):
            if keyword != "type":  # JSON object keys are always strings
                bad = st.builds(_entry, keys, values)
                found.append((f"propertyNames.{keyword}", limit, bad))
    for keyword, limit, bad in _violations({"allOf": extra}) if extra else []:
        entries = st.builds(_entry, _keys(flat), bad)
        found.append((f"additionalProperties.{keyword}", limit, entries))
    for name, subs in flat.get("properties", {}).items():
        for keyword, limit, bad in _violations({"allOf": subs}):
            found.append((f"properties.{name}.{keyword}", limit, bad.map(partial(_entry, name))))
    for keyword, limit, bad in _violations({"allOf": flat["items"]}) if "items" in flat else []:
        found.append((f"items.{keyword}", limit, bad.map(lambda v: [v])))
    return found


def _entry(key: str, value: Any) -> dict[str, Any]:
    return {key: value}


def _mismatches(search: Callable[[str], Any], text: str) -> bool:
    return not search(text)


def _only_at(checker: Any, pair: tuple[str, dict[str, Any]]) -> bool:
    """Whether the body is invalid, and only at the field (not by a cross-field rule)."""
    paths = [list(error.absolute_path)[:1] for error in checker.iter_errors(pair[1])]
    return bool(paths) and all(path == [pair[0]] for path in paths)
