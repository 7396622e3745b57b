"""The JSON Schemas under contracts/schemas: well formed, wired together, and exact at every limit.

The constraint tables put a value at each documented limit beside the value just past it, so
deleting or loosening any keyword of a schema makes a row fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pytest_yc_images import message_names, registry, schema, validator

SCHEMA_BASE = "https://pytest-yc-images.invalid/schemas/"
ALL_SCHEMAS = [*message_names(), "common"]

# ---------------------------------------------------------------------------------------------
# Well-formedness


def test_the_messages_are_the_documented_ones() -> None:
    assert message_names() == sorted(
        [
            "AccessBinding",
            "AccessBindingDelta",
            "AccessBindingsOperationResult",
            "BadRequest",
            "CancelOperationRequest",
            "CreateImageMetadata",
            "CreateImageOperation",
            "CreateImageRequest",
            "DeleteImageMetadata",
            "DeleteImageOperation",
            "DeleteImageRequest",
            "GetImageLatestByFamilyRequest",
            "GetImageRequest",
            "GetOperationRequest",
            "HardwareGeneration",
            "Image",
            "KMSKey",
            "ListAccessBindingsRequest",
            "ListAccessBindingsResponse",
            "ListImageOperationsRequest",
            "ListImageOperationsResponse",
            "ListImagesRequest",
            "ListImagesResponse",
            "Operation",
            "Os",
            "RequestInfo",
            "SetAccessBindingsMetadata",
            "SetAccessBindingsOperation",
            "SetAccessBindingsRequest",
            "Status",
            "Subject",
            "UpdateAccessBindingsMetadata",
            "UpdateAccessBindingsOperation",
            "UpdateAccessBindingsRequest",
            "UpdateImageMetadata",
            "UpdateImageOperation",
            "UpdateImageRequest",
        ]
    )


@pytest.mark.parametrize("name", ALL_SCHEMAS)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    doc = schema(name)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("name", ALL_SCHEMAS)
def test_schema_id_matches_file_name(name: str) -> None:
    assert schema(name)["$id"] == f"{SCHEMA_BASE}{name}.json"


# Keywords of 2020-12 that hold one subschema, a list of them, or a name -> subschema map.
_ONE = {"items", "not", "if", "then", "else", "additionalProperties", "propertyNames", "contains"}
_MANY = {"allOf", "anyOf", "oneOf", "prefixItems"}
_MAP = {"properties", "$defs", "patternProperties", "dependentSchemas"}
_OTHER = {
    "$schema", "$id", "$ref", "$comment", "title", "description", "type", "enum", "const",
    "required", "minLength", "maxLength", "pattern", "minimum", "maximum", "minItems",
    "maxItems", "minProperties", "maxProperties", "format", "default", "examples",
}  # fmt: skip


def _subschemas(node: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside ``node`` (``node`` included), with a JSON pointer to it."""
    yield where, node
    for key, value in node.items():
        if key in _ONE and isinstance(value, dict):
            yield from _subschemas(value, f"{where}/{key}")
        elif key in _MANY:
            for index, item in enumerate(value):
                yield from _subschemas(item, f"{where}/{key}/{index}")
        elif key in _MAP:
            for name, item in value.items():
                yield from _subschemas(item, f"{where}/{key}/{name}")


@pytest.mark.parametrize("name", ALL_SCHEMAS)
def test_schema_uses_only_known_keywords(name: str) -> None:
    # A misspelt keyword ("maxlength") is silently ignored by validators: catch it here.
    unknown = {
        f"{where}/{key}"
        for where, node in _subschemas(schema(name), "#")
        for key in node
        if key not in _ONE | _MANY | _MAP | _OTHER
    }
    assert not unknown


@pytest.mark.parametrize("name", ALL_SCHEMAS)
def test_every_ref_resolves_through_the_registry(name: str) -> None:
    doc = schema(name)
    resolver = registry().resolver(base_uri=doc["$id"])
    refs = [node["$ref"] for _, node in _subschemas(doc, "#") if "$ref" in node]
    for ref in refs:
        assert not ref.startswith(("http:", "https:", "/")), f"{ref} should be relative"
        resolved = resolver.lookup(ref).contents
        assert isinstance(resolved, dict), ref


