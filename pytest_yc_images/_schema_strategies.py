"""The schema-to-strategy compiler behind :mod:`pytest_yc_images.strategies` (private)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from functools import lru_cache, partial
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ._contracts import DEFAULT_PROFILE, SCHEMA_BASE, _ecma_regex, check_profile, validator
from ._schema_model import Flat, Site, Unsatisfiable, flatten, merged, message, read

_Flat = Flat  # a schema with refs inlined and allOf merged
_MAX_ITEMS = 3  # at most this many list items (beyond minItems) and extra map entries
_SAMPLES: dict[str, Any] = {"null": None, "boolean": False, "integer": 1, "number": 0.5}
_SAMPLES |= {"string": "0", "array": [], "object": {}}  # a value of each JSON type


def _sources() -> tuple[str, ...]:
    """The members of ``CreateImageRequest``'s source oneof."""
    return message("CreateImageRequest").oneofs["source"]


# --- the compiler: split on choices, build leaves (the model inlines and merges) -------------


def _compile(node: Any) -> SearchStrategy[Any]:
    return _compile_flat(flatten(node))


def _compile_flat(flat: _Flat) -> SearchStrategy[Any]:
    """Split on the first choice the schema offers, else build a leaf."""
    for key in ("dependentSchemas", "oneOf", "anyOf", "_ifs"):
        if flat.get(key):
            return _branches(flat, key)
    if "enum" in flat:
        if not flat["enum"]:
            raise Unsatisfiable
        strategy: SearchStrategy[Any] = st.sampled_from(flat["enum"])
    else:
        types = flat.get("type", _inferred_types(flat))
        if not types or types - set(_BUILDERS):
            raise Unsatisfiable if not types else NotImplementedError(f"JSON type(s) {types}")
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
            compiled.append(_compile_flat(merged(rest, option)))
        except Unsatisfiable:
            continue
    if not compiled:
        raise Unsatisfiable
    return st.one_of(compiled)


def _inferred_types(flat: _Flat) -> set[str]:
    if flat.keys() & {"properties", "required", "additionalProperties", "maxProperties", "_forbid"}:
        return {"object"}
    if flat.keys() & {"pattern", "minLength", "maxLength"}:
        return {"string"}
    if flat.keys() & {"minimum", "maximum"}:
        return {"integer"}
    if flat.keys() & {"items", "minItems", "maxItems"}:
        return {"array"}
    return {"boolean", "integer", "string"}


def _regex(pattern: str) -> SearchStrategy[str]:
    """Strings matching ``pattern`` the ECMA way: an anchored one never gets a final newline."""
    if pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        return st.from_regex(pattern[1:-1], fullmatch=True)
    return st.from_regex(_ecma_regex(pattern))


def _string(flat: _Flat) -> SearchStrategy[str]:
    low, high = flat.get("minLength", 0), flat.get("maxLength")
    if high is not None and low > high:
        raise Unsatisfiable
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
        except Unsatisfiable:
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
    "array": lambda f: _array(f),
}


def _array(flat: _Flat) -> SearchStrategy[list[Any]]:
    """Lists within ``minItems``/``maxItems``, at most :data:`_MAX_ITEMS` past the minimum."""
    low = flat.get("minItems", 0)
    high = min(flat.get("maxItems", low + _MAX_ITEMS), low + _MAX_ITEMS)
    if high < low:
        raise Unsatisfiable
    return st.lists(_compile({"allOf": flat.get("items", [])}), min_size=low, max_size=high)


def _checker(node: Any) -> Callable[[Any], bool]:
    """``is_valid`` for a schema, with the contract's validator class (ECMA ``pattern``)."""
    check: Callable[[Any], bool] = validator("Image").evolve(schema=node).is_valid
    return check


def _compile_schema(
    node: Any, *, base: str = SCHEMA_BASE, profile: str = DEFAULT_PROFILE
) -> SearchStrategy[Any]:
    """Compile an ad-hoc schema whose ``$ref`` resolve against ``base`` in ``profile``
    (unfiltered)."""
    try:
        return _compile(read(node, base, profile))
    except Unsatisfiable:
        raise ValueError(f"no value satisfies the schema at {base}") from None


@lru_cache(maxsize=256)
def _message(
    name: str, extra: str = "null", profile: str = DEFAULT_PROFILE
) -> SearchStrategy[dict[str, Any]]:
    """Valid ``name`` bodies of ``profile`` that also satisfy ``extra`` (a JSON-encoded
    schema or null)."""
    more = json.loads(extra)
    valid = validator(name, check_profile(profile)).is_valid
    check = _checker(more if more is not None else True)
    try:
        flat = message(name, profile).flat
        read_more = read(more, profile=profile) if more is not None else None
        strategy = _compile_flat(merged(flat, read_more) if more is not None else flat)
    except Unsatisfiable:
        raise ValueError(f"no value satisfies the schema at {SCHEMA_BASE}{name}.json") from None
    return strategy.filter(lambda v: valid(v) and check(v))


