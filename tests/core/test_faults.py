"""Scripted faults: failed calls, latency, failed operations and lost replies."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from pytest_yc_images import (
    Code,
    ErrorFault,
    FakeImageService,
    Fault,
    LatencyFault,
    LostReplyFault,
    OperationFault,
)
from pytest_yc_images._controls import fault_from_spec

if TYPE_CHECKING:
    from tests.conftest import Api

UBUNTU = "fd8a1ejo4ucrhdihu5ge"


@pytest.mark.parametrize(
    ("code", "status"),
    [("UNAVAILABLE", 503), ("RESOURCE_EXHAUSTED", 429), (Code.INTERNAL, 500), (4, 504)],
)
def test_fail_next_fails_exactly_n_calls(
    api: Api, fake: FakeImageService, code: Code | str | int, status: int
) -> None:
    fault = fake.fail_next("Get", code, times=2)
    assert fake.unfired_faults() == [fault]
    assert [api.get(UBUNTU).status_code for _ in range(3)] == [status, status, 200]
    assert fake.fired(fault) == 2
    assert fake.unfired_faults() == []


def test_fail_next_only_hits_its_method(api: Api, fake: FakeImageService) -> None:
    fault = fake.fail_next("Create", "ABORTED")
    assert api.get(UBUNTU).status_code == 200
    assert api.list().status_code == 200
    assert fake.fired(fault) == 0
    assert api.create().status_code == 409
    assert api.list_all() == []  # the failed Create made nothing
    assert api.create().status_code == 200


def test_fail_next_any_method(api: Api, fake: FakeImageService) -> None:
    fault = fake.fail_next("*", "UNAVAILABLE", times=None)
    assert api.get(UBUNTU).status_code == 503
    assert api.list().status_code == 503
    assert api.poll("fd8someoperation0000").status_code == 503
    assert fake.fired(fault) == 3


def test_scripted_message_is_used(api: Api, fake: FakeImageService) -> None:
    fake.fail_next("List", "UNAVAILABLE", message="try later")
    assert api.list().json()["message"] == "try later"


def test_latency_delays_the_reply(api: Api, fake: FakeImageService) -> None:
    fault = fake.add_latency("Get", 0.05, times=1)
    start = time.monotonic()
    assert api.get(UBUNTU).status_code == 200
    assert time.monotonic() - start >= 0.05
    assert fake.fired(fault) == 1
    api.get(UBUNTU)
    assert fake.fired(fault) == 1  # used up: times=1
    assert fake.fired(fault) == fault.times  # used up


def test_failed_create_operation_leaves_the_image_in_error(
    api: Api, fake: FakeImageService
) -> None:
    fault = fake.fail_next_operation("Create", "RESOURCE_EXHAUSTED")
    op = api.create(name="doomed").json()
    assert fake.fired(fault) == 1
    done = api.poll(op["id"]).json()
    assert done["done"] is True
    assert done["error"]["code"] == 8
    assert api.get(op["metadata"]["imageId"]).json()["status"] == "ERROR"
    ok = api.create(name="fine").json()  # used up: the next one succeeds
    assert "error" not in api.poll(ok["id"]).json()


def test_failed_operation_after_polls(api: Api, fake: FakeImageService) -> None:
    fake.fail_next_operation("Create", "INTERNAL", after_polls=2)
    op = api.create().json()
    assert api.poll(op["id"]).json()["done"] is False
    assert api.poll(op["id"]).json()["done"] is False
    assert api.get(op["metadata"]["imageId"]).json()["status"] == "CREATING"
    done = api.poll(op["id"]).json()
    assert done["error"]["code"] == 13
    assert api.get(op["metadata"]["imageId"]).json()["status"] == "ERROR"


def test_failed_operation_is_failed_in_the_first_reply_when_immediate(
    make_api: Callable[..., Api],
) -> None:
    fake = FakeImageService(completion="immediate")
    fake.fail_next_operation("Create", "INTERNAL")
    op = make_api(fake).create().json()
    assert op["done"] is True
    assert op["error"]["code"] == 13


def test_failed_delete_operation_leaves_the_image_ready(api: Api, fake: FakeImageService) -> None:
    image = api.ready_image(name="survivor")
    fake.fail_next_operation("Delete", "INTERNAL")
    op = api.delete(image["id"]).json()
    assert api.get(image["id"]).json()["status"] == "DELETING"
    assert api.poll(op["id"]).json()["error"]["code"] == 13
    assert api.get(image["id"]).json()["status"] == "READY"


def test_failed_update_operation_changes_nothing(api: Api, fake: FakeImageService) -> None:
    image = api.ready_image(name="stable")
    fake.fail_next_operation("Update", "INTERNAL")
    op = api.update(image["id"], updateMask="name", name="changed").json()
    assert api.poll(op["id"]).json()["error"]["code"] == 13
    assert api.get(image["id"]).json() == image


def test_lost_reply_applies_the_change(api: Api, fake: FakeImageService) -> None:
    fault = fake.lose_reply("Create")
    lost = api.create(name="lost", idempotency_key="8a3b4c5d-6e7f-4081-9c9d-1e2f3a4b5c6d")
    assert lost.status_code == 503
    assert lost.json()["code"] == 14
    assert fake.fired(fault) == 1
    assert [i["name"] for i in api.list_all()] == ["lost"]  # it happened anyway
    retry = api.create(name="lost", idempotency_key="8a3b4c5d-6e7f-4081-9c9d-1e2f3a4b5c6d")
    assert retry.status_code == 200
    assert retry.json()["metadata"]["imageId"] == api.list_all()[0]["id"]
    assert len(fake.operations()) == 1
    assert len(api.list_all()) == 1


def test_lost_reply_retried_without_a_key_conflicts(api: Api, fake: FakeImageService) -> None:
    fake.lose_reply("Create")
    assert api.create(name="twice").status_code == 503
    assert api.create(name="twice").status_code == 409


def test_unfired_faults_are_listed(api: Api, fake: FakeImageService) -> None:
    used = fake.fail_next("Get")
    unused = fake.fail_next("Delete")
    never = fake.lose_reply("Update")
    api.get(UBUNTU)
    assert fake.unfired_faults() == [unused, never]
    assert fake.faults == [used, unused, never]
    assert [fake.fired(f) for f in fake.faults] == [1, 0, 0]


def test_unknown_fault_method_is_refused(fake: FakeImageService) -> None:
    with pytest.raises(ValueError, match="unknown method"):
        fake.fail_next("Frobnicate")


# --- the fault types -------------------------------------------------------------------
DESCRIBED = [
    (
        ErrorFault("ImageService.Get", Code.INTERNAL, times=2),
        1,
        "fail with INTERNAL on ImageService.Get (2 call(s); fired 1)",
    ),
    (ErrorFault("*", times=None), 3, "fail with UNAVAILABLE on * (every call; fired 3)"),
    (
        LatencyFault("ImageService.List", 0.25),
        0,
        "add 0.25 s of latency on ImageService.List (every call; fired 0)",
    ),
    (
        LostReplyFault("ImageService.Create"),
        1,
        "apply the change but lose the reply (UNAVAILABLE) on ImageService.Create "
        "(1 call(s); fired 1)",
    ),
    (
        OperationFault("ImageService.Create", Code.ABORTED, after_polls=2),
        0,
        "end the operation in ABORTED after 2 polls on ImageService.Create (1 call(s); fired 0)",
    ),
    (
        OperationFault("ImageService.Delete", times=3),
        0,
        "end the operation in INTERNAL on ImageService.Delete (3 call(s); fired 0)",
    ),
]


@pytest.mark.parametrize(("fault", "fired", "text"), DESCRIBED)
def test_describe_texts(fault: Fault, fired: int, text: str) -> None:
    assert fault.describe(fired) == text
    assert fault.describe() == text.replace(f"fired {fired})", "fired 0)")


@pytest.mark.parametrize(("fault", "fired", "text"), DESCRIBED)
def test_fault_types_are_frozen(fault: Fault, fired: int, text: str) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        fault.method = "ImageService.List"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fault.times = 5  # type: ignore[misc]
    assert fault.describe(fired) == text


def test_fault_methods_return_their_types(fake: FakeImageService) -> None:
    made = [
        fake.fail_next("Get", "INTERNAL", times=2, message="m"),
        fake.add_latency("List", 0.5),
        fake.lose_reply("Create"),
        fake.fail_next_operation("Delete", "ABORTED", after_polls=1),
    ]
    assert made == [
        ErrorFault("ImageService.Get", Code.INTERNAL, "m", 2),
        LatencyFault("ImageService.List", 0.5, None),
        LostReplyFault("ImageService.Create", 1),
        OperationFault("ImageService.Delete", Code.ABORTED, "", 1, 1),
    ]
    assert all(isinstance(fault, Fault) for fault in made)
    assert fake.faults == made


def test_fired_counts_are_kept_per_scripted_fault(api: Api, fake: FakeImageService) -> None:
    first = fake.fail_next("Get")
    second = fake.fail_next("Get")
    assert first == second  # equal values, counted apart
    assert api.get(UBUNTU).status_code == 503
    assert (fake.fired(first), fake.fired(second)) == (1, 0)
    assert fake.unfired_faults() == [second]
    assert api.get(UBUNTU).status_code == 503
    assert (fake.fired(first), fake.fired(second)) == (1, 1)
    assert api.get(UBUNTU).status_code == 200
    with pytest.raises(ValueError, match="not a scripted fault"):
        fake.fired(ErrorFault("ImageService.Get"))
    fake.reset()
    assert fake.faults == []


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        (
            {"method": "Create", "code": "UNAVAILABLE", "times": 1},
            ErrorFault("Create", Code.UNAVAILABLE, "", 1),
        ),
        ({"kind": "error", "method": "*", "times": None}, ErrorFault("*", times=None)),
        ({"kind": "latency", "method": "Get", "seconds": 2}, LatencyFault("Get", 2, times=1)),
        ({"kind": "lost_reply", "method": "Delete"}, LostReplyFault("Delete", 1)),
        (
            {"kind": "operation_error", "method": "Create", "afterPolls": 2},
            OperationFault("Create", Code.UNAVAILABLE, after_polls=2),
        ),
        (
            {"kind": "operation_error", "method": "Create", "after_polls": 2, "code": 13},
            OperationFault("Create", Code.INTERNAL, after_polls=2),
        ),
        (  # a field the kind does not read is left out
            {"kind": "latency", "method": "Get", "seconds": 1, "code": "INTERNAL"},
            LatencyFault("Get", 1, times=1),
        ),
    ],
)
def test_fault_from_spec(spec: dict[str, Any], fault: Fault) -> None:
    assert fault_from_spec(spec) == fault
    assert type(fault_from_spec(spec)) is type(fault)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"kind": "meteor", "method": "Get"},
            "kind: must be one of error, latency, lost_reply, operation_error",
        ),
        ({"kind": "error"}, "method: is required"),
        ({"method": "Get", "colour": "red"}, "colour: unknown field"),
        ({"method": "Get", "code": "NOPE"}, r"code: must be a google.rpc.Code other than OK"),
    ],
)
def test_fault_from_spec_refuses(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fault_from_spec(spec)


def test_add_fault_takes_a_fault_or_a_spec(api: Api, fake: FakeImageService) -> None:
    by_spec = fake.add_fault({"method": "Get", "code": "NOT_FOUND"})
    by_type = fake.add_fault(LostReplyFault("Create"))
    assert fake.faults == [
        ErrorFault("ImageService.Get", Code.NOT_FOUND),
        LostReplyFault("ImageService.Create"),
    ]
    assert api.get(UBUNTU).status_code == 404
    assert api.create().status_code == 503
    assert (fake.fired(by_spec), fake.fired(by_type)) == (1, 1)
    with pytest.raises(ValueError, match="times: must be at least 1"):
        fake.add_fault(ErrorFault("Get", times=0))
    with pytest.raises(ValueError, match="unknown method"):
        fake.add_fault({"method": "Frobnicate"})
    assert len(fake.faults) == 2


def test_http_faults_list_every_field_of_every_kind(api: Api, fake: FakeImageService) -> None:
    fake.fail_next("Get", "INTERNAL")
    fake.add_latency("List", 0.01, times=2)
    fake.lose_reply("Create")
    fake.fail_next_operation("Delete", after_polls=3)
    api.get(UBUNTU)
    listed = api.http.get("/_fake/faults").json()["faults"]
    assert listed == [
        {
            "kind": "error",
            "method": "ImageService.Get",
            "code": "INTERNAL",
            "times": 1,
            "seconds": 0.0,
            "afterPolls": 0,
            "fired": 1,
            "description": "fail with INTERNAL on ImageService.Get (1 call(s); fired 1)",
        },
        {
            "kind": "latency",
            "method": "ImageService.List",
            "code": "UNAVAILABLE",
            "times": 2,
            "seconds": 0.01,
            "afterPolls": 0,
            "fired": 0,
            "description": "add 0.01 s of latency on ImageService.List (2 call(s); fired 0)",
        },
        {
            "kind": "lost_reply",
            "method": "ImageService.Create",
            "code": "UNAVAILABLE",
            "times": 1,
            "seconds": 0.0,
            "afterPolls": 0,
            "fired": 0,
            "description": "apply the change but lose the reply (UNAVAILABLE) on "
            "ImageService.Create (1 call(s); fired 0)",
        },
        {
            "kind": "operation_error",
            "method": "ImageService.Delete",
            "code": "INTERNAL",
            "times": 1,
            "seconds": 0.0,
            "afterPolls": 3,
            "fired": 0,
            "description": "end the operation in INTERNAL after 3 polls on ImageService.Delete "
            "(1 call(s); fired 0)",
        },
    ]