# ---------------------------------------------------------------------------------------------
# Constraint pairs: a minimal valid request per message, then one field set per row.

BASES: dict[str, dict[str, Any]] = {
    "GetImageRequest": {"imageId": "fd8abcdefghijklmnopq"},
    "GetImageLatestByFamilyRequest": {"folderId": "standard-images"},
    "ListImagesRequest": {"folderId": "b1gabcdefghijklmnopq"},
    "CreateImageRequest": {
        "folderId": "b1gabcdefghijklmnopq",
        "uri": "https://storage.example/a.qcow2",
    },
    "UpdateImageRequest": {"imageId": "fd8abcdefghijklmnopq"},
    "DeleteImageRequest": {"imageId": "fd8abcdefghijklmnopq"},
    "ListImageOperationsRequest": {"imageId": "fd8abcdefghijklmnopq"},
    "GetOperationRequest": {"operationId": "fd8operationidabcdef"},
    "CancelOperationRequest": {"operationId": "fd8operationidabcdef"},
}

MISSING = object()  # a row value meaning "remove the field"
SOURCES = ("imageId", "diskId", "snapshotId", "uri")

Row = tuple[str, str, Any, bool]  # message, dotted field path, value, valid


def _with(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    doc = {**base}
    *parents, leaf = path.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
    if value is MISSING:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return doc


def _labels(count: int) -> dict[str, str]:
    return {f"k{index}": "v" for index in range(count)}


def _rows() -> Iterator[pytest.ParameterSet]:
    def row(message: str, path: str, value: Any, valid: bool, label: str) -> pytest.ParameterSet:
        verdict = "ok" if valid else "bad"
        return pytest.param(message, path, value, valid, id=f"{message}.{path}:{label}->{verdict}")

    for message in ("CreateImageRequest", "UpdateImageRequest"):
        yield row(message, "name", "a" * 63, True, "63 chars")
        yield row(message, "name", "a" * 64, False, "64 chars")
        yield row(message, "name", "a", True, "1 char")
        yield row(message, "name", "my-image-1", True, "hyphen and digit inside")
        yield row(message, "name", "1abc", False, "leading digit")
        yield row(message, "name", "-abc", False, "leading hyphen")
        yield row(message, "name", "abc-", False, "trailing hyphen")
        yield row(message, "name", "Abc", False, "uppercase")
        yield row(message, "name", "a_b", True, "underscore (live)")
        yield row(message, "name", "a_", False, "trailing underscore")
        yield row(message, "name", "_a", False, "leading underscore")
        yield row(message, "name", "", True, "empty")
        yield row(message, "name", "abc\n", False, "trailing newline")
        yield row(message, "description", "d" * 256, True, "256 chars")
        yield row(message, "description", "d" * 257, False, "257 chars")
        yield row(message, "labels", _labels(64), True, "64 entries")
        yield row(message, "labels", _labels(65), False, "65 entries")
        yield row(message, "labels", {"k" * 63: "v"}, True, "key 63 chars")
        yield row(message, "labels", {"k" * 64: "v"}, False, "key 64 chars")
        yield row(message, "labels", {"": "v"}, False, "empty key")
        yield row(message, "labels", {"1k": "v"}, False, "key starts with a digit")
        yield row(message, "labels", {"-k": "v"}, False, "key starts with a hyphen")
        yield row(message, "labels", {"k-_./@09": "v"}, True, "key charset")
        yield row(message, "labels", {"kA": "v"}, False, "uppercase in key")
        yield row(message, "labels", {"k\n": "v"}, False, "key trailing newline")
        yield row(message, "labels", {"k": "v" * 63}, True, "value 63 chars")
        yield row(message, "labels", {"k": "v" * 64}, False, "value 64 chars")
        yield row(message, "labels", {"k": ""}, True, "empty value")
        yield row(message, "labels", {"k": "az09-_./@"}, True, "value charset")
        yield row(message, "labels", {"k": "V"}, False, "uppercase in value")
        yield row(message, "labels", {"k": "a\\b"}, False, "backslash in value")
        yield row(message, "labels", {"k": "a b"}, False, "space in value")
        yield row(message, "labels", {"k": "v\n"}, False, "value trailing newline")
        yield row(message, "labels", {"k": 1}, False, "value not a string")
        for kind, convert in (("int", int), ("str", str)):
            yield row(message, "minDiskSize", convert(4194304), True, f"4 MiB {kind}")
            yield row(message, "minDiskSize", convert(4194303), False, f"4 MiB - 1 {kind}")
            yield row(message, "minDiskSize", convert(4398046511104), True, f"4 TiB {kind}")
            yield row(message, "minDiskSize", convert(4398046511105), False, f"4 TiB + 1 {kind}")
            yield row(message, "minDiskSize", convert(0), False, f"zero {kind}")
            yield row(message, "minDiskSize", convert(-4194304), False, f"negative {kind}")
        yield row(message, "minDiskSize", "4194304.0", False, "decimal point str")
        yield row(message, "minDiskSize", "4194304\n", False, "trailing newline str")

    for message in ("CreateImageRequest", "GetImageLatestByFamilyRequest"):
        yield row(message, "family", "abc", True, "3 chars")
        yield row(message, "family", "ab", False, "2 chars")
        yield row(message, "family", "a" * 63, True, "63 chars")
        yield row(message, "family", "a" * 64, False, "64 chars")
        yield row(message, "family", "", True, "empty")
        yield row(message, "family", "ubuntu-2204-lts", True, "ubuntu-2204-lts")
        yield row(message, "family", "1abc", False, "leading digit")
        yield row(message, "family", "abc-", False, "trailing hyphen")
        yield row(message, "family", "aBc", False, "uppercase")
        yield row(message, "family", "abc\n", False, "trailing newline")

    for message in ("ListImagesRequest", "ListImageOperationsRequest"):
        for kind, convert in (("int", int), ("str", str)):
            yield row(message, "pageSize", convert(0), True, f"0 {kind}")
            yield row(message, "pageSize", convert(1000), True, f"1000 {kind}")
            yield row(message, "pageSize", convert(1001), False, f"1001 {kind}")
            yield row(message, "pageSize", convert(-1), False, f"-1 {kind}")
        yield row(message, "pageSize", 1.5, False, "fraction")
        yield row(message, "pageSize", "", False, "empty str")
        yield row(message, "pageToken", "t" * 100, True, "100 chars")
        yield row(message, "pageToken", "t" * 101, False, "101 chars")

    yield row("ListImagesRequest", "filter", "f" * 1000, True, "1000 chars")
    yield row("ListImagesRequest", "filter", "f" * 1001, False, "1001 chars")
    yield row("ListImagesRequest", "filter", 'name="my-image"', True, "the seed's form")

    ids = [
        ("CreateImageRequest", "folderId"),
        ("ListImagesRequest", "folderId"),
        ("GetImageLatestByFamilyRequest", "folderId"),
        ("GetImageRequest", "imageId"),
        ("UpdateImageRequest", "imageId"),
        ("DeleteImageRequest", "imageId"),
        ("ListImageOperationsRequest", "imageId"),
        ("CreateImageRequest", "imageId"),
        ("CreateImageRequest", "diskId"),
        ("CreateImageRequest", "snapshotId"),
    ]
    for message, field in ids:
        yield row(message, field, "i" * 50, True, "50 chars")
        yield row(message, field, "i" * 51, False, "51 chars")

    required = [
        ("GetImageRequest", "imageId"),
        ("UpdateImageRequest", "imageId"),
        ("DeleteImageRequest", "imageId"),
        ("ListImageOperationsRequest", "imageId"),
        ("ListImagesRequest", "folderId"),
        ("CreateImageRequest", "folderId"),
        ("GetImageLatestByFamilyRequest", "folderId"),
        ("GetOperationRequest", "operationId"),
        ("CancelOperationRequest", "operationId"),
    ]
    for message, field in required:
        yield row(message, field, MISSING, False, "missing")
        yield row(message, field, "", False, "empty")
        yield row(message, field, "x", True, "1 char")
        yield row(message, field, None, False, "null")

    yield row("CreateImageRequest", "productIds", ["p" * 50], True, "item 50 chars")
    yield row("CreateImageRequest", "productIds", ["p", "p" * 51], False, "item 51 chars")
    yield row("CreateImageRequest", "productIds", [], True, "empty list")
    yield row("CreateImageRequest", "productIds", "p", False, "a string, not a list")
    yield row("CreateImageRequest", "productIds", [1], False, "item not a string")

    sources = {
        "imageId": "fd8sourceimageabcdef",
        "diskId": "epdsourcediskabcdefg",
        "snapshotId": "fd8sourcesnapshotabc",
        "uri": "https://storage.yandexcloud.net/bucket/image.qcow2",
    }
    for source, value in sources.items():
        yield row("CreateImageRequest", source, value, True, "one source")
    names = list(sources)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            both = {first: sources[first], second: sources[second]}
            message = "CreateImageRequest"
            yield pytest.param(
                message, "", both, False, id=f"{message}.source:{first}+{second}->bad"
            )

    yield row("CreateImageRequest", "uri", MISSING, False, "no source at all")
    generations = [
        ({"generation2Features": {}}, True, "gen2"),
        ({"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V1"}}, True, "v1"),
        ({"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V2"}}, True, "v2"),
        ({"legacyFeatures": {}}, True, "legacy without topology"),
        ({}, True, "no features"),
        ({"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V3"}}, False, "unknown topology"),
        ({"legacyFeatures": {}, "generation2Features": {}}, False, "both features"),
        ({"generation2Features": {"uefi": True}}, False, "gen2 takes no fields"),
        ("gen2", False, "a string"),
    ]
    for value, valid, why in generations:
        yield row("CreateImageRequest", "hardwareGeneration", value, valid, why)
    yield row("CreateImageRequest", "os.nvidia", {"driver": "535"}, True, "nvidia driver")
    yield row("CreateImageRequest", "os.type", "LINUX", True, "LINUX")
    yield row("CreateImageRequest", "os.type", "WINDOWS", True, "WINDOWS")
    yield row("CreateImageRequest", "os.type", "MACOS", False, "MACOS")
    yield row("CreateImageRequest", "os.type", "linux", False, "lowercase")
    yield row("CreateImageRequest", "pooled", True, True, "true")
    yield row("CreateImageRequest", "pooled", "true", False, "a string")

    for mask, valid in [
        ("name,labels", True),
        ("name,description,minDiskSize,labels", True),
        ("description", True),
        ("", True),
        ("family", False),
        ("status", False),
        ("nosuch", False),
        ("name,", False),
        (",name", False),
        ("name, labels", False),
        ("name\n", False),
    ]:
        yield row("UpdateImageRequest", "updateMask", mask, valid, repr(mask))

    not_strings = [
        ("CreateImageRequest", "name"),
        ("CreateImageRequest", "description"),
        ("CreateImageRequest", "family"),
        ("CreateImageRequest", "folderId"),
        ("CreateImageRequest", "imageId"),
        ("CreateImageRequest", "diskId"),
        ("CreateImageRequest", "snapshotId"),
        ("CreateImageRequest", "uri"),
        ("UpdateImageRequest", "name"),
        ("UpdateImageRequest", "description"),
        ("UpdateImageRequest", "updateMask"),
        ("ListImagesRequest", "pageToken"),
        ("ListImagesRequest", "filter"),
        ("ListImageOperationsRequest", "pageToken"),
    ]
    for message, field in not_strings:
        yield row(message, field, ["x"], False, "not a string")
    yield row("CreateImageRequest", "labels", ["k"], False, "a list, not a map")
    yield row("UpdateImageRequest", "labels", ["k"], False, "a list, not a map")

    for message in BASES:
        yield row(message, "nosuch", 1, False, "unknown field")
    yield row("UpdateImageRequest", "family", "abc", False, "family is not updatable")
    yield row("CreateImageRequest", "status", "READY", False, "output-only field")


