"""Our schemathesis checks, each on a hand-made good response and hand-made bad ones.

The checks run through schemathesis' own ``case.validate_response(checks=[...])``; their
follow-up requests reach a real fake over ASGI, in the state each test sets up.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from schemathesis.core.failures import FailureGroup

from conftest import FOLDER, SEEDED, TOKEN, fuzz_config, fuzz_schema, seeded_fake
from pytest_yc_images import FakeImageService
from pytest_yc_images.schemathesis_checks import yc_errors, yc_operations, yc_paging

IMAGES = "/compute/v1/images"
IMAGE = "/compute/v1/images/{imageId}"
OPERATION = "/operations/{operationId}"
TYPE = "type.googleapis.com/"
CREATE_META = TYPE + "yandex.cloud.compute.v1.CreateImageMetadata"
UPDATE_META = TYPE + "yandex.cloud.compute.v1.UpdateImageMetadata"
DELETE_META = TYPE + "yandex.cloud.compute.v1.DeleteImageMetadata"


class Checker:
    """Cases of the OpenAPI document over one fake, and hand-made responses to them."""

    def __init__(self) -> None:
        self.fake: FakeImageService = seeded_fake(completion="manual")
        self.schema = fuzz_schema(self.fake, fuzz_config(max_examples=1))
        self.api = self.fake.client(token=TOKEN)

    def case(self, path: str, method: str, **parts: Any) -> schemathesis.Case:
        case: schemathesis.Case = self.schema[path][method].Case(**parts)
        return case

    def respond(self, case: schemathesis.Case, status: int, body: Any) -> schemathesis.Response:
        path = case.formatted_path
        query = f"?{urlencode(case.query)}" if case.query else ""
        payload = case.body if isinstance(case.body, dict) else None
        request = requests.Request(
            case.method.upper(),
            f"http://testserver{path}{query}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            json=payload,
        ).prepare()
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return schemathesis.Response(
            status_code=status,
            headers={"content-type": ["application/json"]},
            content=content,
            request=request,
            elapsed=0.01,
            verify=True,
        )

    def check(self, check: Any, case: schemathesis.Case, status: int, body: Any) -> None:
        case.validate_response(self.respond(case, status, body), checks=[check])

    def image(self, **fields: Any) -> dict[str, Any]:
        return self.fake.put_image(folderId=FOLDER, **fields)


@pytest.fixture
def checker() -> Checker:
    return Checker()


def _fails(match: str) -> Any:
    return pytest.raises(FailureGroup, match=match)


def _op(meta: str, image_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": "fd8op", "metadata": {"@type": meta, "imageId": image_id}, **fields}


# --- yc_operations --------------------------------------------------------------------------
def test_operations_passes_a_real_create_while_the_image_is_creating(checker: Checker) -> None:
    body = {"folderId": FOLDER, "name": "made", "uri": "https://storage.example/a.qcow2"}
    op = checker.api.post(IMAGES, json=body).json()
    case = checker.case(IMAGES, "POST", body=body)
    checker.check(yc_operations, case, 200, op)


def test_operations_passes_a_real_delete_while_the_image_is_deleting(checker: Checker) -> None:
    image = checker.image(name="gone")
    op = checker.api.delete(f"{IMAGES}/{image['id']}").json()
    case = checker.case(IMAGE, "DELETE", path_parameters={"imageId": image["id"]})
    checker.check(yc_operations, case, 200, op)


def test_operations_fails_a_running_create_whose_image_is_ready(checker: Checker) -> None:
    image = checker.image(name="ready", status="READY")
    case = checker.case(IMAGES, "POST", body={"folderId": FOLDER, "name": "ready"})
    with _fails("is not done, yet GET image .* status 'READY'"):
        checker.check(yc_operations, case, 200, _op(CREATE_META, image["id"]))


def test_operations_fails_a_create_naming_an_image_in_another_folder(checker: Checker) -> None:
    image = checker.image(name="mine", status="CREATING")
    case = checker.case(IMAGES, "POST", body={"folderId": "b1gotherfolder", "name": "x"})
    with _fails("which is in folder"):
        checker.check(yc_operations, case, 200, _op(CREATE_META, image["id"]))


@pytest.mark.parametrize(
    ("outcome", "why"),
    [
        ({}, "has neither"),
        ({"error": {"code": 13}, "response": {"@type": TYPE + "google.protobuf.Empty"}}, "has"),
    ],
)
def test_operations_fails_a_done_operation_without_exactly_one_outcome(
    checker: Checker, outcome: dict[str, Any], why: str
) -> None:
    image = checker.image()
    case = checker.case(IMAGE, "DELETE", path_parameters={"imageId": image["id"]})
    with _fails(f"exactly one of error and response, {why}"):
        checker.check(yc_operations, case, 200, _op(DELETE_META, image["id"], done=True, **outcome))


def test_operations_passes_a_done_operation_with_one_outcome(checker: Checker) -> None:
    image = checker.image()
    case = checker.case(IMAGE, "DELETE", path_parameters={"imageId": image["id"]})
    empty = {"@type": TYPE + "google.protobuf.Empty"}
    done = _op(DELETE_META, image["id"], done=True, response=empty)
    checker.check(yc_operations, case, 200, done)


def test_operations_fails_metadata_naming_another_image(checker: Checker) -> None:
    image, other = checker.image(name="a"), checker.image(name="b")
    case = checker.case(IMAGE, "PATCH", path_parameters={"imageId": image["id"]}, body={})
    with _fails("the request was about image"):
        checker.check(yc_operations, case, 200, _op(UPDATE_META, other["id"]))


def test_operations_fails_metadata_of_another_method(checker: Checker) -> None:
    image = checker.image()
    case = checker.case(IMAGE, "PATCH", path_parameters={"imageId": image["id"]}, body={})
    with _fails("Update answered an operation whose metadata is DeleteImageMetadata"):
        checker.check(yc_operations, case, 200, _op(DELETE_META, image["id"]))


def test_operations_fails_a_done_create_answering_another_image(checker: Checker) -> None:
    image = checker.image()
    response = {"@type": TYPE + "yandex.cloud.compute.v1.Image", "id": "fd8someoneelse"}
    case = checker.case(IMAGES, "POST", body={"folderId": FOLDER})
    with _fails("its response is image 'fd8someoneelse'"):
        done = _op(CREATE_META, image["id"], done=True, response=response)
        checker.check(yc_operations, case, 200, done)


def test_operations_fails_a_running_operation_with_a_response(checker: Checker) -> None:
    image = checker.image()
    case = checker.case(OPERATION, "GET", path_parameters={"operationId": "fd8op"})
    body = _op(UPDATE_META, image["id"], response={"@type": TYPE + "yandex.cloud.compute.v1.Image"})
    with _fails("is not done but has a response"):
        checker.check(yc_operations, case, 200, body)


# --- yc_paging ------------------------------------------------------------------------------
def _list(checker: Checker, **query: Any) -> tuple[schemathesis.Case, dict[str, Any]]:
    query = {"folderId": FOLDER, **query}
    page: dict[str, Any] = checker.api.get(IMAGES, params=query).json()
    return checker.case(IMAGES, "GET", query=query), page


def test_paging_passes_real_pages(checker: Checker) -> None:
    case, page = _list(checker, pageSize=2)
    assert len(page["images"]) == 2
    assert page["nextPageToken"]
    checker.check(yc_paging, case, 200, page)


def test_paging_fails_a_page_larger_than_asked_for(checker: Checker) -> None:
    case, page = _list(checker, pageSize=2)
    page["images"].append(dict(page["images"][0], id="fd8extra"))
    with _fails("page 1 has 3 images, more than the page size 2"):
        checker.check(yc_paging, case, 200, page)


def test_paging_fails_more_than_the_default_100_when_no_size_is_given(checker: Checker) -> None:
    case = checker.case(IMAGES, "GET", query={"folderId": FOLDER})
    page = {"images": [{"id": f"fd8{n}"} for n in range(101)]}
    with _fails("more than the page size 100"):
        checker.check(yc_paging, case, 200, page)


def test_paging_fails_an_item_repeated_on_the_next_page(checker: Checker) -> None:
    case, first = _list(checker, pageSize=2)
    _, second = _list(checker, pageSize=2, pageToken=first["nextPageToken"])
    first["images"][0] = second["images"][0]  # this page shows what the next one shows
    with _fails("is on two pages"):
        checker.check(yc_paging, case, 200, first)


def test_paging_fails_a_token_the_service_then_refuses(checker: Checker) -> None:
    case, page = _list(checker, pageSize=2)
    page["nextPageToken"] = "not-a-token"
    with _fails("following nextPageToken from page 1 answered HTTP 400"):
        checker.check(yc_paging, case, 200, page)


def test_paging_follows_every_page(checker: Checker) -> None:
    case, page = _list(checker, pageSize=1)
    checker.check(yc_paging, case, 200, page)
    assert len(checker.fake.journal.calls("List")) == SEEDED  # one page per image, all read


# --- yc_errors ------------------------------------------------------------------------------
def test_errors_passes_real_errors(checker: Checker) -> None:
    missing = checker.case(IMAGE, "GET", path_parameters={"imageId": "fd8nothere"})
    checker.check(yc_errors, missing, 404, checker.api.get(f"{IMAGES}/fd8nothere").json())
    query = {"folderId": FOLDER, "pageSize": 5000}
    bad = checker.api.get(IMAGES, params=query)
    assert bad.status_code == 400
    checker.check(yc_errors, checker.case(IMAGES, "GET", query=query), 400, bad.json())


def test_errors_passes_unimplemented_as_405(checker: Checker) -> None:
    case = checker.case(IMAGES, "GET", query={"folderId": FOLDER})
    checker.check(yc_errors, case, 405, {"code": 12, "message": "Method PUT not allowed"})


@pytest.mark.parametrize(
    ("status", "body", "match"),
    [
        (500, {"code": 5}, "HTTP 500 for NOT_FOUND; API.md's table says 404"),
        (404, b"<html>Not Found</html>", "without a google.rpc.Status body"),
        (400, {"code": 0}, "is not an error code"),
        (400, {"code": 3, "message": "bad"}, "INVALID_ARGUMENT without a BadRequest"),
    ],
)
def test_errors_fails_a_bad_status(checker: Checker, status: int, body: Any, match: str) -> None:
    case = checker.case(IMAGES, "GET", query={"folderId": FOLDER})
    with _fails(match):
        checker.check(yc_errors, case, status, body)


def test_errors_fails_a_bad_request_naming_no_field_of_the_request(checker: Checker) -> None:
    violation = {"field": "colour", "description": "must be blue"}
    body = {
        "code": 3,
        "details": [{"@type": TYPE + "google.rpc.BadRequest", "fieldViolations": [violation]}],
    }
    case = checker.case(IMAGES, "GET", query={"folderId": FOLDER})
    with _fails(r"names \['colour'\], none of them a field of the request"):
        checker.check(yc_errors, case, 400, body)
    violation["field"] = "pageSize"  # a field of ListImagesRequest, even if not sent
    checker.check(yc_errors, case, 400, body)


# --- the access-binding RPCs (issue 19) -----------------------------------------------------
SET_BINDINGS = "/compute/v1/images/{resourceId}:setAccessBindings"
LIST_BINDINGS = "/compute/v1/images/{resourceId}:listAccessBindings"
SET_META = TYPE + "yandex.cloud.access.SetAccessBindingsMetadata"
RESULT = TYPE + "yandex.cloud.access.AccessBindingsOperationResult"
VIEWER = {"roleId": "viewer", "subject": {"id": "ajea", "type": "userAccount"}}


def _set_op(image_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": "fd8op", "metadata": {"@type": SET_META, "resourceId": image_id}, **fields}


def _set_case(checker: Checker, image_id: str, body: Any) -> schemathesis.Case:
    return checker.case(SET_BINDINGS, "POST", path_parameters={"resourceId": image_id}, body=body)


def test_operations_passes_real_access_binding_operations(checker: Checker) -> None:
    image = checker.image()
    body = {"accessBindings": [VIEWER]}
    running = checker.api.post(f"{IMAGES}/{image['id']}:setAccessBindings", json=body).json()
    case = _set_case(checker, image["id"], body)
    checker.check(yc_operations, case, 200, running)
    done = checker.fake.complete(running["id"])
    assert done["response"]["@type"] == RESULT
    checker.check(yc_operations, case, 200, done)


def test_operations_fails_access_metadata_naming_another_image(checker: Checker) -> None:
    image, other = checker.image(name="a"), checker.image(name="b")
    with _fails("metadata.resourceId is .* but the request was about image"):
        checker.check(yc_operations, _set_case(checker, image["id"], {}), 200, _set_op(other["id"]))


def test_operations_fails_access_metadata_without_a_resource_id(checker: Checker) -> None:
    image = checker.image()
    op = {"id": "fd8op", "metadata": {"@type": SET_META, "imageId": image["id"]}}
    with _fails("metadata.resourceId is missing"):
        checker.check(yc_operations, _set_case(checker, image["id"], {}), 200, op)


def test_operations_fails_a_done_set_answering_an_image(checker: Checker) -> None:
    image = checker.image()
    response = {"@type": TYPE + "yandex.cloud.compute.v1.Image", "id": image["id"]}
    done = _set_op(image["id"], done=True, response=response)
    with _fails("a done SetAccessBindings"):
        checker.check(yc_operations, _set_case(checker, image["id"], {}), 200, done)


def _binding_page(checker: Checker, count: int) -> tuple[schemathesis.Case, dict[str, Any]]:
    image = checker.image()
    checker.fake.put_bindings(image["id"], [f"userAccount:aje{n}" for n in range(count)])
    query = {"pageSize": 2}
    page = checker.api.get(f"{IMAGES}/{image['id']}:listAccessBindings", params=query).json()
    parameters = {"resourceId": image["id"]}
    return checker.case(LIST_BINDINGS, "GET", path_parameters=parameters, query=query), page


def test_paging_passes_real_pages_of_bindings(checker: Checker) -> None:
    case, page = _binding_page(checker, 5)
    assert len(page["accessBindings"]) == 2
    checker.check(yc_paging, case, 200, page)


def test_paging_fails_a_binding_repeated_on_the_next_page(checker: Checker) -> None:
    case, page = _binding_page(checker, 5)
    # Sorted by subject ID: aje0, aje1 on the first page, aje2 on the second.
    page["accessBindings"][1] = {
        "roleId": "compute.images.user",
        "subject": {"id": "aje2", "type": "userAccount"},
    }
    with _fails("is on two pages"):
        checker.check(yc_paging, case, 200, page)
