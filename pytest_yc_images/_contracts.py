"""Load the contracts (JSON Schemas and the OpenAPI document) shipped with the package.

The schemas live in the repository's ``contracts/`` folder; the wheel carries them as
``pytest_yc_images/contracts``. Everything is read once and cached.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Container, Iterator, Mapping
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import yaml
from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILES",
    "SCHEMA_BASE",
    "check_profile",
    "contracts_path",
    "control_validator",
    "controls_document",
    "fast_check",
    "inline",
    "inlined",
    "message_names",
    "openapi_document",
    "registry",
    "schema",
    "state_schema",
    "state_validator",
    "validator",
]

SCHEMA_BASE = "https://pytest-yc-images.invalid/schemas/"

# The API profiles: ``live`` (today's service, the default everywhere) and ``seed`` (the
# seed's text exactly). ``schemas/`` holds the live messages; ``schemas/seed/`` holds,
# for each message the seed documents differently, a JSON merge patch (RFC 7396) of the
# live file (a key set to null is removed), so where the profiles agree there is one file.
# In ``openapi.yaml`` a path, operation, parameter or property marked ``x-yc-profile:
# live`` exists in the live profile only.
PROFILES = ("live", "seed")
DEFAULT_PROFILE = "live"


def check_profile(profile: str) -> str:
    """``profile`` if it is one of :data:`PROFILES`; a ValueError listing them if not."""
    if profile not in PROFILES:
        raise ValueError(f"unknown API profile {profile!r}; choose one of: {', '.join(PROFILES)}")
    return profile


def merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with the JSON merge patch ``patch`` applied (RFC 7396), as a new value."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _root() -> Traversable:
    packaged = resources.files("pytest_yc_images") / "contracts"
    if packaged.is_dir():
        return packaged
    # An editable install or a checkout: the contracts stand beside the package.
    return Path(__file__).resolve().parent.parent / "contracts"


def contracts_path() -> Path:
    """The folder of the contracts: ``schemas/``, ``openapi.yaml``, ``controls.yaml`` and
    the conformance suite (``conformance/``), in the wheel or in a checkout."""
    return Path(str(_root()))


def _read_folder(folder: Traversable) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            out[entry.name.removesuffix(".json")] = json.loads(entry.read_text("utf-8"))
    return out


@cache
def _schemas(profile: str = DEFAULT_PROFILE) -> dict[str, dict[str, Any]]:
    live = _read_folder(_root() / "schemas")
    if check_profile(profile) == "live":
        return live
    patches = _read_folder(_root() / "schemas" / profile)
    unknown = sorted(set(patches) - set(live))
    if unknown:
        raise LookupError(f"schemas/{profile}/ patches messages that do not exist: {unknown}")
    return {name: merge_patch(doc, patches[name]) if name in patches else doc
            for name, doc in live.items()}  # fmt: skip


def message_names(profile: str = DEFAULT_PROFILE) -> list[str]:
    """Names of every message schema (``Image``, ``CreateImageRequest``, ...), sorted."""
    return sorted(name for name in _schemas(profile) if name != "common")


def schema(name: str, profile: str = DEFAULT_PROFILE) -> dict[str, Any]:
    """The JSON Schema of message ``name`` in ``profile`` (a deep copy: callers may change
    it)."""
    try:
        return copy.deepcopy(_schemas(profile)[name])
    except KeyError:
        raise KeyError(
            f"no schema named {name!r}; known: {', '.join(message_names(profile))}"
        ) from None


@cache
def registry(profile: str = DEFAULT_PROFILE) -> Registry[Any]:
    """A ``referencing`` registry holding every schema of ``profile`` under its ``$id``."""
    resources_ = [
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012))
        for doc in _schemas(profile).values()
    ]
    return Registry().with_resources(resources_)


@cache
def _checking_registry(profile: str = DEFAULT_PROFILE) -> Registry[Any]:
    """The schemas as :func:`validator` follows them: without ``$schema``. Below a
    ``$ref`` into another message's file, jsonschema picks the validator class by that
    file's ``$schema`` and would drop the ECMA ``pattern`` rule below; without it, the
    referring validator's class carries on."""
    resources_ = [
        (
            doc["$id"],
            Resource.from_contents(
                {k: v for k, v in doc.items() if k != "$schema"},
                default_specification=DRAFT202012,
            ),
        )
        for doc in _schemas(profile).values()
    ]
    return Registry().with_resources(resources_)


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262: '$' matches only at the very end. In Python it
    # also matches before a final newline, which would let "name\n" through.
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator: Any = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern}
)


