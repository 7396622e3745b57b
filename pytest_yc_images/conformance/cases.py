"""Boundary cases, built deterministically from the request schemas in ``contracts/``.

For every constraint of every request message a REST face receives (length, pattern,
numeric range, entry count, enum, the source oneof, required) there is a case at the
limit (accepted; the value round-trips into the resource where the method stores it) and
one just past it (INVALID_ARGUMENT with a BadRequest naming the field). The constraints
are the package's schema model (:func:`pytest_yc_images.constraints`): a constraint added
to a schema adds cases here without new test code; a keyword the model reads but this
module cannot build values for is reported as an uncovered rule instead of being ignored
(and one the model cannot read raises).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from pytest_yc_images import Constraint, routes, validator
from pytest_yc_images import constraints as schema_constraints

from .pattern_strings import class_chars, longest_match
from .safety import LOOPBACK_SUBJECT, RunIdentity

__all__ = [
    "EXAMPLE_SUBJECT",
    "MESSAGES",
    "ROLE",
    "Case",
    "Constraint",
    "boundary_cases",
    "constraints",
    "request_body",
    "skipped",
]

# ImageService's request messages -> (RPC, HTTP method, the fields in its path), from the
# route table; fields not in the path go in the body for POST/PATCH, the query for GET.
MESSAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    r.request: (r.rpc, r.http_method, r.path_parameters)
    for r in routes()
    if r.rpc.startswith("ImageService.")
}
# The access-binding messages' requests name a subject and a role. The example subject
# stands for the run's (``--subject-id``; the contracts put the target's in its place);
# the role is one the real cloud has.
ROLE = "compute.images.user"
EXAMPLE_SUBJECT = {"id": LOOPBACK_SUBJECT, "type": "userAccount"}
_BINDING = {"roleId": ROLE, "subject": EXAMPLE_SUBJECT}
# A valid item of each list field of a request, into which the cases put their values.
_ITEMS: dict[str, Any] = {
    "accessBindings": _BINDING,
    "accessBindingDeltas": {"action": "ADD", "accessBinding": _BINDING},
    "productIds": "a",
}
_UNKNOWN = (
    "names no {what} the target has, and what a request naming one gets is not "
    "documented (access.proto says only the length)"
)
# Limits no REST request can sit at or cross, with why (reported, never silently dropped).
# Keys are (message, field, keyword or keyword@kind); a key may hold "*" and other
# shell-style wildcards (a nested keyword: "*.properties.roleId.maxLength@at").
NOT_TESTABLE: dict[tuple[str, str, str], str] = {
    ("*", "imageId", "required"): "a path parameter: an empty one is another route",
    ("*", "imageId", "minLength"): "a path parameter: an empty one is another route",
    ("*", "resourceId", "required"): "a path parameter: an empty one is another route",
    ("*", "resourceId", "minLength"): "a path parameter: an empty one is another route",
    ("ListAccessBindingsRequest", "pageToken", "maxLength@at"): (
        "every token of that length the suite could make is forged, which the service rejects"
    ),
    ("*", "*", "maxItems@at"): (
        "1,000 distinct bindings need 1,000 subjects the target knows; the suite has one "
        "(--subject-id), and the same binding 1,000 times is no sensible request"
    ),
    ("*", "*", "*properties.roleId.m??Length@at"): _UNKNOWN.format(what="role"),
    ("*", "*", "*properties.subject.properties.id.m??Length@at"): _UNKNOWN.format(what="account"),
    ("*", "*", "*properties.subject.properties.type.m??Length@at"): (
        "access.proto names four subject types, none of this length; whether another type is "
        "refused is the service's choice"
    ),
    ("ListImagesRequest", "pageToken", "maxLength@at"): (
        "every token of that length the suite could make is forged, which the service rejects"
    ),
    ("ListImageOperationsRequest", "pageToken", "maxLength@at"): (
        "every token of that length the suite could make is forged, which the service rejects"
    ),
    ("ListImagesRequest", "filter", "maxLength@at"): (
        "the longest expression of the seed's grammar is far shorter than 1000 characters"
    ),
    ("ListImagesRequest", "orderBy", "maxLength@at"): (
        "a 100-character value is no column and direction the documentation names (it names "
        "createdAt and id), so whether one is accepted is the service's choice"
    ),
    ("CreateImageRequest", "folderId", "maxLength@at"): "it would create outside the folder",
    ("*", "*", "*required@at"): "every accepted request of the message sends it",
    ("*", "source", "oneof@at"): "every image the suite creates names exactly one source",
    ("CreateImageRequest", "folderId", "minLength@at"): "it would create outside the folder",
}


@dataclass(frozen=True)
class Case:
    """One request that sits at a limit (``kind="at"``) or just past it (``"past"``)."""

    constraint: Constraint
    kind: str
    label: str
    value: Any  # the field's value; for "required" past: absent
    absent: bool = False
    also: tuple[tuple[str, Any], ...] = ()  # other fields the case sets (the oneof)

    @property
    def id(self) -> str:
        return f"{self.constraint.rule}-{self.kind}-{self.label}"

    @property
    def method(self) -> str:
        return MESSAGES[self.constraint.message][0]


# --- reading the schema model ------------------------------------------------------------
@cache
def constraints(message: str) -> tuple[Constraint, ...]:
    """Every constraint of a request message with a limit to sit at, in schema order: the
    schema model's (:func:`pytest_yc_images.constraints`) without the JSON types."""
    return tuple(c for c in schema_constraints(message) if c.keyword.rsplit(".")[-1] != "type")


