"""Hypothesis strategies for the ImageService messages, compiled from ``contracts/schemas``.

:func:`from_schema` generates valid bodies of any message; the plural nouns are its everyday
faces. :func:`invalid_values` and :func:`invalid_requests` break one field at a time, and
:func:`constraints` lists what there is to break. The compiler knows exactly the keywords our
schemas use: any other raises :class:`NotImplementedError`, so no constraint is silently
ignored. Every strategy ends in a filter by the contract's validator (valid values are
guaranteed valid, invalid ones invalid), and generation is built so the filter rarely rejects.

Every strategy takes ``profile=`` (``"live"``, the default, or ``"seed"``) and generates
what that profile's schemas accept (``schema(name, profile=...)``): names with ``_`` and
the newer fields only in ``live``. The plugin's fixtures use the test fake's profile.

Shrinking, everywhere: toward fewer optional fields, shorter strings, smaller numbers, the
first ``enum`` member, and where the schema offers a choice (a ``oneOf``, the source oneof of
``CreateImageRequest``, an operation done or not) toward the first: ``imageId``, not done.
"""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ._contracts import DEFAULT_PROFILE, message_names, validator
from ._schema_model import Constraint, definition
from ._schema_model import message as _model
from ._schema_strategies import (
    _breakable,
    _breaking,
    _checker,
    _defined,
    _message,
    _only_at,
    _pinned,
    _regex,
    _sources,
)

__all__ = [
    "Constraint",
    "constraints",
    "create_image_requests",
    "families",
    "from_schema",
    "image_names",
    "images",
    "invalid_requests",
    "invalid_values",
    "labels",
    "list_images_requests",
    "operations",
    "update_image_requests",
]


def from_schema(name: str, *, profile: str = DEFAULT_PROFILE) -> SearchStrategy[dict[str, Any]]:
    """Valid bodies of message ``name`` (any of :func:`~pytest_yc_images.message_names`)
    in ``profile``.

    Required fields always, optional ones drawn or left out; strings follow their ``pattern``
    exactly (never with a trailing newline), numbers their range. Shrinks toward the required
    fields alone, each at its smallest (``{"folderId": "0"}``, an operation ``{"id": "0"}``).
    """
    return _message(name, "null", profile)


def images(*, profile: str = DEFAULT_PROFILE) -> SearchStrategy[dict[str, Any]]:
    """``Image`` response bodies, as the API returns them (fields at their default omitted)."""
    return from_schema("Image", profile=profile)


def operations(
    *, kind: str = "Operation", done: bool | None = None, profile: str = DEFAULT_PROFILE
) -> SearchStrategy[dict[str, Any]]:
    """Bodies of ``kind``: ``Operation`` or a typed one such as ``CreateImageOperation``.

    ``done=True``: finished (exactly one of ``error`` and ``response``); ``done=False``:
    running (``done`` absent or false, no ``response``); ``None``: both.
    """
    if not kind.endswith("Operation") or kind not in message_names(profile):
        raise ValueError(f"{kind!r} is not an operation message")
    if done is None:
        return from_schema(kind, profile=profile)
    extra = {"required": ["done"] if done else [], "properties": {"done": {"const": done}}}
    return _message(kind, json.dumps(extra), profile)


def create_image_requests(
    *, folder_id: str | None = None, source: str | None = None, profile: str = DEFAULT_PROFILE
) -> SearchStrategy[dict[str, Any]]:
    """Valid ``CreateImageRequest`` bodies; ``folder_id`` fixes ``folderId``.

    ``source`` names the source field to set (``imageId``, ``diskId``, ``snapshotId`` or
    ``uri``); by default one of them is drawn: a Create names exactly one source.
    """
    if source is not None and source not in _sources():
        raise ValueError(f"source must be one of {', '.join(_sources())}, not {source!r}")
    extra = _pinned(
        "CreateImageRequest",
        require=[source] if source else [],
        profile=profile,
        folderId=folder_id,
    )
    return _message("CreateImageRequest", extra, profile)


def update_image_requests(
    *, image_id: str | None = None, profile: str = DEFAULT_PROFILE
) -> SearchStrategy[dict[str, Any]]:
    """Valid ``UpdateImageRequest`` bodies; ``image_id`` fixes ``imageId``."""
    extra = _pinned("UpdateImageRequest", profile=profile, imageId=image_id)
    return _message("UpdateImageRequest", extra, profile)