@cache
def validator(name: str, profile: str = DEFAULT_PROFILE) -> Draft202012Validator:
    """A ready validator for message ``name`` in ``profile``; every ``$ref`` resolves
    through :func:`registry`."""
    found = _schemas(profile)
    doc = found[name] if name in found else schema(name, profile)
    checker: Draft202012Validator = _Validator(doc, registry=_checking_registry(profile))
    return checker


@cache
def _openapi_raw() -> dict[str, Any]:
    # libyaml's loader where PyYAML has it: the route table reads this at import.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: dict[str, Any] = yaml.load((_root() / "openapi.yaml").read_text("utf-8"), loader)
    return loaded


def openapi_document(*, profile: str = DEFAULT_PROFILE, bundled: bool = False) -> dict[str, Any]:
    """The OpenAPI document of the REST face in ``profile``, as a dict (a deep copy).

    As written, its schemas ``$ref`` the files under ``schemas/``. With ``bundled=True``
    every message schema of the profile is copied under ``components/schemas`` and each
    ``$ref`` points there, for tools that cannot follow references to other files.
    """
    doc = _for_profile(_openapi_raw(), check_profile(profile))
    if bundled:
        doc = _bundle(doc, profile)
    return doc  # type: ignore[no-any-return]


def _for_profile(node: Any, profile: str) -> Any:
    """A copy of ``node`` without what ``x-yc-profile`` reserves for another profile."""

    def kept(value: Any) -> bool:
        wanted = value.get("x-yc-profile") if isinstance(value, dict) else None
        return wanted is None or wanted == profile

    if isinstance(node, dict):
        return {key: _for_profile(value, profile) for key, value in node.items() if kept(value)}
    if isinstance(node, list):
        return [_for_profile(item, profile) for item in node if kept(item)]
    return node


CONTROLS_BASE = "https://pytest-yc-images.invalid/controls.yaml"


@cache
def _controls_raw() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((_root() / "controls.yaml").read_text("utf-8"))
    return loaded


def controls_document() -> dict[str, Any]:
    """The OpenAPI document of the fake's ``/_fake/`` test controls, as a dict (a deep
    copy). Each operation's ``x-yc-control`` names the control it runs; its schemas
    ``$ref`` the files under ``schemas/``, as :func:`openapi_document`'s do."""
    return copy.deepcopy(_controls_raw())


@cache
def control_validator(name: str) -> Draft202012Validator:
    """A ready validator for ``components/schemas/<name>`` of :func:`controls_document`."""
    resource = Resource.from_contents(_controls_raw(), default_specification=DRAFT202012)
    controls = _checking_registry().with_resource(CONTROLS_BASE, resource)
    ref = {"$ref": f"{CONTROLS_BASE}#/components/schemas/{name}"}
    checker: Draft202012Validator = _Validator(ref, registry=controls)
    return checker


STATE_SCHEMA_ID = "https://pytest-yc-images.invalid/state.schema.json"


@cache
def _state_raw() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((_root() / "state.schema.json").read_text("utf-8"))
    return loaded


def state_schema() -> dict[str, Any]:
    """The JSON Schema of the state file (``state.schema.json``), a deep copy."""
    return copy.deepcopy(_state_raw())


@cache
def state_validator() -> Draft202012Validator:
    """A ready validator for the state file (``state.schema.json``): its images, disks
    and snapshots ``$ref`` the bodies of :func:`controls_document`."""
    controls = Resource.from_contents(_controls_raw(), default_specification=DRAFT202012)
    state = Resource.from_contents(_state_raw(), default_specification=DRAFT202012)
    found = _checking_registry().with_resources(
        [(CONTROLS_BASE, controls), (STATE_SCHEMA_ID, state)]
    )
    checker: Draft202012Validator = _Validator(_state_raw(), registry=found)
    return checker


