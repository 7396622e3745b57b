"""contracts/openapi.yaml: valid OpenAPI 3.1, the REST face of API.md, and wired to the schemas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from openapi_spec_validator import validate

from pytest_yc_images import openapi_document, registry, schema

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "contracts" / "openapi.yaml"
SCHEMA_BASE = "https://pytest-yc-images.invalid/schemas/"

READS = frozenset({"400", "401", "403", "404", "429", "500", "503", "504"})
WRITES = READS | {"409"}


@dataclass(frozen=True)
class Op:
    """One row of API.md's table: the call, its REST face, its request and 200 response."""

    op_id: str
    method: str
    path: str
    request: str
    response: str
    errors: frozenset[str]


OPS = [
    Op("getImage", "get", "/compute/v1/images/{imageId}", "GetImageRequest", "Image", READS),
    Op(
        "getLatestByFamily",
        "get",
        "/compute/v1/images:latestByFamily",
        "GetImageLatestByFamilyRequest",
        "Image",
        READS,
    ),
    Op("listImages", "get", "/compute/v1/images", "ListImagesRequest", "ListImagesResponse", READS),
    Op(
        "createImage",
        "post",
        "/compute/v1/images",
        "CreateImageRequest",
        "CreateImageOperation",
        WRITES,
    ),
    Op(
        "updateImage",
        "patch",
        "/compute/v1/images/{imageId}",
        "UpdateImageRequest",
        "UpdateImageOperation",
        WRITES,
    ),
    Op(
        "deleteImage",
        "delete",
        "/compute/v1/images/{imageId}",
        "DeleteImageRequest",
        "DeleteImageOperation",
        WRITES,
    ),
    Op(
        "listImageOperations",
        "get",
        "/compute/v1/images/{imageId}/operations",
        "ListImageOperationsRequest",
        "ListImageOperationsResponse",
        READS,
    ),
    # live/image_service.proto's three access-binding RPCs (not in the seed profile).
    Op(
        "listImageAccessBindings",
        "get",
        "/compute/v1/images/{resourceId}:listAccessBindings",
        "ListAccessBindingsRequest",
        "ListAccessBindingsResponse",
        READS,
    ),
    Op(
        "setImageAccessBindings",
        "post",
        "/compute/v1/images/{resourceId}:setAccessBindings",
        "SetAccessBindingsRequest",
        "SetAccessBindingsOperation",
        WRITES,
    ),
    Op(
        "updateImageAccessBindings",
        "post",
        "/compute/v1/images/{resourceId}:updateAccessBindings",
        "UpdateAccessBindingsRequest",
        "UpdateAccessBindingsOperation",
        WRITES,
    ),
    Op(
        "getOperation",
        "get",
        "/operations/{operationId}",
        "GetOperationRequest",
        "Operation",
        READS,
    ),
    # live/operation_service.proto's HTTP rule (GET) and the API design guide's POST.
    Op(
        "cancelOperation",
        "get",
        "/operations/{operationId}:cancel",
        "CancelOperationRequest",
        "Operation",
        WRITES,
    ),
    Op(
        "cancelOperationByPost",
        "post",
        "/operations/{operationId}:cancel",
        "CancelOperationRequest",
        "Operation",
        WRITES,
    ),
]
BY_OP = pytest.mark.parametrize("op", OPS, ids=lambda op: op.op_id)


def _pointer(doc: Any, pointer: str) -> Any:
    for token in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        token = token.replace("~1", "/").replace("~0", "~")
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    """Follow a ``$ref`` of the document as written: local, or ``schemas/X.json#/pointer``."""
    if ref.startswith("#"):
        return _pointer(doc, ref[1:])
    target, _, fragment = ref.partition("#")
    assert target.startswith("schemas/"), ref
    assert target.endswith(".json"), ref
    return _pointer(schema(target.removeprefix("schemas/").removesuffix(".json")), fragment)


