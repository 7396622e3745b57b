"""Scripted faults: failed calls, latency, failed operations and lost replies."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from pytest_yc_images import Code, FakeImageService

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
    assert "done" not in api.poll(op["id"]).json()
    assert "done" not in api.poll(op["id"]).json()
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
    lost = api.create(name="lost", idempotency_key="k-1")
    assert lost.status_code == 503
    assert lost.json()["code"] == 14
    assert fake.fired(fault) == 1
    assert [i["name"] for i in api.list_all()] == ["lost"]  # it happened anyway
    retry = api.create(name="lost", idempotency_key="k-1")
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
