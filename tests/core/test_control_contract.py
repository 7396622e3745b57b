"""contracts/controls.yaml: valid OpenAPI 3.1, the source of the /_fake/ route table, and
what each control takes and answers, checked over HTTP: a valid body works and its reply
fits the schema; a body that does not fit answers 400 naming the field and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from pytest_yc_images import FakeImageService, controls_document, registry
from pytest_yc_images._contracts import CONTROLS_BASE
from pytest_yc_images._control_routes import ACTIONS, control_routes
from pytest_yc_images.errors import ServiceError
from tests.conftest import FOLDER, checked_client, fake_state

CONTROLS_FILE = Path(__file__).resolve().parents[2] / "contracts" / "controls.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
OP = "fd8someoperation0000"


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    doc = controls_document()
    return [
        (path, method, operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _concrete(path: str, operation_id: str = OP) -> str:
    return path.replace("{operationId}", operation_id)


# --- the document ---------------------------------------------------------------------
def test_document_is_valid_openapi_3_1() -> None:
    doc = controls_document()
    assert doc["openapi"] == "3.1.0"
    validate(doc, base_uri=CONTROLS_FILE.as_uri())


def test_every_operation_names_one_control_and_every_control_is_in_the_document() -> None:
    named = [operation["x-yc-control"] for _, _, operation in _operations()]
    assert len(named) == len(set(named)), named
    assert set(named) == set(ACTIONS)


def test_the_route_table_is_the_documents() -> None:
    routes = control_routes()
    operations = _operations()
    assert len(routes.actions) == len(operations)
    for path, method, operation in operations:
        route, params = routes.match(method.upper(), _concrete(path))
        assert (route.path, route.method) == (path, method.upper())
        assert route.action == operation["x-yc-control"]
        query = [p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"]
        assert list(route.query) == query
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        assert route.body == (body["schema"]["$ref"].rpartition("/")[2] if body else None)
        assert params == ({"operationId": OP} if "{operationId}" in path else {})


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/_fake/images"), ("POST", "/_fake/operations"), ("GET", "/_fake/nothing")],
)
def test_what_the_document_does_not_list_is_not_found(method: str, path: str) -> None:
    with pytest.raises(ServiceError, match="No such control"):
        control_routes().match(method, path)


def _response_validator(path: str, method: str) -> Draft202012Validator:
    doc = controls_document()
    response = doc["paths"][path][method]["responses"]["200"]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rpartition("/")[2]]
    schema = response["content"]["application/json"]["schema"]
    if schema.get("$ref", "").startswith("#"):
        schema = {"$ref": CONTROLS_BASE + schema["$ref"]}
    elif "$ref" in schema:
        schema = {"$ref": CONTROLS_BASE.rpartition("/")[0] + "/" + schema["$ref"]}
    resource = Resource.from_contents(doc, default_specification=DRAFT202012)
    return Draft202012Validator(schema, registry=registry().with_resource(CONTROLS_BASE, resource))


# --- every control over HTTP ----------------------------------------------------------
@pytest.fixture
def manual() -> FakeImageService:
    """A fake with one running Create and one scripted fault."""
    fake = FakeImageService(seed="controls", completion="manual")
    with checked_client(fake) as client:
        reply = client.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "running"},
        )
    assert reply.status_code == 200, reply.text
    fake.fail_next("Delete")
    return fake


@pytest.fixture
def http(manual: FakeImageService) -> Callable[..., httpx.Response]:
    running = manual.operations()[0]["id"]

    def send(method: str, path: str, **kwargs: Any) -> httpx.Response:
        with checked_client(manual) as client:
            return client.request(method, _concrete(path, running), **kwargs)

    return send


IMAGE = {
    "id": "fd8putimage000000001",
    "folderId": FOLDER,
    "createdAt": "2025-01-02T03:04:05.5Z",
    "name": "placed",
    "description": "d",
    "labels": {"a": "b"},
    "family": "fam",
    "storageSize": "3221225472",
    "minDiskSize": 4 * 1024**3,
    "productIds": ["p"],
    "status": "ERROR",
    "os": {"type": "WINDOWS"},
    "pooled": True,
}

# (HTTP method, path, keyword arguments of the request): each answers 200.
VALID = [
    ("GET", "/_fake/images", {}),
    ("GET", "/_fake/images", {"params": {"folderId": FOLDER}}),
    ("GET", "/_fake/images", {"json": {"folderId": FOLDER}}),
    ("POST", "/_fake/images", {"json": IMAGE}),
    ("POST", "/_fake/images", {"json": {"folderId": FOLDER}}),
    ("POST", "/_fake/disks", {"json": {"id": "d1", "folderId": FOLDER}}),
    (
        "POST",
        "/_fake/disks",
        {"json": {"id": "d2", "folderId": FOLDER, "size": "8", "osType": "WINDOWS"}},
    ),
    ("POST", "/_fake/snapshots", {"json": {"id": "s1", "folderId": FOLDER, "diskSize": 9}}),
    ("GET", "/_fake/operations", {}),
    ("GET", "/_fake/operations", {"params": {"imageId": "fd8nosuchimage000000"}}),
    ("POST", "/_fake/operations/{operationId}:complete", {}),
    ("POST", "/_fake/operations/{operationId}:fail", {}),
    ("POST", "/_fake/operations/{operationId}:fail", {"json": {"code": 14, "message": "m"}}),
    ("POST", "/_fake/clock:advance", {"json": {"seconds": 1.5}}),
    ("POST", "/_fake/completion", {"json": {"mode": "clock"}}),
    ("GET", "/_fake/faults", {}),
    ("POST", "/_fake/faults", {"json": {"kind": "error", "method": "Get", "times": None}}),
    (
        "POST",
        "/_fake/faults",
        {"json": {"kind": "operation_error", "method": "*", "code": "ABORTED", "afterPolls": 2}},
    ),
    ("POST", "/_fake/faults", {"json": {"kind": "latency", "method": "List", "seconds": 0.5}}),
    ("DELETE", "/_fake/faults", {}),
    ("GET", "/_fake/journal", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), VALID)
def test_a_valid_control_request_works_and_its_reply_fits_the_schema(
    manual: FakeImageService,
    http: Callable[..., httpx.Response],
    method: str,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    before = fake_state(manual)
    reply = http(method, path, **kwargs)
    assert reply.status_code == 200, reply.text
    errors = [
        e.message for e in _response_validator(path, method.lower()).iter_errors(reply.json())
    ]
    assert errors == []
    if method == "POST":
        assert fake_state(manual) != before  # it did something


def test_the_folder_filter_of_get_images(
    manual: FakeImageService, http: Callable[..., httpx.Response]
) -> None:
    by_query = http("GET", "/_fake/images", params={"folderId": FOLDER}).json()["images"]
    by_body = http("GET", "/_fake/images", json={"folderId": FOLDER}).json()["images"]
    assert [i["name"] for i in by_query] == [i["name"] for i in by_body] == ["running"]
    running = manual.operations()[0]
    image_id = running["metadata"]["imageId"]
    ops = http("GET", "/_fake/operations", params={"imageId": image_id}).json()["operations"]
    assert ops == [running]


# (HTTP method, path, keyword arguments, the field the 400 names): nothing changes.
INVALID = [
    ("GET", "/_fake/images", {"json": {"folderId": 5}}, "folderId"),
    ("GET", "/_fake/images", {"params": {"folder": "x"}}, "folder"),
    ("GET", "/_fake/images", {"params": {"folderId": "x"}, "json": {"folderId": "x"}}, "folderId"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "id": 1}}, "id"),
    ("POST", "/_fake/images", {"json": {"name": "x"}}, "folderId"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "folderId": 5}}, "folderId"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "createdAt": "yesterday"}}, "createdAt"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "labels": {"a": 1}}}, "labels.a"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "storageSize": "huge"}}, "storageSize"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "minDiskSize": 1.5}}, "minDiskSize"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "productIds": "p"}}, "productIds"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "status": "BROKEN"}}, "status"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "os": {"type": "LINUX", "x": 1}}}, "os.x"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "pooled": "yes"}}, "pooled"),
    ("POST", "/_fake/images", {"json": {**IMAGE, "colour": "red"}}, "colour"),
    ("POST", "/_fake/disks", {"json": {"folderId": FOLDER}}, "id"),
    ("POST", "/_fake/disks", {"json": {"id": "d", "folderId": FOLDER, "size": "huge"}}, "size"),
    ("POST", "/_fake/disks", {"json": {"id": "d", "folderId": 3}}, "folderId"),
    (
        "POST",
        "/_fake/disks",
        {"json": {"id": "d", "folderId": FOLDER, "productIds": [1]}},
        "productIds[0]",
    ),
    (
        "POST",
        "/_fake/snapshots",
        {"json": {"id": "s", "folderId": FOLDER, "diskSize": True}},
        "diskSize",
    ),
    ("POST", "/_fake/snapshots", {"json": {"id": "s", "folderId": FOLDER, "osType": 1}}, "osType"),
    ("GET", "/_fake/operations", {"params": {"image": "x"}}, "image"),
    ("POST", "/_fake/operations/{operationId}:complete", {"json": {"x": 1}}, "x"),
    ("POST", "/_fake/operations/{operationId}:fail", {"json": {"code": "NOPE"}}, "code"),
    ("POST", "/_fake/operations/{operationId}:fail", {"json": {"code": True}}, "code"),
    ("POST", "/_fake/operations/{operationId}:fail", {"json": {"message": 5}}, "message"),
    ("POST", "/_fake/clock:advance", {"json": {"seconds": "30"}}, "seconds"),
    ("POST", "/_fake/clock:advance", {"json": {}}, "seconds"),
    ("POST", "/_fake/clock:advance", {"json": {"seconds": -1}}, "seconds"),
    ("POST", "/_fake/completion", {"json": {"mode": "sometimes"}}, "mode"),
    ("POST", "/_fake/completion", {"json": {"mode": "clock", "also": 1}}, "also"),
    ("POST", "/_fake/faults", {"json": {"kind": "meteor", "method": "Get"}}, "kind"),
    ("POST", "/_fake/faults", {"json": {"method": "Get"}}, "kind"),
    ("POST", "/_fake/faults", {"json": {"kind": "error", "method": "Nope"}}, "method"),
    ("POST", "/_fake/faults", {"json": {"kind": "error", "method": 5}}, "method"),
    ("POST", "/_fake/faults", {"json": {"kind": "error", "method": "Get", "code": True}}, "code"),
    ("POST", "/_fake/faults", {"json": {"kind": "error", "method": "Get", "times": 1.5}}, "times"),
    ("POST", "/_fake/faults", {"json": {"kind": "error", "method": "Get", "times": 0}}, "times"),
    (
        "POST",
        "/_fake/faults",
        {"json": {"kind": "error", "method": "Get", "message": {}}},
        "message",
    ),
    (
        "POST",
        "/_fake/faults",
        {"json": {"kind": "latency", "method": "Get", "seconds": "abc"}},
        "seconds",
    ),
    (
        "POST",
        "/_fake/faults",
        {"json": {"kind": "operation_error", "method": "Create", "afterPolls": "x"}},
        "afterPolls",
    ),
    (
        "POST",
        "/_fake/faults",
        {"json": {"kind": "operation_error", "method": "Create", "after_polls": 1}},
        "after_polls",
    ),
    ("DELETE", "/_fake/faults", {"json": {"all": True}}, "all"),
    ("GET", "/_fake/journal", {"json": {"x": 1}}, "x"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "field"), INVALID)
def test_a_bad_control_request_is_400_naming_the_field_and_changes_nothing(
    manual: FakeImageService,
    http: Callable[..., httpx.Response],
    method: str,
    path: str,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    before = fake_state(manual)
    reply = http(method, path, **kwargs)
    assert reply.status_code == 400, reply.text
    status = reply.json()
    assert status["code"] == 3
    violations = [
        v["field"]
        for detail in status.get("details", [])
        for v in detail.get("fieldViolations", [])
    ]
    assert field in violations, status
    assert fake_state(manual) == before


def test_a_control_that_cannot_apply_is_400_and_changes_nothing(
    manual: FakeImageService, http: Callable[..., httpx.Response]
) -> None:
    assert http("POST", "/_fake/operations/{operationId}:complete").status_code == 200
    before = fake_state(manual)
    again = http("POST", "/_fake/operations/{operationId}:complete")
    assert again.status_code == 400  # already done: FAILED_PRECONDITION
    assert again.json()["code"] == 9
    assert fake_state(manual) == before


def test_a_trailing_slash_and_percent_encoding_are_taken_as_before() -> None:
    routes = control_routes()
    assert routes.match("GET", "/_fake/images/")[0].action == "list_images"
    route, params = routes.match("POST", "/_fake/operations/fd8%61bc:complete")
    assert (route.action, params) == ("complete_operation", {"operationId": "fd8abc"})