def _deref(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = _resolve(doc, node["$ref"])
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _operation(doc: dict[str, Any], op: Op) -> dict[str, Any]:
    return doc["paths"][op.path][op.method]  # type: ignore[no-any-return]


def _parameters(doc: dict[str, Any], op: Op) -> list[dict[str, Any]]:
    shared = doc["paths"][op.path].get("parameters", [])
    return [_deref(doc, p) for p in [*shared, *_operation(doc, op).get("parameters", [])]]


# ---------------------------------------------------------------------------------------------
# The document as a whole


def test_raw_document_is_valid_openapi_3_1() -> None:
    doc = openapi_document()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"]
    assert doc["info"]["version"]
    validate(doc, base_uri=OPENAPI_FILE.as_uri())


def test_bundled_document_is_valid_openapi_3_1() -> None:
    validate(openapi_document(bundled=True))


def test_bundled_document_refers_only_to_itself() -> None:
    doc = openapi_document(bundled=True)
    refs = list(_refs(doc))
    assert refs
    outside = [ref for ref in refs if not ref.startswith("#/")]
    assert not outside
    for ref in refs:
        assert _pointer(doc, ref[1:]) is not None, ref


def test_every_ref_of_the_raw_document_resolves() -> None:
    doc = openapi_document()
    refs = set(_refs(doc))
    assert any(ref.startswith("schemas/") for ref in refs)
    for ref in sorted(refs):
        target = _resolve(doc, ref)
        assert isinstance(target, dict), ref
        if ref.startswith("schemas/"):
            # The schema fragment's own references resolve from its file's $id.
            name, _, _ = ref.removeprefix("schemas/").partition(".json")
            resolver = registry().resolver(base_uri=f"{SCHEMA_BASE}{name}.json")
            for inner in _refs(target):
                assert isinstance(resolver.lookup(inner).contents, dict), (ref, inner)


def test_servers_security_and_paths() -> None:
    doc = openapi_document()
    assert doc["servers"][0]["url"] == "https://compute.api.cloud.yandex.net"
    assert "operation.api.cloud.yandex.net" in doc["servers"][0]["description"]
    assert doc["security"] == [{"bearer": []}]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        **doc["components"]["securitySchemes"]["bearer"],
        "type": "http",
        "scheme": "bearer",
    }
    declared = {
        (method, path)
        for path, item in doc["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
    }
    assert declared == {(op.method, op.path) for op in OPS}


def test_operation_ids_are_unique_and_as_documented() -> None:
    doc = openapi_document()
    ids = [_operation(doc, op)["operationId"] for op in OPS]
    assert ids == [op.op_id for op in OPS]


def test_schemathesis_loads_every_operation() -> None:
    loaded = schemathesis.openapi.from_dict(openapi_document(bundled=True))
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert {(operation.method.lower(), operation.path) for operation in operations} == {
        (op.method, op.path) for op in OPS
    }
    assert len(operations) == len(OPS)


# ---------------------------------------------------------------------------------------------
# Each operation


@BY_OP
def test_parameters_and_body_are_the_request_message(op: Op) -> None:
    """Every field of the request message is a parameter or a body property, each a $ref."""
    doc = openapi_document()
    fields: set[str] = set()
    for parameter in _parameters(doc, op):
        if parameter["in"] == "header":
            continue
        name = parameter["name"]
        owner = "GetImageRequest" if parameter["in"] == "path" and name == "imageId" else op.request
        assert parameter["schema"] == {"$ref": f"schemas/{owner}.json#/properties/{name}"}
        assert parameter.get("required", False) is (name in schema(op.request).get("required", []))
        assert (parameter["in"] == "path") is (f"{{{name}}}" in op.path)
        fields.add(name)
    body = _operation(doc, op).get("requestBody")
    if body is not None:
        # The REST face reads an absent body as {}: the body is required exactly when the
        # request has a required field that is not in the path (Update has none).
        in_path = set(re.findall(r"{(\w+)}", op.path))
        assert body["required"] is bool(set(schema(op.request).get("required", [])) - in_path)
        body_schema = body["content"]["application/json"]["schema"]
        if body_schema == {"$ref": f"schemas/{op.request}.json"}:
            fields |= set(schema(op.request)["properties"])
        else:
            assert body_schema["additionalProperties"] is False
            for name, prop in body_schema["properties"].items():
                assert prop == {"$ref": f"schemas/{op.request}.json#/properties/{name}"}
                fields.add(name)
    assert fields == set(schema(op.request)["properties"])


def test_update_body_leaves_image_id_to_the_path() -> None:
    doc = openapi_document()
    body = doc["paths"]["/compute/v1/images/{imageId}"]["patch"]["requestBody"]
    assert "imageId" not in body["content"]["application/json"]["schema"]["properties"]


@BY_OP
def test_success_response_is_the_documented_message(op: Op) -> None:
    doc = openapi_document()
    ok = _deref(doc, _operation(doc, op)["responses"]["200"])
    assert ok["content"]["application/json"]["schema"] == {"$ref": f"schemas/{op.response}.json"}


@BY_OP
def test_error_statuses_are_the_ones_the_call_can_give(op: Op) -> None:
    responses = _operation(openapi_document(), op)["responses"]
    assert set(responses) - {"200"} == op.errors


# API.md's gRPC code -> HTTP table, one reusable response per HTTP status.
ERROR_RESPONSES = {
    "400": "BadRequest",
    "401": "Unauthenticated",
    "403": "PermissionDenied",
    "404": "NotFound",
    "409": "Conflict",
    "429": "ResourceExhausted",
    "499": "Cancelled",
    "500": "Internal",
    "501": "Unimplemented",
    "503": "Unavailable",
    "504": "DeadlineExceeded",
}


def test_every_http_status_of_api_md_has_a_reusable_response() -> None:
    responses = openapi_document()["components"]["responses"]
    assert set(responses) == set(ERROR_RESPONSES.values())
    for name, response in responses.items():
        assert response["description"], name
        assert response["content"] == {
            "application/json": {"schema": {"$ref": "schemas/Status.json"}}
        }, name


@BY_OP
def test_error_codes_use_the_response_of_their_status(op: Op) -> None:
    responses = _operation(openapi_document(), op)["responses"]
    for code in op.errors:
        assert responses[code] == {"$ref": f"#/components/responses/{ERROR_RESPONSES[code]}"}


@BY_OP
def test_idempotency_key_on_mutating_calls(op: Op) -> None:
    doc = openapi_document()
    headers = [p for p in _parameters(doc, op) if p["in"] == "header"]
    if op.method in {"post", "patch", "delete"} or op.errors == WRITES:  # a GET that cancels
        assert [(p["name"], p.get("required", False)) for p in headers] == [
            ("Idempotency-Key", False)
        ]
        raw = _operation(doc, op)["parameters"]
        assert {"$ref": "#/components/parameters/idempotencyKey"} in raw
    else:
        assert headers == []


# ---------------------------------------------------------------------------------------------
# Links, for stateful testing


def _links(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for op in OPS:
        for response in _operation(doc, op)["responses"].values():
            for name, link in _deref(doc, response).get("links", {}).items():
                yield op.op_id, name, link


def test_every_link_targets_an_existing_operation_and_its_parameters() -> None:
    doc = openapi_document()
    by_id = {op.op_id: op for op in OPS}
    links = list(_links(doc))
    assert links
    for source, name, link in links:
        target = by_id.get(link["operationId"])
        assert target is not None, (source, name)
        names = {p["name"] for p in _parameters(doc, target)}
        for parameter, expression in link["parameters"].items():
            assert parameter in names, (source, name, parameter)
            assert expression.startswith("$response.body#/"), (source, name, expression)


@pytest.mark.parametrize(
    ("source", "target", "parameter", "expression"),
    [
        pytest.param(source, target, parameter, expression, id=f"{source}->{target}")
        for source, target, parameter, expression in [
            ("createImage", "getImage", "imageId", "$response.body#/metadata/imageId"),
            ("createImage", "getOperation", "operationId", "$response.body#/id"),
            ("createImage", "updateImage", "imageId", "$response.body#/metadata/imageId"),
            ("createImage", "deleteImage", "imageId", "$response.body#/metadata/imageId"),
            ("updateImage", "getOperation", "operationId", "$response.body#/id"),
            ("deleteImage", "getOperation", "operationId", "$response.body#/id"),
            ("setImageAccessBindings", "getOperation", "operationId", "$response.body#/id"),
            ("updateImageAccessBindings", "getOperation", "operationId", "$response.body#/id"),
        ]
    ],
)
def test_link(source: str, target: str, parameter: str, expression: str) -> None:
    doc = openapi_document()
    found = [
        link["parameters"]
        for origin, _, link in _links(doc)
        if origin == source and link["operationId"] == target
    ]
    assert {parameter: expression} in found