def _oneof(message: str, field: str) -> tuple[str, ...]:
    """The members of the oneof ``field`` belongs to (empty if none)."""
    groups = (c.limit for c in schema_constraints(message) if c.keyword == "oneof")
    return next((members for members in groups if field in members), ())


def _range(c: Constraint) -> tuple[int, int] | None:
    """The numeric range beside a pattern (the decimal-string form of an int64), if any."""
    below = c.keyword.rpartition(".")[0]
    limits = {x.keyword: x.limit for x in constraints(c.message) if x.field == c.field}
    low, high = (
        limits.get(f"{below}.minimum".lstrip(".")),
        limits.get(f"{below}.maximum".lstrip(".")),
    )
    return (low, high) if low is not None and high is not None else None


# --- values at and past each limit --------------------------------------------------------
def _string_cases(c: Constraint, run: RunIdentity, tag: str) -> list[Case]:
    keyword = c.keyword.rsplit(".", 1)[-1]
    name_like = c.field == "name"

    def text(length: int) -> str:
        if name_like:
            head = f"{run.prefix}{tag}"
            return head + "a" * max(0, length - len(head))
        return "a" * length

    cases: list[Case] = []
    if keyword == "maxLength":
        cases += [Case(c, "at", f"{c.limit}-chars", text(c.limit))]
        cases += [Case(c, "past", f"{c.limit + 1}-chars", text(c.limit + 1))]
    elif keyword == "minLength":
        cases += [Case(c, "at", f"{c.limit}-chars", "a" * c.limit)]
        if c.limit > 0:
            cases += [Case(c, "past", f"{c.limit - 1}-chars", "a" * (c.limit - 1))]
    elif keyword == "pattern":
        longest, bounded = longest_match(c.limit)
        if bounded:
            value = text(len(longest)) if re.search(c.limit, text(len(longest))) else longest
            cases += [Case(c, "at", f"longest-{len(value)}", value)]
            cases += [Case(c, "past", f"longer-{len(value) + 1}", value[:-1] + "a" + value[-1:])]
        else:
            cases += [Case(c, "at", "every-class-char", class_chars(c.limit, longest))]
        shortest = longest[:1] if longest else "a"
        for bad in ("A" + shortest[1:] + "aa", shortest + "aa!", "!", "\u00e9aa"):
            cases += [Case(c, "past", "bad-char", bad)]
    return cases


