"""The schema model against two independent oracles: the raw schema files and the validator.

Every limit a schema file states (followed through its ``$ref``) is one of the model's
constraints, and every constraint of the model is one the contract's validator enforces:
a value at the limit is accepted and a value just past it rejected, placed where the
constraint's dotted keyword says. Neither check uses the model's own walker.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from hypothesis import find, settings
from hypothesis import strategies as st

from pytest_yc_images import (
    Constraint,
    FakeImageService,
    constraints,
    message_names,
    registry,
    schema,
    validator,
)
from pytest_yc_images._schema_model import message as model
from pytest_yc_images.strategies import constraints as strategy_constraints

ANY = "type.googleapis.com/google.protobuf.Empty"
IMAGE = {"id": "fd8i", "folderId": "b1gf", "createdAt": "2026-01-01T00:00:00Z", "status": "READY"}


def _typed(kind: str, response: str) -> dict[str, Any]:
    meta = f"type.googleapis.com/yandex.cloud.compute.v1.{kind}ImageMetadata"
    return {"": {"id": "op", "metadata": {"@type": meta}}, "metadata": {"@type": meta},
            "response": {**IMAGE, "@type": response} if response else {"@type": ANY}}  # fmt: skip


IMAGE_TYPE = "type.googleapis.com/yandex.cloud.compute.v1.Image"
# A valid body of each message ("") and of each container inside one that a constraint sits
# below, by the dotted path of the container (the one with required members, else {}/[]).
BASES: dict[str, dict[str, Any]] = {
    "Image": {"": IMAGE},
    "Status": {"": {"code": 3}, "details.items": {"@type": ANY}},
    "Operation": {
        "": {"id": "op"},
        "error": {"code": 3},
        "response": {"@type": ANY},
        "metadata": {"@type": ANY},
    },
    "CreateImageOperation": _typed("Create", IMAGE_TYPE),
    "UpdateImageOperation": _typed("Update", IMAGE_TYPE),
    "DeleteImageOperation": {**_typed("Delete", ""), "response": {"@type": ANY}},
    "ListImagesResponse": {"images.items": IMAGE},
    "ListImageOperationsResponse": {
        "operations.items": {"id": "op"},
        "operations.items.error": {"code": 3},
        "operations.items.response": {"@type": ANY},
        "operations.items.metadata": {"@type": ANY},
        "operations.items.error.details.items": {"@type": ANY},
    },
    "GetImageRequest": {"": {"imageId": "fd8i"}},
    "GetImageLatestByFamilyRequest": {"": {"folderId": "b1gf"}},
    "ListImagesRequest": {"": {"folderId": "b1gf"}},
    "CreateImageRequest": {"": {"folderId": "b1gf", "uri": "https://storage.example/a.qcow2"}},
    "UpdateImageRequest": {"": {"imageId": "fd8i"}},
    "DeleteImageRequest": {"": {"imageId": "fd8i"}},
    "ListImageOperationsRequest": {"": {"imageId": "fd8i"}},
    "GetOperationRequest": {"": {"operationId": "op"}},
    "CancelOperationRequest": {"": {"operationId": "op"}},
}
SUBJECT = {"id": "aje", "type": "userAccount"}
BINDING = {"roleId": "viewer", "subject": SUBJECT}
DELTA = {"action": "ADD", "accessBinding": BINDING}


def _bindings(path: str, binding: str = "") -> dict[str, Any]:
    """The bases of the access-binding containers below ``path`` (a list of bindings, or of
    deltas when ``binding`` names the delta's binding field)."""
    if not binding:
        return {path: BINDING, f"{path}.subject": SUBJECT}
    return {path: DELTA, f"{path}.{binding}": BINDING, f"{path}.{binding}.subject": SUBJECT}


def _access(kind: str) -> dict[str, Any]:
    meta = f"type.googleapis.com/yandex.cloud.access.{kind}AccessBindingsMetadata"
    result = "type.googleapis.com/yandex.cloud.access.AccessBindingsOperationResult"
    return {"": {"id": "op", "metadata": {"@type": meta}}, "metadata": {"@type": meta},
            "response": {"@type": result},
            **_bindings("response.effectiveDeltas.items", "accessBinding")}  # fmt: skip


BASES |= {
    "Subject": {"": SUBJECT},
    "AccessBinding": {"": BINDING, "subject": SUBJECT},
    "AccessBindingDelta": {"": DELTA, "accessBinding": BINDING, "accessBinding.subject": SUBJECT},
    "AccessBindingsOperationResult": _bindings("effectiveDeltas.items", "accessBinding"),
    "ListAccessBindingsResponse": _bindings("accessBindings.items"),
    "ListAccessBindingsRequest": {"": {"resourceId": "fd8i"}},
    "SetAccessBindingsRequest": {"": {"resourceId": "fd8i"}, **_bindings("accessBindings.items")},
    "UpdateAccessBindingsRequest": {
        "": {"resourceId": "fd8i", "accessBindingDeltas": [DELTA]},
        **_bindings("accessBindingDeltas.items", "accessBinding"),
    },
    "SetAccessBindingsOperation": _access("Set"),
    "UpdateAccessBindingsOperation": _access("Update"),
}
for _name in ("Operation", "CreateImageOperation", "UpdateImageOperation", "DeleteImageOperation",
              "SetAccessBindingsOperation", "UpdateAccessBindingsOperation"):  # fmt: skip
    BASES[_name] |= {"error": {"code": 3}, "error.details.items": {"@type": ANY}}
_KEEP, _ABSENT = object(), object()  # for a nested required: the base as is / without it
SAMPLES = {"null": None, "boolean": True, "integer": 7, "number": 0.5, "string": "s"}
SAMPLES |= {"array": [], "object": {}}


def _base(message: str, path: str) -> Any:
    """A valid value of the container at ``path`` (``""``: the message itself)."""
    found = BASES.get(message, {}).get(path)
    if found is not None:
        return copy.deepcopy(found)
    return [] if path.endswith("items") else {}


def _place(c: Constraint, value: Any) -> dict[str, Any]:
    """A valid body of the message with ``value`` where the constraint's keyword points."""
    steps = [c.field, *c.keyword.split(".")[:-1]]
    operation = c.message.endswith("Operation")

    def build(index: int, path: str, container: Any) -> Any:
        if index == len(steps):
            return value
        step = steps[index]
        if step == "properties":  # the next step names the property
            name = steps[index + 1]
            inner = f"{path}.{name}".lstrip(".")
            body = dict(container)
            if name == "response" and (operation or path == "operations.items"):
                body["done"] = True  # a response only once done
            built = build(index + 2, inner, _base(c.message, inner))
            if built is _ABSENT:
                del body[name]  # KeyError: the base lacks the field the case removes
            elif built is not _KEEP:
                body[name] = built
            return body
        if step == "items":
            inner = f"{path}.items"
            return [build(index + 1, inner, _base(c.message, inner))]
        if step == "propertyNames":
            return {build(index + 1, path, None): "v"}
        if step == "additionalProperties":
            return {"k": build(index + 1, path, None)}
        # the top-level field (alone of its oneof: the base's source makes way for it)
        peers = set(model(c.message).oneof(step)) - {step}
        body = {k: v for k, v in container.items() if k not in peers}
        if step == "response" and operation:
            body["done"] = True
        body[step] = build(index + 1, step, _base(c.message, step))
        return body

    built: dict[str, Any] = build(0, "", _base(c.message, ""))
    return built


@cache
def _matching(pattern: str) -> str:
    """The simplest string the pattern accepts the ECMA way (no final newline)."""
    found: str = find(
        st.from_regex(pattern), lambda s: "\n" not in s, settings=settings(database=None)
    )
    return found


@cache
def _not_matching(pattern: str) -> str:
    found: str = find(
        st.text(), lambda s: not re.search(pattern, s), settings=settings(database=None)
    )
    return found


def _siblings(c: Constraint) -> dict[str, Any]:
    """The other constraints on the same node as ``c``, by keyword."""
    prefix = c.keyword.rpartition(".")[0]
    return {
        x.keyword.rpartition(".")[2]: x.limit
        for x in constraints(c.message)
        if x.field == c.field and x.keyword.rpartition(".")[0] == prefix
    }


def _at_and_past(c: Constraint) -> tuple[list[Any], list[Any]]:
    """Values at the limit (accepted) and just past it (rejected)."""
    keyword, limit = c.keyword.rpartition(".")[2], c.limit
    enum = _siblings(c).get("enum")
    if keyword == "maxLength":
        return ["a" * limit], ["a" * (limit + 1)]
    if keyword == "minLength":
        return ["a" * limit], ["a" * (limit - 1)] if limit > 0 else []
    if keyword == "pattern":
        at = [v for v in enum if re.search(limit, v)] if enum else [_matching(limit)]
        return at, [_not_matching(limit)]  # a final newline: see the test below
    if keyword == "minimum":
        return [limit], [limit - 1]
    if keyword == "maximum":
        return [limit], [limit + 1]
    if keyword == "enum":
        return list(limit), ["NOT_A_MEMBER"]
    if keyword == "maxProperties":
        return [{f"k{i}": "v" for i in range(limit)}], [{f"k{i}": "v" for i in range(limit + 1)}]
    if keyword in ("minItems", "maxItems"):
        below = c.keyword.rpartition(".")[0]
        item = _base(c.message, ".".join(filter(None, (c.field, below, "items"))))
        step = -1 if keyword == "minItems" else 1
        return [[item] * limit], [[item] * (limit + step)] if limit + step >= 0 else []
    if keyword == "required":  # nested: the base has the property; without it, rejected
        return [_KEEP], [_ABSENT]
    if keyword == "type":
        accepted = set(limit) | ({"integer"} if "number" in limit else set())
        return [], [v for kind, v in SAMPLES.items() if kind not in accepted]
    raise AssertionError(f"no values for {c}")


def _all() -> list[Constraint]:
    return [c for name in message_names() for c in constraints(name)]


@pytest.mark.parametrize("message", message_names())
def test_the_base_bodies_are_valid(message: str) -> None:
    for path, body in BASES.get(message, {}).items():
        if path == "":
            assert validator(message).is_valid(body), body


@pytest.mark.parametrize("c", _all(), ids=lambda c: f"{c.rule}={c.limit!r}"[:90])
def test_each_constraint_is_enforced_at_and_past_its_limit(c: Constraint) -> None:
    check = validator(c.message)
    base = _base(c.message, "")
    if c.keyword == "required":
        assert c.field in base
        assert not check.is_valid({k: v for k, v in base.items() if k != c.field})
        return
    if c.keyword == "oneof":
        base = {k: v for k, v in base.items() if k not in c.limit}
        sample = {} if c.message == "HardwareGeneration" else "x"  # its members are messages
        for member in c.limit:
            assert check.is_valid({**base, member: sample}), member
        assert not check.is_valid({**base, c.limit[0]: sample, c.limit[-1]: sample})
        return
    at, past = _at_and_past(c)
    for value in at:
        body = _place(c, value)
        assert check.is_valid(body), [e.message for e in check.iter_errors(body)]
    for value in past:
        assert not check.is_valid(_place(c, value)), value


@pytest.mark.parametrize(
    "c",
    [c for c in _all() if c.keyword.endswith("pattern") and "enum" not in _siblings(c)],
    ids=lambda c: f"{c.rule}={c.limit!r}"[:90],
)
def test_a_pattern_rejects_a_final_newline(c: Constraint) -> None:
    """Also below a ``$ref`` into another message's file (the typed operations, the
    list responses, ``Operation.error``): the ECMA ``$`` holds there too."""
    check = validator(c.message)
    assert check.is_valid(_place(c, _matching(c.limit)))
    assert not check.is_valid(_place(c, _matching(c.limit) + "\n"))


# --- completeness: every limit stated in a schema file ------------------------------------------
_LIMITS = {"maxLength", "minLength", "pattern", "minimum", "maximum", "maxProperties", "enum"}
_LIMITS |= {"minItems", "maxItems"}
_RULES = {"if", "then", "else", "not", "oneOf", "dependentSchemas"}  # cross-field, not limits


def _stated(node: Any, base: str) -> Iterator[tuple[str, Any]]:
    """(keyword, limit) for every limit written below ``node``, following ``$ref``."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        resolved = registry().resolver(base_uri=base).lookup(node["$ref"])
        target = node["$ref"].split("#")[0]
        yield from _stated(resolved.contents, base if not target else base.rsplit("/", 1)[0]
                           + "/" + target)  # fmt: skip
    for key, value in node.items():
        if key in _LIMITS:
            yield key, tuple(value) if isinstance(value, list) else value
        elif key == "const":
            yield "enum", (value,)
        elif key in ("properties", "$defs"):
            if key == "properties":
                for sub in value.values():
                    yield from _stated(sub, base)
        elif isinstance(value, dict) and key not in _RULES:
            yield from _stated(value, base)
        elif isinstance(value, list) and key not in _RULES:
            for sub in value:
                yield from _stated(sub, base)


@pytest.mark.parametrize("message", message_names())
def test_every_limit_a_schema_states_is_a_constraint(message: str) -> None:
    doc = schema(message)
    have = {(c.keyword.rpartition(".")[2], c.limit) for c in constraints(message)}
    stated = set(_stated(doc, doc["$id"]))
    assert stated - have == set()
    required = {c.field for c in constraints(message) if c.keyword == "required"}
    assert set(doc.get("required", [])) <= required
    oneofs = [c.limit for c in constraints(message) if c.keyword == "oneof"]
    assert [tuple(doc["dependentSchemas"])] == oneofs if "dependentSchemas" in doc else not oneofs


def _required_below(node: Any, base: str, at: str = "") -> Iterator[str]:
    """The dotted keyword of every ``required`` name written below a field (not the
    message's own, nor a oneof's alternatives), following ``$ref``."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        resolved = registry().resolver(base_uri=base).lookup(node["$ref"])
        target = node["$ref"].split("#")[0]
        yield from _required_below(resolved.contents, base if not target else base.rsplit(
            "/", 1)[0] + "/" + target, at)  # fmt: skip
    if at:
        yield from (f"{at}.properties.{name}.required" for name in node.get("required", ()))
    for name, sub in node.get("properties", {}).items():
        yield from _required_below(sub, base, f"{at}.properties.{name}" if at else name)
    for key in ("items", "additionalProperties"):
        yield from _required_below(node.get(key), base, f"{at}.{key}")
    for sub in node.get("allOf", ()):
        yield from _required_below(sub, base, at)


@pytest.mark.parametrize("message", message_names())
def test_every_nested_required_a_schema_states_is_a_constraint(message: str) -> None:
    doc = schema(message)
    have = {f"{c.field}.{c.keyword}" for c in constraints(message)
            if c.keyword.endswith(".required")}  # fmt: skip
    assert set(_required_below(doc, doc["$id"])) == have


def test_the_access_binding_lists_have_their_counts_and_nested_required() -> None:
    rules = {c.rule: c.limit for c in constraints("UpdateAccessBindingsRequest")}
    field = "UpdateAccessBindingsRequest.accessBindingDeltas"
    assert rules[f"{field}.minItems"] == 1
    assert rules[f"{field}.maxItems"] == 1000
    subject = f"{field}.items.properties.accessBinding.properties.subject"
    assert rules[f"{subject}.properties.id.required"] is True
    assert rules[f"{subject}.properties.type.required"] is True
    assert "SetAccessBindingsRequest.accessBindings.minItems" not in {
        c.rule for c in constraints("SetAccessBindingsRequest")
    }  # Set may clear every binding


def test_the_strategies_break_every_field_constraint() -> None:
    for message in message_names():
        expected = [c for c in constraints(message) if c.keyword != "oneof"]
        assert set(strategy_constraints(message)) == set(expected)


def test_a_keyword_the_model_cannot_read_raises() -> None:
    from pytest_yc_images._schema_model import read

    with pytest.raises(NotImplementedError, match=r"'format'.*properties/at/format"):
        read({"type": "object", "properties": {"at": {"type": "string", "format": "uri"}}})


def test_the_oneof_violation_names_its_members_word_for_word() -> None:
    fake = FakeImageService()
    with fake.client() as client:
        reply = client.post(
            "/compute/v1/images", json={"folderId": "b1gf", "diskId": "d", "uri": "https://x"}
        )
    assert reply.status_code == 400
    details = [d for d in reply.json()["details"] if d["@type"].endswith("BadRequest")]
    described = {v["field"]: v["description"] for v in details[0]["fieldViolations"]}
    words = "only one of imageId, diskId, snapshotId and uri may be set"
    assert described == {"diskId": words, "uri": words}
