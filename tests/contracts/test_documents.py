"""Response documents as the live service sends them, and near misses, against the schemas."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images import validator

ANY = "type.googleapis.com/"
CREATED_AT = "2024-05-06T10:11:12.345Z"

# An image as Get answers: fields at their default (description, labels, pooled) left out.
IMAGE: dict[str, Any] = {
    "id": "fd8abcdefghijklmnopq",
    "folderId": "standard-images",
    "createdAt": CREATED_AT,
    "name": "ubuntu-22-04-lts-v20240506",
    "family": "ubuntu-2204-lts",
    "storageSize": "8589934592",
    "minDiskSize": "8589934592",
    "productIds": ["f2eabcdefghijklmnopq"],
    "status": "READY",
    "os": {"type": "LINUX"},
}

# The live service has grown fields the seed lacks; the contract lets them through.
NEWER_IMAGE: dict[str, Any] = {
    **IMAGE,
    "size": "3221225472",
    "hardwareGeneration": {"legacyFeatures": {"pciTopology": "PCI_TOPOLOGY_V2"}},
    "kmsKey": {"keyId": "abjabcdefghijklmnopq", "versionId": "abjversionabcdefghij"},
    "os": {"type": "LINUX", "nvidia": {"driverVersion": "535"}},
}

BAD_REQUEST: dict[str, Any] = {
    "@type": f"{ANY}google.rpc.BadRequest",
    "fieldViolations": [{"field": "name", "description": "name is invalid"}],
}
REQUEST_INFO: dict[str, Any] = {"@type": f"{ANY}google.rpc.RequestInfo", "requestId": "r-1"}
ERROR: dict[str, Any] = {
    "code": 3,
    "message": "Illegal argument name",
    "details": [BAD_REQUEST, REQUEST_INFO],
}


def _operation(kind: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "fd8operationidabcdef",
        "description": f"{kind} image",
        "createdAt": CREATED_AT,
        "createdBy": "ajeabcdefghijklmnopq",
        "modifiedAt": CREATED_AT,
        "metadata": {
            "@type": f"{ANY}yandex.cloud.compute.v1.{kind}ImageMetadata",
            "imageId": IMAGE["id"],
        },
    }
    return {**base, **fields}


IMAGE_ANY = {"@type": f"{ANY}yandex.cloud.compute.v1.Image", **IMAGE}
EMPTY_ANY = {"@type": f"{ANY}google.protobuf.Empty"}


def _without(doc: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if key not in keys}


def case(message: str, doc: Any, valid: bool, label: str) -> pytest.ParameterSet:
    return pytest.param(message, doc, valid, id=f"{message}:{label}->{'ok' if valid else 'bad'}")


CASES = [
    case("Image", IMAGE, True, "defaults omitted"),
    case("Image", NEWER_IMAGE, True, "unknown newer fields"),
    case(
        "Image",
        {**IMAGE, "description": "d", "labels": {"k": "v"}, "pooled": True},
        True,
        "all set",
    ),
    case("Image", {**IMAGE, "status": "CREATING"}, True, "creating"),
    case("Image", {**IMAGE, "storageSize": 8589934592}, False, "int64 as a JSON number"),
    case("Image", {**IMAGE, "minDiskSize": 8589934592}, False, "minDiskSize as a JSON number"),
    case("Image", {**IMAGE, "storageSize": "8e9"}, False, "int64 with an exponent"),
    case("Image", {**IMAGE, "status": "STATUS_UNSPECIFIED"}, False, "unknown status"),
    case("Image", {**IMAGE, "os": {"type": "MACOS"}}, False, "unknown os type"),
    case("Image", {**IMAGE, "createdAt": "2024-05-06T10:11:12Z"}, True, "timestamp no fraction"),
    case("Image", {**IMAGE, "createdAt": "2024-05-06T10:11:12.123456789Z"}, True, "9 digits"),
    case("Image", {**IMAGE, "createdAt": "2024-05-06T10:11:12.1234567890Z"}, False, "10 digits"),
    case("Image", {**IMAGE, "createdAt": "2024-05-06T13:11:12+03:00"}, False, "non-UTC offset"),
    case("Image", {**IMAGE, "createdAt": "2024-05-06T10:11:12Z\n"}, False, "trailing newline"),
    case("Image", _without(IMAGE, "status"), False, "no status"),
    case("Image", _without(IMAGE, "id"), False, "no id"),
    case("Image", {**IMAGE, "name": ""}, False, "empty name sent instead of omitted"),
    case("ListImagesResponse", {}, True, "empty page"),
    case(
        "ListImagesResponse",
        {"images": [IMAGE, NEWER_IMAGE], "nextPageToken": "t1"},
        True,
        "a page",
    ),
    case("ListImagesResponse", {"images": [IMAGE]}, True, "last page"),
    case("ListImagesResponse", {"images": [IMAGE], "nextPageToken": ""}, False, "empty token"),
    case("ListImagesResponse", {"images": [_without(IMAGE, "id")]}, False, "a bad image"),
    # Operations.
    case("CreateImageOperation", _operation("Create"), True, "in progress, no done key"),
    case("CreateImageOperation", _operation("Create", done=False), True, "in progress, done false"),
    case(
        "CreateImageOperation", _operation("Create", done=False, error=ERROR), True, "rolling back"
    ),
    case(
        "CreateImageOperation",
        _operation("Create", done=True, response=IMAGE_ANY),
        True,
        "done, response",
    ),
    case("CreateImageOperation", _operation("Create", done=True, error=ERROR), True, "done, error"),
    case("CreateImageOperation", _operation("Create", done=True), False, "done, neither"),
    case(
        "CreateImageOperation",
        _operation("Create", done=True, error=ERROR, response=IMAGE_ANY),
        False,
        "done, both",
    ),
    case(
        "CreateImageOperation",
        _operation("Create", done=False, response=IMAGE_ANY),
        False,
        "not done, response",
    ),
    case(
        "CreateImageOperation",
        _operation("Create", response=IMAGE_ANY),
        False,
        "no done key, response",
    ),
    case("CreateImageOperation", _operation("Update"), False, "metadata @type of Update"),
    case("Operation", _operation("Update"), True, "any metadata @type"),
    case(
        "CreateImageOperation",
        _operation("Create", done=True, response=EMPTY_ANY),
        False,
        "response @type Empty",
    ),
    case(
        "CreateImageOperation",
        _operation("Create", done=True, response=IMAGE),
        False,
        "response without @type",
    ),
    case(
        "CreateImageOperation",
        _operation("Create", done=True, response={**IMAGE_ANY, "status": "nope"}),
        False,
        "response a bad image",
    ),
    case("CreateImageOperation", _without(_operation("Create"), "metadata"), False, "no metadata"),
    case("CreateImageOperation", _without(_operation("Create"), "id"), False, "no id"),
    case(
        "UpdateImageOperation",
        _operation("Update", done=True, response=IMAGE_ANY),
        True,
        "done, response",
    ),
    case("UpdateImageOperation", _operation("Update"), True, "in progress"),
    case("UpdateImageOperation", _operation("Delete"), False, "metadata @type of Delete"),
    case("DeleteImageOperation", _operation("Delete"), True, "in progress"),
    case(
        "DeleteImageOperation",
        _operation("Delete", done=True, response=EMPTY_ANY),
        True,
        "done, Empty",
    ),
    case(
        "DeleteImageOperation",
        _operation("Delete", done=True, response=IMAGE_ANY),
        False,
        "done, an Image",
    ),
    case(
        "DeleteImageOperation",
        _operation("Delete", done=True, response={**EMPTY_ANY, "x": 1}),
        False,
        "Empty with a field",
    ),
    case(
        "DeleteImageOperation",
        _operation("Delete", done=True, error={"code": 9, "message": "in use"}),
        True,
        "done, error",
    ),
    case(
        "Operation", _operation("Create", done=True, response=IMAGE_ANY), True, "generic, response"
    ),
    case(
        "Operation",
        _operation("Create", metadata={"imageId": "x"}),
        False,
        "metadata without @type",
    ),
    case("Operation", _operation("Create", done="true"), False, "done as a string"),
    case("ListImageOperationsResponse", {}, True, "empty page"),
    case(
        "ListImageOperationsResponse",
        {
            "operations": [
                _operation("Create", done=True, response=IMAGE_ANY),
                _operation("Delete"),
            ],
            "nextPageToken": "t2",
        },
        True,
        "a page",
    ),
    case(
        "ListImageOperationsResponse",
        {"operations": [_operation("Create", done=True)]},
        False,
        "a bad operation",
    ),
    # Errors.
    case("Status", ERROR, True, "BadRequest and RequestInfo details"),
    case("Status", {"code": 5, "message": "Image fd8x not found"}, True, "no details"),
    case("Status", {"code": 16}, True, "code only"),
    case("Status", {"code": 0, "message": "ok"}, False, "code OK"),
    case("Status", {"code": 17}, False, "code 17"),
    case("Status", {"code": "3"}, False, "code as a string"),
    case("Status", {"message": "no code"}, False, "no code"),
    case(
        "Status", {"code": 3, "details": [{"fieldViolations": []}]}, False, "detail without @type"
    ),
    case(
        "Status",
        {"code": 3, "details": [{**BAD_REQUEST, "fieldViolations": {}}]},
        False,
        "BadRequest malformed",
    ),
    case(
        "Status",
        {"code": 3, "details": [{**REQUEST_INFO, "requestId": 1}]},
        False,
        "RequestInfo malformed",
    ),
    case(
        "Status",
        {"code": 3, "details": [{"@type": f"{ANY}google.rpc.ErrorInfo", "reason": "x"}]},
        True,
        "unknown detail type",
    ),
]


# Each typed operation pins its metadata and response message, not just their @type.
for kind in ("Create", "Update", "Delete"):
    message = f"{kind}ImageOperation"
    CASES += [
        case(
            message,
            _operation(kind, metadata={**_operation(kind)["metadata"], "imageId": 1}),
            False,
            "metadata imageId not a string",
        ),
        case(
            message,
            _operation(
                kind, done=True, response={**IMAGE, "@type": f"{ANY}yandex.cloud.compute.v1.Disk"}
            ),
            False,
            "response @type Disk",
        ),
    ]
CASES += [
    case(
        "Status",
        {"code": 3, "details": [{**BAD_REQUEST, "fieldViolations": [{"field": 1}]}]},
        False,
        "violation field not a string",
    ),
    case(
        "Status",
        {"code": 3, "details": [{**BAD_REQUEST, "fieldViolations": [{"description": 1}]}]},
        False,
        "violation description not a string",
    ),
    case(
        "Status",
        {"code": 3, "details": [{**BAD_REQUEST, "fieldViolations": ["name"]}]},
        False,
        "violation not an object",
    ),
]


# The documented limits of response fields, and their types.
CASES += [
    case("Image", {**IMAGE, "name": "n" * 63}, True, "name 63 chars"),
    case("Image", {**IMAGE, "name": "n" * 64}, False, "name 64 chars"),
    case("Image", {**IMAGE, "description": "d" * 256}, True, "description 256 chars"),
    case("Image", {**IMAGE, "description": "d" * 257}, False, "description 257 chars"),
    case("Image", {**IMAGE, "labels": {f"k{i}": "v" for i in range(64)}}, True, "64 labels"),
    case("Image", {**IMAGE, "labels": {f"k{i}": "v" for i in range(65)}}, False, "65 labels"),
    case("Image", {**IMAGE, "id": ""}, False, "empty id"),
    case("Image", {**IMAGE, "folderId": ""}, False, "empty folderId"),
    case("Operation", _operation("Create", description="d" * 256), True, "description 256 chars"),
    case("Operation", _operation("Create", description="d" * 257), False, "description 257 chars"),
    case("Operation", _operation("Create", id=""), False, "empty id"),
    case("Operation", _operation("Create", createdAt="yesterday"), False, "createdAt not RFC 3339"),
    case(
        "Operation", _operation("Create", modifiedAt="yesterday"), False, "modifiedAt not RFC 3339"
    ),
    case(
        "Operation",
        _operation("Create", done=True, error={"code": "x"}),
        False,
        "error not a Status",
    ),
    case(
        "Operation", _operation("Create", done=True, response=[]), False, "response not an object"
    ),
    case(
        "Operation",
        _operation("Create", done=True, response={"@type": "Image"}),
        False,
        "response @type without prefix",
    ),
    case("Operation", _operation("Create", metadata=[]), False, "metadata not an object"),
    case(
        "Operation",
        _operation("Create", metadata={"@type": 1}),
        False,
        "metadata @type not a string",
    ),
    case("DeleteImageOperation", _operation("Create"), False, "metadata @type of Create"),
    case(
        "DeleteImageOperation",
        _operation("Delete", done=True, response={"@type": f"{ANY}google.protobuf.Any"}),
        False,
        "response @type Any",
    ),
    case(
        "DeleteImageOperation",
        _operation("Delete", done=True, response={}),
        False,
        "response without @type",
    ),
    case(
        "UpdateImageOperation",
        _operation("Update", done=True, response={**IMAGE_ANY, "status": "nope"}),
        False,
        "response a bad image",
    ),
    case("Status", {"code": 3, "details": {}}, False, "details not a list"),
    case("Status", {"code": 3, "message": 1}, False, "message not a string"),
    case(
        "Status",
        {
            "code": 3,
            "details": [
                {"@type": f"{ANY}google.rpc.ErrorInfo", "fieldViolations": "x", "requestId": 1}
            ],
        },
        True,
        "other detail types are not checked",
    ),
    case(
        "Status",
        {"code": 3, "details": [{**REQUEST_INFO, "servingData": 1}]},
        False,
        "servingData not a string",
    ),
    case("ListImagesResponse", {"images": {}}, False, "images not a list"),
    case("ListImagesResponse", {"nextPageToken": 1}, False, "nextPageToken not a string"),
    case("ListImageOperationsResponse", {"operations": {}}, False, "operations not a list"),
    case("ListImageOperationsResponse", {"nextPageToken": ""}, False, "empty token"),
    case("ListImageOperationsResponse", {"nextPageToken": 1}, False, "nextPageToken not a string"),
]
for kind in ("Update", "Delete"):
    CASES.append(case(f"{kind}ImageOperation", _operation(kind, done=True), False, "done, neither"))
for field, bad in [
    ("id", 1), ("folderId", 1), ("name", 1), ("description", 1), ("family", 1), ("createdAt", 1),
    ("createdBy", 1), ("operation id", 1), ("operation description", 1), ("labels", ["k"]),
    ("labels", {"k": 1}), ("pooled", "true"), ("productIds", "p"), ("productIds", [1]),
]:  # fmt: skip
    if field.startswith("operation ") or field == "createdBy":
        message, doc = "Operation", _operation("Create", **{field.split()[-1]: bad})
    else:
        message, doc = "Image", {**IMAGE, field: bad}
    CASES.append(case(message, doc, False, f"{field} {bad!r}"))


@pytest.mark.parametrize(("message", "doc", "valid"), CASES)
def test_document(message: str, doc: Any, valid: bool) -> None:
    errors = [error.message for error in validator(message).iter_errors(doc)]
    assert (not errors) is valid, errors or f"{doc!r} should be invalid against {message}"