@pytest.mark.parametrize(("message", "path", "value", "valid"), list(_rows()))
def test_constraint(message: str, path: str, value: Any, valid: bool) -> None:
    base = BASES[message]
    given = {path} | (set(value) if isinstance(value, dict) else set())
    if message == "CreateImageRequest" and given & set(SOURCES):
        base = {k: v for k, v in base.items() if k not in SOURCES}  # the row sets the source
    doc = {**base, **value} if path == "" else _with(base, path, value)
    errors = [error.message for error in validator(message).iter_errors(doc)]
    assert (not errors) is valid, errors or f"{doc!r} should be invalid"


@pytest.mark.parametrize("message", ["CreateImageRequest", "UpdateImageRequest"])
@pytest.mark.parametrize(("name", "live", "seed"), [("a_b", True, False), ("my-image", True, True),
                                                     ("a_", False, False)])  # fmt: skip
def test_names_with_underscores_are_live_only(
    message: str, name: str, live: bool, seed: bool
) -> None:
    """The live proto's pattern is |[a-z]([-_a-z0-9]{0,61}[a-z0-9])?, the seed's has no _."""
    doc = {**BASES[message], "name": name}
    assert validator(message, "live").is_valid(doc) is live
    assert validator(message, "seed").is_valid(doc) is seed