def list_images_requests(
    *, folder_id: str | None = None, profile: str = DEFAULT_PROFILE
) -> SearchStrategy[dict[str, Any]]:
    """Valid ``ListImagesRequest`` bodies; ``folder_id`` fixes ``folderId``."""
    extra = _pinned("ListImagesRequest", profile=profile, folderId=folder_id)
    return _message("ListImagesRequest", extra, profile)


def _names(name: str, allow_empty: bool, profile: str) -> SearchStrategy[str]:
    pattern: str = definition(name, profile)["pattern"][0]
    if not allow_empty:  # "^(|X)$" -> "^(X)$": never generate the empty name, not even to filter
        pattern = re.sub(r"^\^\(\|(.*)\)\$$", r"^(\1)$", pattern)
    check = _defined(name, profile)[1]
    return _regex(pattern).filter(lambda s: check(s) and (allow_empty or s != ""))


def image_names(
    *, allow_empty: bool = False, profile: str = DEFAULT_PROFILE
) -> SearchStrategy[str]:
    """Image names of ``profile``: live ``|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?``, seed
    ``|[a-z]([-a-z0-9]{0,61}[a-z0-9])?``; non-empty unless ``allow_empty``. Shrinks toward
    ``"a"``."""
    return _names("imageName", allow_empty, profile)


def families(*, allow_empty: bool = False, profile: str = DEFAULT_PROFILE) -> SearchStrategy[str]:
    """Image families, fully matching ``|[a-z][-a-z0-9]{1,61}[a-z0-9]``; non-empty unless
    ``allow_empty``. Shrinks toward ``"a00"``."""
    return _names("family", allow_empty, profile)


def labels(*, profile: str = DEFAULT_PROFILE) -> SearchStrategy[dict[str, str]]:
    """Valid ``labels`` maps: a few entries whose keys and values follow their patterns.
    Shrinks toward ``{}``."""
    strategy, check = _defined("labels", profile)
    return strategy.filter(check)


# --- invalid values --------------------------------------------------------------------------


def constraints(message: str, *, profile: str = DEFAULT_PROFILE) -> list[Constraint]:
    """Every constraint of ``message`` :func:`invalid_values` can break: its required fields,
    then field by field (:func:`pytest_yc_images.constraints` without the oneofs, which no
    single field's value breaks)."""
    read = _model(message, profile)
    required = [c for c in read.constraints if c.keyword == "required"]
    return required + list(dict.fromkeys(s.constraint for s in read.sites if _breakable(s)))


def invalid_values(
    message: str, field: str, *, keyword: str | None = None, profile: str = DEFAULT_PROFILE
) -> SearchStrategy[Any]:
    """Values of the top-level ``field`` of ``message`` that its schema rejects.

    Each constraint of the field (:func:`constraints`) brings values that break it: past
    ``maxLength``, under ``minLength``, off ``pattern`` (a valid value plus a final newline
    among them), out of range, outside ``enum``, of a wrong JSON type, too many labels, a bad
    label key or value. ``keyword`` keeps those of one constraint. Shrinks toward the first
    constraint listed, usually a value of a wrong type.
    """
    model = _model(message, profile)
    node = model.field(field)
    sites = [s for s in model.sites if s.constraint.field == field and _breakable(s)]
    found = [_breaking(s) for s in sites if keyword in (None, s.constraint.keyword)]
    if not found:
        raise ValueError(f"{message}.{field} has no constraint {keyword or ''} to violate")
    check = _checker(node)
    return st.one_of(found).filter(lambda v: not check(v))


def invalid_requests(
    message: str, *, field: str | None = None, profile: str = DEFAULT_PROFILE
) -> SearchStrategy[tuple[str, dict[str, Any]]]:
    """Pairs ``(field, body)``: a ``message`` body valid except for the value of ``field``.

    The body is drawn valid with ``field`` present, then that value is replaced by one of
    :func:`invalid_values`: the body is invalid, valid again with a valid ``field``, and
    every validation error is at ``field`` (bodies where the bad value also trips a
    cross-field rule, such as an operation's ``done``, are filtered out). ``field`` picks the
    field; by default any constrained field may be broken, shrinking toward the first.
    """
    names = [c.field for c in constraints(message, profile=profile) if c.keyword != "required"]
    fields = [field] if field is not None else list(dict.fromkeys(names))
    cases = [
        st.tuples(
            st.just(name),
            _message(message, _pinned(message, require=[name], profile=profile), profile),
            invalid_values(message, name, profile=profile),
        ).map(lambda t: (t[0], {**t[1], t[0]: t[2]}))
        for name in fields
    ]
    return st.one_of(cases).filter(partial(_only_at, validator(message, profile)))
