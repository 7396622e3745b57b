"""Comparison of two normalised outcomes, with hand-written outcomes (no service runs)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images.conformance.differential.compare import Context, compare
from pytest_yc_images.conformance.differential.program import WAIT, Step
from pytest_yc_images.conformance.differential.side import Pending

GET = Step("ImageService.Get", path={"imageId": "<image#1>"})
CREATE = Step("ImageService.Create", body={"folderId": "<folder>", "name": "ycc-<run>-a"})
LIST = Step("ImageService.List", query={"folderId": "<folder>"}, pages=True)
CANCEL = Step("OperationService.Cancel", path={"operationId": "<op#1>"})
QUIET = Context()
CREATE_TYPE = "type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata"


def _image(symbol: str = "<image#1>", **fields: Any) -> dict[str, Any]:
    return {
        "id": symbol,
        "folderId": "<folder>",
        "name": f"ycc-<run>-{symbol[-2]}",
        "status": "READY",
        "createdAt": "<timestamp>",
        "storageSize": "4194304",
        **fields,
    }


def _ok(body: Any) -> dict[str, Any]:
    return {"http": 200, "body": body}


def _not_found() -> dict[str, Any]:
    return {"http": 404, "body": {"code": 5, "message": "<text>"}}


def _operation(done: bool, **fields: Any) -> dict[str, Any]:
    return {
        "id": "<op#1>",
        "createdBy": "<text>",
        "createdAt": "<timestamp>",
        "done": done,
        "metadata": {"@type": CREATE_TYPE, "imageId": "<image#1>"},
        **fields,
    }


def _running(method: str, image: str = "<image#1>", mask: tuple[str, ...] = ()) -> Context:
    """The context of a step sent while ``method`` on ``image`` runs on side A only."""
    return Context.of(
        {"<op#1>": Pending(method, image, mask)}, {}, uncertain=set(), cancelled=set()
    )


def _listing(*pages: list[str], order: Any = "by id asc") -> dict[str, Any]:
    return {"http": 200, "pages": [[_image(s) for s in page] for page in pages], "order": order}


# --- plain outcomes --------------------------------------------------------------------------
def test_identical_outcomes_do_not_differ() -> None:
    assert compare(GET, _ok(_image()), _ok(_image()), QUIET) == []
    assert compare(GET, _not_found(), _not_found(), QUIET) == []


def test_a_different_http_status_is_the_difference() -> None:
    assert compare(GET, _ok(_image()), _not_found(), QUIET) == ["HTTP 200 | HTTP 404"]


def test_a_different_field_is_named_by_its_path() -> None:
    found = compare(GET, _ok(_image(labels={"a": "1"})), _ok(_image(labels={"a": "2"})), QUIET)
    assert found == ["body.labels.a: '1' | '2'"]


def test_a_field_on_one_side_only_is_named() -> None:
    found = compare(GET, _ok(_image(family="fa")), _ok(_image()), QUIET)
    assert found == ["body.family: 'fa' | '(absent)'"]


def test_a_different_json_type_is_a_difference() -> None:
    found = compare(GET, _ok(_image(minDiskSize="1")), _ok(_image(minDiskSize=1)), QUIET)
    assert found == ["body.minDiskSize: '1' | 1"]
    assert compare(GET, _ok(_image(pooled=True)), _ok(_image(pooled=1)), QUIET) != []


def test_a_different_error_code_is_a_difference() -> None:
    a = {"http": 400, "body": {"code": 3, "message": "<text>"}}
    b = {"http": 400, "body": {"code": 9, "message": "<text>"}}
    assert compare(CREATE, a, b, QUIET) == ["body.code: 3 | 9"]


def test_a_reply_that_is_not_json_differs_from_one_that_is() -> None:
    assert compare(GET, {"http": 200, "text": "<html>"}, _ok(_image()), QUIET) != []


def test_a_skipped_step_compares_as_the_same() -> None:
    assert compare(GET, {"skipped": "not expressible over gRPC"}, _not_found(), QUIET) == []


# --- operations ----------------------------------------------------------------------------
def test_an_operation_not_done_on_one_side_compares_without_its_outcome() -> None:
    running = _ok(_operation(False))
    done = _ok(_operation(True, modifiedAt="<timestamp>", response=_image()))
    assert compare(CREATE, running, done, QUIET) == []
    assert compare(CREATE, done, running, QUIET) == []


def test_an_operation_not_done_still_compares_its_metadata() -> None:
    running = _ok(_operation(False))
    other = _operation(True, response=_image())
    other["metadata"] = {"@type": CREATE_TYPE, "imageId": "<image#2>"}
    assert compare(CREATE, running, _ok(other), QUIET) == [
        "body.metadata.imageId: '<image#1>' | '<image#2>'"
    ]


def test_two_done_operations_compare_their_outcome() -> None:
    a = _ok(_operation(True, response=_image()))
    b = _ok(_operation(True, error={"code": 9, "message": "<text>"}))
    found = compare(Step(WAIT, path={"operationId": "<op#1>"}), a, b, QUIET)
    assert [d.split(":")[0] for d in found] == ["body.error", "body.response"]
    assert found[0] == 'body.error: \'(absent)\' | {"code": 9, "message": "<text>"}'


# --- reads while an operation runs ---------------------------------------------------------
@pytest.mark.parametrize("statuses", [("CREATING", "READY"), ("READY", "CREATING")])
def test_a_get_while_create_runs_accepts_creating_or_ready(statuses: tuple[str, str]) -> None:
    a, b = _image(status=statuses[0]), _image(status=statuses[1])
    a.pop("storageSize")  # set at READY: may be missing while CREATING
    assert compare(GET, _ok(a), _ok(b), _running("Create")) == []


def test_a_get_while_create_runs_does_not_accept_error() -> None:
    found = compare(GET, _ok(_image(status="ERROR")), _ok(_image()), _running("Create"))
    assert found == ["body.status: 'ERROR' | 'READY'"]


def test_a_get_while_create_runs_still_compares_the_rest() -> None:
    found = compare(
        GET, _ok(_image(status="CREATING", name="x")), _ok(_image()), _running("Create")
    )
    assert found == ["body.name: 'x' | 'ycc-<run>-1'"]


def test_creating_against_ready_is_a_difference_when_nothing_runs() -> None:
    assert compare(GET, _ok(_image(status="CREATING")), _ok(_image()), QUIET) != []


def test_a_get_while_delete_runs_accepts_not_found_against_the_image() -> None:
    context = _running("Delete")
    assert compare(GET, _not_found(), _ok(_image()), context) == []
    assert compare(GET, _ok(_image(status="DELETING")), _not_found(), context) == []


def test_a_get_while_delete_runs_does_not_accept_any_answer() -> None:
    context = _running("Delete")
    assert compare(GET, _ok(_image(status="CREATING")), _not_found(), context) != []
    bad = {"http": 400, "body": {"code": 3, "message": "<text>"}}
    found = compare(GET, _not_found(), bad, context)
    assert len(found) == 1
    assert found[0].startswith("side B during a Delete")


def test_not_found_against_the_image_is_a_difference_when_nothing_runs() -> None:
    assert compare(GET, _not_found(), _ok(_image()), QUIET) == ["HTTP 404 | HTTP 200"]


def test_a_get_while_update_runs_accepts_old_or_new_masked_fields_only() -> None:
    context = _running("Update", mask=("name",))
    assert compare(GET, _ok(_image(name="old")), _ok(_image(name="new")), context) == []
    found = compare(GET, _ok(_image(description="old")), _ok(_image(description="new")), context)
    assert found == ["body.description: 'old' | 'new'"]


# --- List pages ----------------------------------------------------------------------------
def test_pages_compare_as_sets_of_items() -> None:
    a = _listing(["<image#1>", "<image#2>"], ["<image#3>"])
    b = _listing(["<image#2>", "<image#1>"], ["<image#3>"])
    assert compare(LIST, a, b, QUIET) == []


def test_page_sizes_are_compared_when_nothing_runs() -> None:
    a = _listing(["<image#1>", "<image#2>"], ["<image#3>"])
    b = _listing(["<image#1>"], ["<image#2>", "<image#3>"])
    assert compare(LIST, a, b, QUIET) == ["page sizes[0]: 2 | 1", "page sizes[1]: 1 | 2"]


def test_page_sizes_are_not_compared_while_an_image_of_the_list_changes() -> None:
    a = _listing(["<image#1>", "<image#2>"], ["<image#3>"])
    b = _listing(["<image#1>"], ["<image#2>", "<image#3>"])
    assert compare(LIST, a, b, _running("Delete", "<image#3>")) == []


def test_an_image_on_one_side_only_is_a_difference() -> None:
    found = compare(LIST, _listing(["<image#1>", "<image#2>"]), _listing(["<image#1>"]), QUIET)
    assert 'items: ["<image#1>", "<image#2>"] | ["<image#1>"]' in found


def test_an_image_being_created_is_listed_on_both_sides() -> None:
    """A Create's image exists (CREATING or READY) from the Create's answer on: it does not
    move in a List; an image being deleted may be on one side only."""
    a = _listing(["<image#1>", "<image#2>"])
    b = _listing(["<image#1>"])
    assert compare(LIST, a, b, _running("Create", "<image#2>")) != []
    assert compare(LIST, a, b, _running("Delete", "<image#2>")) == []


def test_items_of_a_list_are_compared_field_by_field() -> None:
    a = {"http": 200, "pages": [[_image(), _image("<image#2>")]], "order": "by id asc"}
    b = {
        "http": 200,
        "pages": [[_image(), _image("<image#2>", status="ERROR")]],
        "order": "by id asc",
    }
    assert compare(LIST, a, b, QUIET) == ["item <image#2>.status: 'READY' | 'ERROR'"]


def test_a_defined_order_is_compared_exactly() -> None:
    step = Step(
        "ImageService.List", query={"folderId": "<folder>", "orderBy": "name asc"}, pages=True
    )
    a = _listing(["<image#1>", "<image#2>"], order=[["<image#1>"], ["<image#2>"]])
    b = _listing(["<image#1>", "<image#2>"], order=[["<image#2>"], ["<image#1>"]])
    assert compare(step, a, a, QUIET) == []
    assert compare(step, a, b, QUIET) == [
        "order: <image#1> before <image#2> | <image#2> before <image#1>"
    ]


def test_items_tied_on_one_side_may_be_in_any_order_on_the_other() -> None:
    """Equal keys (two images created in the same instant) form one group: the other side
    may order them either way, but no two items may be in opposite strict order."""
    step = Step(
        "ImageService.List",
        query={"folderId": "<folder>", "orderBy": "createdAt desc"},
        pages=True,
    )
    tied = _listing(["<image#1>", "<image#2>"], order=[["<image#1>", "<image#2>"]])
    apart = _listing(["<image#2>", "<image#1>"], order=[["<image#2>"], ["<image#1>"]])
    assert compare(step, tied, apart, QUIET) == []
    assert compare(step, apart, tied, QUIET) == []
    three = _listing(
        ["<image#1>", "<image#2>", "<image#3>"], order=[["<image#3>"], ["<image#1>", "<image#2>"]]
    )
    other = _listing(
        ["<image#1>", "<image#2>", "<image#3>"], order=[["<image#1>"], ["<image#2>", "<image#3>"]]
    )
    assert compare(step, three, other, QUIET) == [
        "order: <image#3> before <image#1> | <image#1> before <image#3>"
    ]


@pytest.mark.parametrize(
    "context", [QUIET, _running("Create", "<image#9>")], ids=["quiet", "while-a-create-runs"]
)
def test_a_side_not_sorted_by_its_own_ids_is_a_difference(context: Context) -> None:
    a = _listing(["<image#1>", "<image#2>"], order="by id asc")
    b = _listing(["<image#1>", "<image#2>"], order="by id asc: NOT SORTED")
    assert compare(LIST, a, b, context) != []
    assert compare(LIST, b, b, context) == []


def test_a_page_error_compares_as_an_error() -> None:
    error = {"http": 400, "body": {"code": 3, "message": "<text>"}, "page": 2}
    assert compare(LIST, error, _listing(["<image#1>"]), QUIET) == ["HTTP 400 | HTTP 200"]


# --- Cancel --------------------------------------------------------------------------------
def test_cancel_compares_as_cancelled_or_already_done() -> None:
    done = _ok(_operation(True, response=_image()))
    cancelled = _ok(_operation(True, error={"code": 1, "message": "<text>"}))
    running = _ok(_operation(False))
    for a in (done, cancelled, running):
        for b in (done, cancelled, running):
            assert compare(CANCEL, a, b, QUIET) == [], (a, b)


def test_cancel_done_without_response_or_error_is_a_difference() -> None:
    empty = _ok(_operation(True))
    found = compare(CANCEL, empty, _ok(_operation(True, response=_image())), QUIET)
    assert found == ["outcome: 'done without response or error' | 'running, or cancelled, or done'"]


def test_cancel_still_compares_status_and_metadata() -> None:
    assert compare(CANCEL, _not_found(), _ok(_operation(True)), QUIET) == ["HTTP 404 | HTTP 200"]
    other = _operation(False)
    other["metadata"] = {"@type": "wrong"}
    assert compare(CANCEL, _ok(_operation(False)), _ok(other), QUIET) != []


def test_an_operation_a_cancel_raced_compares_by_shape_later() -> None:
    context = Context.of({}, {}, uncertain={"<image#1>"}, cancelled={"<op#1>"})
    get_op = Step("OperationService.Get", path={"operationId": "<op#1>"})
    a = _ok(_operation(True, response=_image()))
    b = _ok(_operation(True, error={"code": 1, "message": "<text>"}))
    assert compare(get_op, a, b, context) == []
    assert compare(get_op, a, b, QUIET) != []
