"""Controls accept only what a service could answer (issue 15, items 2 and 3).

Each bad value is refused through HTTP (400, a BadRequest naming the field) and through the
Python API (a ServiceError INVALID_ARGUMENT naming the field, also a ValueError), with the
fake's state (images, operations, faults, clock, completion, disks, snapshots, IDs)
unchanged, and the API still working after it: a Create answers 200 and its operation
finishes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_yc_images import Code, FakeImageService, ServiceError
from pytest_yc_images._core.faults import ErrorFault, LatencyFault, OperationFault
from tests.conftest import FOLDER, checked_client, fake_state

NAN = float("nan")
INF = float("inf")
INT64_MAX = 2**63 - 1


def _state(fake: FakeImageService) -> tuple[Any, ...]:
    return (*fake_state(fake), fake.service.ids.state())  # a refusal draws no ID either


@pytest.fixture
def fake() -> FakeImageService:
    """A fake with one running operation (manual completion) to :fail, and a fault."""
    made = FakeImageService(seed="bounds", completion="manual")
    with checked_client(made) as client:
        assert (
            client.post(
                "/compute/v1/images",
                json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2"},
            ).status_code
            == 200
        )
    made.fail_next("Delete")
    return made


def _running(fake: FakeImageService) -> str:
    [op] = [o["id"] for o in fake.operations() if not o.get("done")]
    return str(op)


def _still_serves(fake: FakeImageService) -> None:
    """After a refusal a Create answers 200 and its operation finishes, without an error."""
    fake.completion = "on-poll"
    with checked_client(fake) as client:
        created = client.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "after"},
        )
        assert created.status_code == 200, created.text
        polled = client.get(f"/operations/{created.json()['id']}")
        assert polled.status_code == 200, polled.text
        assert polled.json()["done"] is True
        assert "error" not in polled.json()
        image = client.get(f"/compute/v1/images/{created.json()['metadata']['imageId']}")
        assert image.status_code == 200
        assert image.json()["createdAt"].startswith("2026-")


# --- over HTTP ------------------------------------------------------------------------------
# (path, the body as JSON text, the field the 400 names). {op} is a running operation.
def _j(body: Any) -> str:
    return json.dumps(body)


IMG = {"folderId": FOLDER}
HTTP_CASES = [
    # the clock: finite, not negative, never past 9999-12-31T23:59:59Z
    ("/_fake/clock:advance", _j({"seconds": 1e20}), "seconds"),
    ("/_fake/clock:advance", '{"seconds": NaN}', "seconds"),
    ("/_fake/clock:advance", '{"seconds": Infinity}', "seconds"),
    ("/_fake/clock:advance", '{"seconds": -Infinity}', "seconds"),
    ("/_fake/clock:advance", _j({"seconds": 3e11}), "seconds"),  # the year 11532
    ("/_fake/clock:advance", _j({"seconds": True}), "seconds"),
    # images: the ID shape, and each field as the API documents it
    ("/_fake/images", _j({**IMG, "id": 1}), "id"),
    ("/_fake/images", _j({**IMG, "id": ""}), "id"),
    ("/_fake/images", _j({**IMG, "id": "a/b"}), "id"),
    ("/_fake/images", _j({**IMG, "id": "x" * 51}), "id"),
    ("/_fake/images", _j({"folderId": ""}), "folderId"),
    ("/_fake/images", _j({"folderId": "f" * 51}), "folderId"),
    ("/_fake/images", _j({**IMG, "name": "Bad Name"}), "name"),
    ("/_fake/images", _j({**IMG, "family": "Fam"}), "family"),
    ("/_fake/images", _j({**IMG, "description": "d" * 257}), "description"),
    ("/_fake/images", _j({**IMG, "labels": {"Bad": "x"}}), "labels"),
    ("/_fake/images", _j({**IMG, "labels": {f"k{i}": "v" for i in range(65)}}), "labels"),
    ("/_fake/images", _j({**IMG, "productIds": ["p" * 51]}), "productIds[0]"),
    ("/_fake/images", _j({**IMG, "os": {"type": "BEOS"}}), "os.type"),
    ("/_fake/images", _j({**IMG, "status": "BROKEN"}), "status"),
    ("/_fake/images", _j({**IMG, "storageSize": "huge"}), "storageSize"),
    ("/_fake/images", _j({**IMG, "storageSize": -5}), "storageSize"),
    ("/_fake/images", _j({**IMG, "storageSize": "-5"}), "storageSize"),
    ("/_fake/images", _j({**IMG, "storageSize": str(INT64_MAX + 1)}), "storageSize"),
    ("/_fake/images", _j({**IMG, "minDiskSize": INT64_MAX + 1}), "minDiskSize"),
    ("/_fake/images", _j({**IMG, "minDiskSize": 1e300}), "minDiskSize"),
    ("/_fake/images", _j({**IMG, "createdAt": "0000-01-01T00:00:00Z"}), "createdAt"),
    ("/_fake/images", _j({**IMG, "createdAt": "2026-02-30T00:00:00Z"}), "createdAt"),
    ("/_fake/images", _j({**IMG, "createdAt": "2026-13-01T00:00:00Z"}), "createdAt"),
    ("/_fake/images", _j({**IMG, "createdAt": "9999-12-31T23:59:59.5Z"}), "createdAt"),
    ("/_fake/images", _j({**IMG, "description": "\ud800"}), "description"),  # not UTF-8
    ("/_fake/images", _j({**IMG, "productIds": ["\udc00"]}), "productIds[0]"),
    # disks and snapshots: sizes are int64, not negative
    ("/_fake/disks", _j({"id": "d", **IMG, "size": "huge"}), "size"),
    ("/_fake/disks", _j({"id": "d", **IMG, "size": -1}), "size"),
    ("/_fake/disks", _j({"id": "d", **IMG, "size": str(INT64_MAX + 1)}), "size"),
    ("/_fake/disks", _j({"id": "d", **IMG, "osType": "BEOS"}), "osType"),
    ("/_fake/disks", _j({"id": "", **IMG}), "id"),
    ("/_fake/snapshots", _j({"id": "s", **IMG, "storageSize": 1.5}), "storageSize"),
    ("/_fake/snapshots", _j({"id": "s", **IMG, "diskSize": -1}), "diskSize"),
    # faults
    (
        "/_fake/faults",
        _j({"kind": "operation_error", "method": "Create", "afterPolls": "x"}),
        "afterPolls",
    ),
    (
        "/_fake/faults",
        _j({"kind": "operation_error", "method": "Create", "afterPolls": -1}),
        "afterPolls",
    ),
    (
        "/_fake/faults",
        _j({"kind": "operation_error", "method": "Create", "afterPolls": 1.5}),
        "afterPolls",
    ),
    (
        "/_fake/faults",
        _j({"kind": "operation_error", "method": "Create", "afterPolls": True}),
        "afterPolls",
    ),
    ("/_fake/faults", _j({"kind": "latency", "method": "Get", "seconds": "abc"}), "seconds"),
    ("/_fake/faults", _j({"kind": "latency", "method": "Get", "seconds": -1}), "seconds"),
    ("/_fake/faults", '{"kind": "latency", "method": "Get", "seconds": NaN}', "seconds"),
    ("/_fake/faults", '{"kind": "latency", "method": "Get", "seconds": Infinity}', "seconds"),
    ("/_fake/faults", _j({"kind": "latency", "method": "Get", "seconds": 1e300}), "seconds"),
    ("/_fake/faults", _j({"kind": "latency", "method": "Get", "seconds": 60.5}), "seconds"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "code": "OK"}), "code"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "code": 0}), "code"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "code": True}), "code"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "code": 17}), "code"),
    ("/_fake/faults", _j({"kind": "operation_error", "method": "Create", "code": "OK"}), "code"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "times": 1.5}), "times"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "times": True}), "times"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "times": 1e308}), "times"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "times": 1_000_001}), "times"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "message": {}}), "message"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "message": "m" * 1025}), "message"),
    ("/_fake/faults", _j({"kind": "error", "method": "M" * 65}), "method"),
    ("/_fake/faults", _j({"kind": "error", "method": "Frobnicate"}), "method"),
    ("/_fake/faults", _j({"kind": "error", "method": "Get", "message": "\ud800"}), "message"),
    # failing an operation: never with OK
    ("/_fake/operations/{op}:fail", _j({"code": "OK"}), "code"),
    ("/_fake/operations/{op}:fail", _j({"code": 0}), "code"),
    ("/_fake/operations/{op}:fail", _j({"code": True}), "code"),
    ("/_fake/operations/{op}:fail", _j({"message": "m" * 1025}), "message"),
]


@pytest.mark.parametrize(("path", "body", "field"), HTTP_CASES)
def test_http_refuses_naming_the_field_and_changes_nothing(
    fake: FakeImageService, path: str, body: str, field: str
) -> None:
    before = _state(fake)
    with checked_client(fake) as client:
        reply = client.post(
            path.replace("{op}", _running(fake)),
            content=body.encode(),
            headers={"Content-Type": "application/json"},
        )
    assert reply.status_code == 400, reply.text
    status = reply.json()
    assert status["code"] == Code.INVALID_ARGUMENT
    named = [v["field"] for d in status["details"] for v in d.get("fieldViolations", [])]
    assert field in named, status
    assert field in status["message"]
    assert _state(fake) == before
    _still_serves(fake)


# --- through the Python API -----------------------------------------------------------------
def _op(fake: FakeImageService) -> str:
    return _running(fake)


PYTHON_CASES: list[tuple[str, Callable[[FakeImageService], Any], str]] = [
    ("advance 1e20", lambda f: f.advance(1e20), "seconds"),
    ("advance NaN", lambda f: f.advance(NAN), "seconds"),
    ("advance Infinity", lambda f: f.advance(INF), "seconds"),
    ("advance 3e11", lambda f: f.advance(3e11), "seconds"),
    ("advance -1", lambda f: f.advance(-1), "seconds"),
    ("advance a string", lambda f: f.advance("5"), "seconds"),  # type: ignore[arg-type]
    ("advance True", lambda f: f.advance(True), "seconds"),
    ("put id 1", lambda f: f.put_image(folderId=FOLDER, id=1), "id"),
    ("put Bad Name", lambda f: f.put_image(folderId=FOLDER, name="Bad Name"), "name"),
    ("put os BEOS", lambda f: f.put_image(folderId=FOLDER, os={"type": "BEOS"}), "os.type"),
    ("put size huge", lambda f: f.put_image(folderId=FOLDER, storageSize="huge"), "storageSize"),
    (
        "put size 2**63",
        lambda f: f.put_image(folderId=FOLDER, minDiskSize=INT64_MAX + 1),
        "minDiskSize",
    ),
    (
        "put year 0",
        lambda f: f.put_image(folderId=FOLDER, createdAt="0000-01-01T00:00:00Z"),
        "createdAt",
    ),
    ("put folder 5", lambda f: f.put_image(folderId=5), "folderId"),
    ("put lone surrogate", lambda f: f.put_image(folderId=FOLDER, family="\ud800"), "family"),
    (
        "put description not UTF-8",
        lambda f: f.put_image(folderId=FOLDER, description="\ud800"),
        "description",
    ),
    ("put labels", lambda f: f.put_image(folderId=FOLDER, labels={"a": 1}), "labels.a"),
    ("put productIds", lambda f: f.put_image(folderId=FOLDER, productIds="p"), "productIds"),
    ("disk size huge", lambda f: f.add_disk("d", folder_id=FOLDER, size="huge"), "size"),
    ("disk size -1", lambda f: f.add_disk("d", folder_id=FOLDER, size=-1), "size"),
    ("disk os", lambda f: f.add_disk("d", folder_id=FOLDER, os_type="BEOS"), "osType"),
    ("disk unknown", lambda f: f.add_disk("d", folder_id=FOLDER, colour="red"), "colour"),
    (
        "snapshot 2**63",
        lambda f: f.add_snapshot("s", folder_id=FOLDER, disk_size=INT64_MAX + 1),
        "diskSize",
    ),
    ("snapshot folder", lambda f: f.add_snapshot("s", folder_id=3), "folderId"),  # type: ignore[arg-type]
    ("fail_next OK", lambda f: f.fail_next("Get", "OK"), "code"),
    ("fail_next Code.OK", lambda f: f.fail_next("Get", Code.OK), "code"),
    ("fail_next 0", lambda f: f.fail_next("Get", 0), "code"),  # type: ignore[arg-type]
    ("fail_next True", lambda f: f.fail_next("Get", True), "code"),  # type: ignore[arg-type]
    ("fail_next NOPE", lambda f: f.fail_next("Get", "NOPE"), "code"),
    ("fail_next times 1.5", lambda f: f.fail_next("Get", times=1.5), "times"),  # type: ignore[arg-type]
    ("fail_next times True", lambda f: f.fail_next("Get", times=True), "times"),
    ("fail_next times 1e308", lambda f: f.fail_next("Get", times=1e308), "times"),  # type: ignore[arg-type]
    ("fail_next times 0", lambda f: f.fail_next("Get", times=0), "times"),
    ("fail_next message", lambda f: f.fail_next("Get", message={}), "message"),  # type: ignore[arg-type]
    ("fail_next method", lambda f: f.fail_next("Frobnicate"), "method"),
    ("latency -1", lambda f: f.add_latency("Get", -1), "seconds"),
    ("latency NaN", lambda f: f.add_latency("Get", NAN), "seconds"),
    ("latency Infinity", lambda f: f.add_latency("Get", INF), "seconds"),
    ("latency 1e300", lambda f: f.add_latency("Get", 1e300), "seconds"),
    ("latency abc", lambda f: f.add_latency("Get", "abc"), "seconds"),  # type: ignore[arg-type]
    ("lose_reply times 0", lambda f: f.lose_reply("Get", times=0), "times"),
    (
        "operation afterPolls x",
        lambda f: f.fail_next_operation("Create", after_polls="x"),  # type: ignore[arg-type]
        "afterPolls",
    ),
    ("operation afterPolls -1", lambda f: f.fail_next_operation(after_polls=-1), "afterPolls"),
    ("operation OK", lambda f: f.fail_next_operation("Create", "OK"), "code"),
    (
        "spec seconds abc",
        lambda f: f.add_fault({"kind": "latency", "method": "Get", "seconds": "abc"}),
        "seconds",
    ),
    ("typed fault OK", lambda f: f.add_fault(ErrorFault("Get", Code.OK)), "code"),
    (
        "typed fault afterPolls",
        lambda f: f.add_fault(OperationFault("Create", after_polls=-1)),
        "afterPolls",
    ),
    ("typed fault latency", lambda f: f.add_fault(LatencyFault("Get", NAN)), "seconds"),
    ("fail_operation OK", lambda f: f.fail_operation(_op(f), "OK"), "code"),
    ("fail_operation Code.OK", lambda f: f.fail_operation(_op(f), Code.OK), "code"),
    ("fail_operation True", lambda f: f.fail_operation(_op(f), True), "code"),  # type: ignore[arg-type]
    ("fail_operation message", lambda f: f.fail_operation(_op(f), message={}), "message"),  # type: ignore[arg-type]
    ("completion", lambda f: setattr(f, "completion", "sometimes"), "mode"),
]


@pytest.mark.parametrize(
    ("call", "field"), [case[1:] for case in PYTHON_CASES], ids=[case[0] for case in PYTHON_CASES]
)
def test_python_api_refuses_naming_the_field_and_changes_nothing(
    fake: FakeImageService, call: Callable[[FakeImageService], Any], field: str
) -> None:
    before = _state(fake)
    with pytest.raises(ServiceError) as raised:
        call(fake)
    error = raised.value
    assert isinstance(error, ValueError)  # as the Python API's refusals always were
    assert error.code is Code.INVALID_ARGUMENT
    assert field in [v.field for v in error.violations]
    assert f"{field}: " in str(error)
    assert _state(fake) == before
    _still_serves(fake)