def _cases_for(c: Constraint, run: RunIdentity) -> list[Case]:
    tag = {"CreateImageRequest": "c", "UpdateImageRequest": "u"}.get(c.message, "x")
    parts = c.keyword.split(".")
    keyword = parts[-1]
    if c.keyword == "required":
        return [Case(c, "past", "absent", None, absent=True)]
    if parts[0] == "items":
        return _item_cases(c, run, tag)
    if keyword in ("minItems", "maxItems"):
        step = -1 if keyword == "minItems" else 1
        return [
            Case(c, kind, f"{n}-items", [_ITEMS[c.field]] * n)
            for kind, n in (("at", c.limit), ("past", c.limit + step))
            if n >= 0
        ]
    if c.keyword == "oneof":
        return [Case(c, "past", "two-sources", "", also=(("uri", "https://example.com/a.qcow2"),))]
    if parts[0] in ("propertyNames", "additionalProperties"):
        sub = Constraint(c.message, c.field, keyword, c.limit)
        out = []
        for case in _string_cases(sub, run, tag):
            key, value = (case.value, "v") if parts[0] == "propertyNames" else ("k", case.value)
            out.append(Case(c, case.kind, case.label, {key: value}))
        return out
    if parts[0] == "properties" and keyword == "enum":
        names = parts[1:-1:2]  # properties.a.properties.b.enum: {"a": {"b": value}}

        def nested(value: Any) -> Any:
            for name in reversed(names):
                value = {name: value}
            return value

        out = [Case(c, "at", str(v), nested(v)) for v in c.limit]
        return [*out, Case(c, "past", "not-a-member", nested("NOT_A_MEMBER"))]
    if keyword == "maxProperties":
        room = c.limit - len(run.labels)
        at = {f"k{i}": "v" for i in range(room)}
        past = {f"k{i}": "v" for i in range(room + 1)}
        return [Case(c, "at", f"{c.limit}-entries", at), Case(c, "past", f"{c.limit + 1}", past)]
    if keyword in ("minimum", "maximum"):
        step = -1 if keyword == "minimum" else 1
        return [
            Case(c, "at", str(c.limit), c.limit),
            Case(c, "past", str(c.limit + step), c.limit + step),
        ]
    if keyword == "pattern" and (bounds := _range(c)):  # the decimal-string form of an int64
        low, high = bounds
        return [Case(c, "at", f"string-{v}", str(v)) for v in (low, high)] + [
            Case(c, "past", f"string-{v}", str(v)) for v in (low - 1, high + 1)
        ]
    if keyword in ("maxLength", "minLength", "pattern"):
        return _string_cases(c, run, tag)
    return []


_ABSENT = object()


def _item_cases(c: Constraint, run: RunIdentity, tag: str) -> list[Case]:
    """Cases of a constraint inside a list's items (``items.properties.roleId.maxLength``):
    each value in place in a valid item, the list holding that one item."""
    steps = c.keyword.split(".")
    keyword = steps[-1]
    if keyword == "required":
        values = [("past", "absent", _ABSENT)]
    elif keyword == "enum":
        values = [("at", str(v), v) for v in c.limit] + [("past", "not-a-member", "NOT_A_MEMBER")]
    else:
        sub = Constraint(c.message, c.field, keyword, c.limit)
        values = [(x.kind, x.label, x.value) for x in _string_cases(sub, run, tag)]
    return [Case(c, kind, label, _placed([_ITEMS[c.field]], steps[:-1], value))
            for kind, label, value in values]  # fmt: skip


def _placed(node: Any, steps: list[str], value: Any) -> Any:
    """A copy of ``node`` with ``value`` where ``steps`` (items, properties.<name>) lead
    (``_ABSENT``: that property left out)."""
    if not steps:
        return value
    if steps[0] == "items":
        return [_placed(node[0], steps[1:], value)]
    name, rest = steps[1], steps[2:]
    inner = _placed(node.get(name), rest, value)
    out = {k: v for k, v in node.items() if k != name}
    return out if inner is _ABSENT else out | {name: inner}