_FILE_REF = re.compile(r"^(?:\./)?(?:schemas/)?([A-Za-z]+)\.json(#.*)?$")


def _bundle(doc: dict[str, Any], profile: str) -> dict[str, Any]:
    components = doc.setdefault("components", {}).setdefault("schemas", {})

    def local(ref: str) -> str:
        match = _FILE_REF.match(ref)
        if not match:
            return ref
        name, fragment = match.group(1), (match.group(2) or "#")[1:]
        return f"#/components/schemas/{name}{fragment}"

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key in ("$id", "$schema"):
                    continue
                out[key] = (
                    local(value) if key == "$ref" and isinstance(value, str) else rewrite(value)
                )
            return out
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    for name, body in _schemas(profile).items():
        components[name] = rewrite(body)
    return rewrite(doc)  # type: ignore[no-any-return]


# Keywords of 2020-12 that hold one subschema, a list of them, or a name -> subschema map.
SUBSCHEMA = frozenset(
    {"additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else"}
)
SUBSCHEMAS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
NAMED_SUBSCHEMAS = frozenset({"properties", "patternProperties", "dependentSchemas"})
_DROPPED = frozenset({"$ref", "$id", "$defs"})


def inline(
    node: Any,
    base: str,
    *,
    known: Container[str] | None = None,
    where: str = "#",
    profile: str = DEFAULT_PROFILE,
) -> Any:
    """``node`` with every ``$ref`` replaced by what it points to, resolved against ``base``
    (our schemas have no cycles), so a validator needs no registry.

    A ``$ref`` with siblings becomes ``{"allOf": [target, siblings]}``; ``$id`` and ``$defs``
    go. With ``known``, a keyword outside it raises :class:`NotImplementedError` naming the
    keyword and where it is, so a reader of the schemas never ignores one silently.
    """
    if not isinstance(node, dict):
        return node
    base = urljoin(base, node.get("$id", ""))
    out: dict[str, Any] = {}
    for key, value in node.items():
        at = f"{where}/{key}"
        if known is not None and key not in known and key not in _DROPPED:
            raise NotImplementedError(
                f"the schema model cannot read JSON Schema keyword {key!r} (at {at}); "
                "teach pytest_yc_images/_schema_model.py the constraint first"
            )
        if key in SUBSCHEMA:
            out[key] = inline(value, base, known=known, where=at, profile=profile)
        elif key in SUBSCHEMAS:
            out[key] = [
                inline(sub, base, known=known, where=f"{at}/{i}", profile=profile)
                for i, sub in enumerate(value)
            ]
        elif key in NAMED_SUBSCHEMAS:
            out[key] = {
                name: inline(sub, base, known=known, where=f"{at}/{name}", profile=profile)
                for name, sub in value.items()
            }
        elif key not in _DROPPED:
            out[key] = value
    if "$ref" not in node:
        return out
    target = urljoin(base, node["$ref"])
    contents = registry(profile).resolver(base_uri=base).lookup(node["$ref"]).contents
    resolved = inline(contents, urldefrag(target).url, known=known, where=target, profile=profile)
    return {"allOf": [resolved, out]} if out else resolved


@cache
def inlined(name: str, profile: str = DEFAULT_PROFILE) -> dict[str, Any]:
    """The schema of message ``name`` in ``profile`` with every ``$ref`` inlined (cached:
    do not change it)."""
    doc = _schemas(profile)[name]
    out: dict[str, Any] = inline(doc, doc["$id"], where=doc["$id"] + "#", profile=profile)
    return out


@cache
def fast_check(name: str, profile: str = DEFAULT_PROFILE) -> Any:
    """A quick yes/no check of message ``name`` (jsonschema-rs on the inlined schema), or
    None where jsonschema-rs is not installed. It never decides alone that a message is
    invalid: callers ask :func:`validator` for the errors, which also settles any doubt."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - it is a dependency, but an optional speed-up
        return None
    return jsonschema_rs.Draft202012Validator(inlined(name, profile)).is_valid
