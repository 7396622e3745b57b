"""The bounds of the controls' fields: values at a bound are taken, the messages of a
refusal among choices list the valid ones, and the virtual clock stays within the years
RFC 3339 can write (issue 15, items 2 and 3; the refusals are in test_control_bounds)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest

from pytest_yc_images import Code, FakeImageService, ServiceError
from pytest_yc_images._core.clock import MAX_TIME, MIN_TIME, VirtualClock
from pytest_yc_images._core.faults import ErrorFault
from tests.conftest import FOLDER, checked_client

NAN = float("nan")
INF = float("inf")
INT64_MAX = 2**63 - 1


@pytest.fixture
def fake() -> FakeImageService:
    return FakeImageService(seed="limits", completion="manual")


# --- messages list the valid choices --------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "choices"),
    [
        (lambda f: setattr(f, "completion", "x"), "on-poll, immediate, manual, clock"),
        (lambda f: f.add_fault({"kind": "meteor", "method": "Get"}), "error, latency, lost_reply"),
        (lambda f: f.fail_next("Get", "OK"), "CANCELLED (1), UNKNOWN (2)"),
        (lambda f: f.fail_next("Get", "OK"), "UNAUTHENTICATED (16)"),
        (lambda f: f.fail_next("Frobnicate"), "ImageService.Create"),
        (lambda f: f.put_image(folderId=FOLDER, status="x"), "CREATING, READY, ERROR, DELETING"),
        (lambda f: f.put_image(folderId=FOLDER, os={"type": "x"}), "LINUX, WINDOWS"),
    ],
)
def test_a_refusal_among_choices_lists_the_valid_ones(
    fake: FakeImageService, call: Callable[[FakeImageService], Any], choices: str
) -> None:
    with pytest.raises(ServiceError, match=re.escape(choices)):
        call(fake)


# --- the bounds themselves are allowed ------------------------------------------------------
def test_values_at_the_bounds_are_taken(fake: FakeImageService) -> None:
    assert fake.add_latency("Get", 60, times=1).seconds == 60
    assert fake.fail_next("Get", times=1_000_000).times == 1_000_000
    assert fake.fail_next_operation("Create", after_polls=0).after_polls == 0
    assert fake.fail_next("Get", 16).code is Code.UNAUTHENTICATED  # type: ignore[arg-type]
    assert fake.fail_next("Get", " internal ").code is Code.INTERNAL  # any case, as before
    fake.add_disk("d1", folder_id=FOLDER, size=INT64_MAX)
    fake.add_snapshot("s1", folder_id=FOLDER, storage_size=0, disk_size=str(INT64_MAX))
    assert fake.service.store.snapshots["s1"].disk_size == INT64_MAX
    first = fake.put_image(folderId=FOLDER, createdAt="0001-01-01T00:00:00Z", storageSize=0)
    last = fake.put_image(
        folderId=FOLDER, createdAt="9999-12-31T23:59:59Z", storageSize=str(INT64_MAX)
    )
    assert first["createdAt"] == "0001-01-01T00:00:00Z"
    for when in ("0999-12-31T23:59:59.500Z", "1969-12-31T23:59:59.250Z"):  # before 1000, 1970
        assert fake.put_image(folderId=FOLDER, createdAt=when)["createdAt"] == when
    assert (last["createdAt"], last["storageSize"]) == ("9999-12-31T23:59:59Z", str(INT64_MAX))
    fake.advance(MAX_TIME - fake.clock.now())  # to the last second RFC 3339 can write
    fake.completion = "on-poll"
    with checked_client(fake) as client:
        created = client.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "late"},
        )
        assert created.status_code == 200, created.text
        assert created.json()["createdAt"] == "9999-12-31T23:59:59Z"
    with pytest.raises(ServiceError, match="seconds: cannot move the clock past"):
        fake.advance(1)


def test_http_values_at_the_bounds_are_taken(fake: FakeImageService) -> None:
    with checked_client(fake) as client:
        for body in (
            {"kind": "latency", "method": "Get", "seconds": 60},
            {"kind": "error", "method": "Get", "times": 1_000_000, "message": "m" * 1024},
            {"kind": "operation_error", "method": "Create", "afterPolls": 1_000_000},
            {"kind": "error", "method": "Get", "times": 2.0},  # an integer, as JSON Schema says
        ):
            assert client.post("/_fake/faults", json=body).status_code == 200, body
        assert fake.faults[-1].times == 2
        assert type(fake.faults[-1].times) is int
        disk = {"id": "d", "folderId": FOLDER, "size": str(INT64_MAX)}
        assert client.post("/_fake/disks", json=disk).status_code == 200
        assert fake.service.store.disks["d"].size == INT64_MAX


def test_a_typed_fault_that_passes_is_scripted_itself(fake: FakeImageService) -> None:
    fault = ErrorFault("ImageService.Get", Code.INTERNAL)
    assert fake.add_fault(fault) is fault
    assert fake.fired(fault) == 0


def test_put_image_stores_any_status_and_every_documented_field(fake: FakeImageService) -> None:
    for status in ("CREATING", "READY", "ERROR", "DELETING"):
        image = fake.put_image(
            folderId=FOLDER,
            id=f"fd8bounds{status.lower()}",
            name=f"n-{status.lower()}",
            description="d",
            labels={"k": "v"},
            family="fam-ily",
            productIds=["p"],
            status=status,
            os={"type": "WINDOWS"},
            pooled=True,
            storageSize=5,
            minDiskSize="6",
        )
        assert image["status"] == status
        assert (image["storageSize"], image["minDiskSize"]) == ("5", "6")


# --- the clock itself -----------------------------------------------------------------------
def test_the_clock_stays_within_rfc_3339_years() -> None:
    clock = VirtualClock(MAX_TIME - 10)
    with pytest.raises(ValueError, match="past 9999-12-31T23:59:59Z"):
        clock.advance(11)
    assert clock.now() == MAX_TIME - 10
    for bad in (NAN, INF, -INF):
        with pytest.raises(ValueError, match="not a finite number"):
            clock.advance(bad)
    assert clock.advance(10) == MAX_TIME
    for start in (MIN_TIME - 1, MAX_TIME + 1, NAN, INF):
        with pytest.raises(ValueError, match="0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"):
            VirtualClock(start)
    with pytest.raises(ValueError, match="9999-12-31T23:59:59Z"):
        clock.set(math.inf)
    assert VirtualClock(MIN_TIME).now() == MIN_TIME


def test_a_fake_cannot_start_outside_rfc_3339_years() -> None:
    with pytest.raises(ValueError, match="9999-12-31T23:59:59Z"):
        FakeImageService(start_time=1e20)


def test_http_reply_of_a_refused_control_is_a_status(fake: FakeImageService) -> None:
    with checked_client(fake) as client:
        reply = client.post("/_fake/clock:advance", json={"seconds": 1e20})
    assert reply.status_code == 400
    assert reply.json()["message"] == (
        "Request validation error: seconds: must be at most 315537897599"
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "web\n"}, "name"),
        ({"family": "fam\n"}, "family"),
        ({"id": "fd8abc\n"}, "id"),
        ({"labels": {"a\n": "b"}}, "labels"),
    ],
)
def test_a_final_newline_is_refused_by_the_quick_check_too(
    fake: FakeImageService, fields: dict[str, Any], field: str
) -> None:
    """JSON Schema's $ is ECMA's (the very end); the quick check must not take what the
    full check refuses."""
    with pytest.raises(ServiceError) as raised:
        fake.put_image(folderId=FOLDER, **fields)
    assert field in [v.field for v in raised.value.violations]
    assert fake.images(FOLDER) == []


def test_a_bad_completion_mode_or_code_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="the modes: on-poll, immediate, manual, clock"):
        FakeImageService(completion="eventually")
    for bad in ("NOPE", 99):
        with pytest.raises(ValueError, match=re.escape("the codes: OK (0), CANCELLED (1)")):
            Code.parse(bad)