@pytest.mark.parametrize(
    "extra",
    [{"hardwareGeneration": {"generation2Features": {}}}, {"os": {"nvidia": {"driver": "535"}}}],
    ids=["hardwareGeneration", "os.nvidia"],
)
def test_the_newer_create_fields_are_live_only(extra: dict[str, Any]) -> None:
    """live/image_service.proto and live/image.proto have them; the seed's messages do not."""
    doc = {**BASES["CreateImageRequest"], **extra}
    assert validator("CreateImageRequest", "live").is_valid(doc)
    assert not validator("CreateImageRequest", "seed").is_valid(doc)


def test_the_seed_image_schema_documents_none_of_the_newer_fields() -> None:
    newer = {"size", "hardwareGeneration", "kmsKey"}
    assert newer <= set(schema("Image", "live")["properties"])
    assert not newer & set(schema("Image", "seed")["properties"])
    assert "nvidia" in schema("Os", "live")["properties"]
    assert "nvidia" not in schema("Os", "seed")["properties"]


@pytest.mark.parametrize("message", sorted(BASES))
def test_minimal_base_request_is_valid(message: str) -> None:
    validator(message).validate(BASES[message])


# The decimal-string forms of int64 fields carry their range as a regular expression; it must
# accept exactly the decimal spellings of the integers the numeric form accepts.


def _interesting(low: int, high: int) -> list[int]:
    edges = {low, high, 0, 1}
    for digits in range(1, len(str(high)) + 2):
        edges |= {10**digits - 1, 10**digits, 10 ** (digits - 1) * 4}
    for value in (low, high):
        text = str(value)
        for place in range(len(text)):
            for digit in "0123456789":
                edges.add(int(text[:place] + digit + text[place + 1 :]))
    return sorted(edge + delta for edge in edges for delta in (-1, 0, 1) if edge + delta >= 0)


@pytest.mark.parametrize(
    ("message", "field", "low", "high"),
    [
        pytest.param("CreateImageRequest", "minDiskSize", 4194304, 4398046511104, id="minDiskSize"),
        pytest.param("ListImagesRequest", "pageSize", 0, 1000, id="pageSize"),
    ],
)
def test_int64_string_form_matches_the_number_range(
    message: str, field: str, low: int, high: int
) -> None:
    check = validator(message)
    wrong = [
        value
        for value in _interesting(low, high)
        if check.is_valid({**BASES[message], field: str(value)}) != (low <= value <= high)
        or check.is_valid({**BASES[message], field: value}) != (low <= value <= high)
    ]
    assert not wrong