def request_body(
    case: Case, run: RunIdentity, subject: dict[str, str] | None = None
) -> dict[str, Any]:
    """The request the case sends, as a JSON body (path fields included): the message's
    example with the case's value in place; ``subject`` takes the place of
    :data:`EXAMPLE_SUBJECT` (the contracts give the target's)."""
    body = _request_body(case, run)
    return body if subject is None else _swap(body, EXAMPLE_SUBJECT, subject)


def _swap(node: Any, old: Any, new: Any) -> Any:
    if node == old:
        return dict(new)
    if isinstance(node, dict):
        return {k: _swap(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap(v, old, new) for v in node]
    return node


def _request_body(case: Case, run: RunIdentity) -> dict[str, Any]:
    c = case.constraint
    body = _example(c.message, run)
    if case.absent:
        body.pop(c.field, None)
    elif c.field == "source":
        body.update(dict(case.also))
    else:
        if members := _oneof(c.message, c.field):
            body = {k: v for k, v in body.items() if k not in members or k == c.field}
        body[c.field] = case.value
        if c.field == "labels" and isinstance(case.value, dict):
            body[c.field] = {**case.value, **run.labels}
    return body


def _fits(case: Case, run: RunIdentity) -> bool:
    """At-cases must be valid requests; past-cases invalid at their field only."""
    c = case.constraint
    body = _request_body(case, run)
    errors = list(validator(c.message).iter_errors(body))
    if case.kind == "at":
        return not errors
    return bool(errors) and all(
        (list(e.absolute_path)[:1] == [c.field]) or (c.field in ("source",) or case.absent)
        for e in errors
    )


def _example(message: str, run: RunIdentity) -> dict[str, Any]:
    found = schema_constraints(message)
    body: dict[str, Any] = (
        {"imageId": "fd8example0000000000"}
        if Constraint(message, "imageId", "required", True) in found
        else {}
    )
    if any(c.field == "folderId" for c in found):
        body["folderId"] = "b1gexample00000000000"
    if message == "CreateImageRequest":
        body |= {"name": run.name("e"), "labels": dict(run.labels), "imageId": "fd8source"}
    if message == "UpdateImageRequest":
        body["updateMask"] = "description"
    if Constraint(message, "resourceId", "required", True) in found:
        body["resourceId"] = "fd8example0000000000"
    if message == "SetAccessBindingsRequest":
        body["accessBindings"] = [_BINDING]
    if message == "UpdateAccessBindingsRequest":
        body["accessBindingDeltas"] = [_ITEMS["accessBindingDeltas"]]
    return body


def skipped(c: Constraint, kind: str) -> str | None:
    """Why no case of ``kind`` exists for ``c`` (None: there should be one)."""
    keys = [(m, f, k) for m in (c.message, "*") for f in (c.field, "*")
            for k in (c.keyword, f"{c.keyword}@{kind}")]  # fmt: skip
    for key in keys:
        if key in NOT_TESTABLE:
            return NOT_TESTABLE[key]
    named = (c.message, c.field)
    for (message, field, keyword), why in NOT_TESTABLE.items():
        if all(fnmatchcase(n, p) for n, p in zip(named, (message, field), strict=True)) and any(
            fnmatchcase(k, keyword) for k in (c.keyword, f"{c.keyword}@{kind}")
        ):
            return why
    return None


def boundary_cases(run: RunIdentity) -> list[Case]:
    """Every boundary case of every request message, in a stable order."""
    out: list[Case] = []
    for message in MESSAGES:
        for c in constraints(message):
            seen: set[str] = set()
            for case in _cases_for(c, run):
                if skipped(c, case.kind) or case.id in seen or not _fits(case, run):
                    continue
                seen.add(case.id)
                out.append(case)
    return out