def _pinned(
    name: str, *, require: Iterable[str] = (), profile: str = DEFAULT_PROFILE, **values: Any
) -> str:
    """An extra schema for :func:`_message`: ``require`` present, each non-None value fixed
    (and valid in ``profile``)."""
    fixed = {field: value for field, value in values.items() if value is not None}
    for field, value in fixed.items():
        if not _checker(message(name, profile).field(field))(value):
            raise ValueError(f"{value!r} is not a valid {name}.{field} ({profile} profile)")
    properties = {field: {"const": value} for field, value in fixed.items()}
    return json.dumps({"required": list(require), "properties": properties}, sort_keys=True)


@lru_cache
def _defined(
    name: str, profile: str = DEFAULT_PROFILE
) -> tuple[SearchStrategy[Any], Callable[[Any], bool]]:
    """Values of ``common.json#/$defs/<name>`` in ``profile`` and their validity check."""
    ref = {"$ref": f"{SCHEMA_BASE}common.json#/$defs/{name}"}
    inlined = read(ref, profile=check_profile(profile))
    return _compile(inlined), _checker(inlined)


# --- values that break one constraint --------------------------------------------------------


def _breakable(site: Site) -> bool:
    """Whether some value breaks the constraint (a minimum length of 0 none does)."""
    c = site.constraint
    counts = c.keyword.endswith(("minLength", "minItems"))
    return c.keyword != "oneof" and not (counts and c.limit <= 0)


def _breaking(site: Site) -> SearchStrategy[Any]:
    """Values of the field that break the constraint at ``site`` (and possibly others)."""
    keyword, limit, node = (
        site.constraint.keyword.rsplit(".", 1)[-1],
        site.constraint.limit,
        site.node,
    )
    bad: SearchStrategy[Any]
    if keyword == "type":
        accepted = set(limit) | ({"integer"} if "number" in limit else set())
        bad = st.sampled_from([value for kind, value in _SAMPLES.items() if kind not in accepted])
    elif keyword == "maxLength":
        bad = st.text(min_size=limit + 1, max_size=limit + 8)
    elif keyword == "minLength":
        bad = st.text(max_size=limit - 1)
    elif keyword == "pattern":
        newline = _compile_flat(node).map(lambda s: s + "\n")  # the ECMA '$' trap
        other = st.text(min_size=1).filter(partial(_mismatches, _ecma_regex(limit).search))
        bad = newline | other
    elif keyword == "minimum":
        bad = st.integers(max_value=limit - 1)
    elif keyword == "maximum":
        bad = st.integers(min_value=limit + 1)
    elif keyword == "enum":
        bad = st.text(max_size=12).filter(lambda v: v not in limit)
    elif keyword == "required":  # a valid node without the property its keyword names
        name = site.constraint.keyword.split(".")[-2]
        bad = _compile_flat(node).map(partial(_without, name))
    elif keyword == "minItems":  # too few valid items
        bad = st.lists(_items(node), max_size=limit - 1)
    elif keyword == "maxItems":  # one valid item, repeated once too often (cheap at 1001)
        bad = _items(node).map(lambda item: [item] * (limit + 1))
    else:  # maxProperties
        bad = st.dictionaries(_keys(node), _values(node), min_size=limit + 1)
    for step, container in reversed(site.path):  # wrap the bad value back up to the field
        if step == "propertyNames":
            bad = st.builds(_entry, bad, _values(container))
        elif step == "additionalProperties":
            bad = st.builds(_entry, _keys(container), bad)
        elif step == "items":
            bad = bad.map(lambda v: [v])
        else:  # properties.<name>
            bad = bad.map(partial(_entry, step.removeprefix("properties.")))
    return bad


def _values(flat: _Flat) -> SearchStrategy[Any]:
    """Valid values of an object's extra entries ("" where any value would do)."""
    extra = flat.get("additionalProperties", [False])
    return st.just("") if False in extra else _compile({"allOf": extra})


def _items(flat: _Flat) -> SearchStrategy[Any]:
    """Valid items of a list node."""
    return _compile({"allOf": flat.get("items", [])})


def _without(name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if key != name}


def _entry(key: str, value: Any) -> dict[str, Any]:
    return {key: value}


def _mismatches(search: Callable[[str], Any], text: str) -> bool:
    return not search(text)


def _only_at(checker: Any, pair: tuple[str, dict[str, Any]]) -> bool:
    """Whether the body is invalid, and only at the field (not by a cross-field rule)."""
    paths = [list(error.absolute_path)[:1] for error in checker.iter_errors(pair[1])]
    return bool(paths) and all(path == [pair[0]] for path in paths)
