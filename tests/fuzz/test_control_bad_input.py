"""A corpus of bad input for the ``/_fake/`` controls, in process and over a real socket.

A wrong type in every field of every control's body, strange strings in every string
field, numbers at and past every bound (NaN, Infinity, 1e20, 1e308, 2**63, negatives), and
the cases of issue 15 that once broke the fake for good. Each answer is 200 (when the body
fits the control's schema as controls.yaml states it) or a 400 ``google.rpc.Status``
naming the field, never a 5xx; after a refusal the fake's state is unchanged, and the
server still answers a List and a Create whose operation finishes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from pytest_yc_images import COMPUTE_URL, FakeImageService, LoopbackServer, controls_document
from pytest_yc_images._contracts import CONTROLS_BASE, registry
from tests.conftest import fake_state

TOKEN = "control-fuzz-token"
FOLDER = "b1gctlfuzzfolder0001"
WRONG_TYPES: list[Any] = [None, True, 0, -1, 1.5, "text", [], ["text"], {}, {"key": "value"}]
STRANGE_STRINGS = ["", "\x00", "tab\tand\nnewline", "naïve", "😀", "\ud800", "x" * 5000]
NUMBERS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e20",
    "1e308",
    "3e11",
    "-1",
    "0",
    "1.5",
    str(2**63),
    str(2**63 - 1),
    "1e400",
]
DOCUMENT = controls_document()
SCHEMAS = DOCUMENT["components"]["schemas"]


def _validator(name: str) -> Draft202012Validator:
    """The control's schema as the document states it, read by plain jsonschema: the
    oracle of whether a body fits (the fake's own rules may refuse more: NaN, a date)."""
    resource = Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
    schema = {"$ref": f"{CONTROLS_BASE}#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry().with_resource(CONTROLS_BASE, resource))


def _bodies() -> list[tuple[str, str, dict[str, Any]]]:
    """(path, schema, a valid body) of every control that takes one."""
    return [
        ("/_fake/images", "PutImageRequest", {"folderId": FOLDER}),
        ("/_fake/disks", "AddDiskRequest", {"id": "d1", "folderId": FOLDER}),
        ("/_fake/snapshots", "AddSnapshotRequest", {"id": "s1", "folderId": FOLDER}),
        ("/_fake/operations/{op}:fail", "FailOperationRequest", {"code": "ABORTED"}),
        ("/_fake/clock:advance", "AdvanceClockRequest", {"seconds": 1}),
        ("/_fake/completion", "SetCompletionRequest", {"mode": "manual"}),
        ("/_fake/faults", "FaultSpec", {"kind": "latency", "method": "Get", "seconds": 0}),
        ("/_fake/faults", "FaultSpec", {"kind": "operation_error", "method": "Create"}),
    ]


def _cases() -> Iterator[tuple[str, str, str, str]]:
    """(path, schema, the field, the body as JSON text)."""
    for path, name, valid in _bodies():
        for field in SCHEMAS[name]["properties"]:
            values = [json.dumps(v) for v in WRONG_TYPES + STRANGE_STRINGS] + NUMBERS
            for text in values:
                body = json.dumps(valid)[:-1] + f', "{field}": {text}}}'
                if field in valid:
                    rest = {k: v for k, v in valid.items() if k != field}
                    body = (json.dumps(rest)[:-1] + ", " if rest else "{") + f'"{field}": {text}}}'
                yield path, name, field, body


CASES = list(_cases())
# The cases of issue 15, item 2: each once broke the fake until a restart.
BROKE_IT = [
    ("/_fake/clock:advance", '{"seconds": 1e20}'),
    ("/_fake/clock:advance", '{"seconds": NaN}'),
    ("/_fake/clock:advance", '{"seconds": Infinity}'),
    ("/_fake/clock:advance", '{"seconds": 3e11}'),
    ("/_fake/images", json.dumps({"folderId": FOLDER, "id": 1})),
    ("/_fake/faults", '{"kind": "operation_error", "method": "Create", "afterPolls": "x"}'),
    ("/_fake/faults", '{"kind": "latency", "method": "Create", "seconds": "abc"}'),
    ("/_fake/disks", json.dumps({"id": "d", "folderId": FOLDER, "size": "huge"})),
    ("/_fake/faults", '{"kind": "error", "method": "Create", "code": "OK"}'),
    ("/_fake/operations/{op}:fail", '{"code": "OK"}'),
]


class Target:
    def __init__(self, fake: FakeImageService, base_url: str, transport: Any) -> None:
        self.fake = fake
        self.http = httpx.Client(
            base_url=base_url,
            transport=transport,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        reply = self.http.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "run"},
        )
        assert reply.status_code == 200, reply.text
        self.running = reply.json()["id"]  # manual completion: it runs until :fail

    def state(self) -> tuple[Any, ...]:
        return fake_state(self.fake)

    def post(self, path: str, body: str) -> httpx.Response:
        return self.http.post(
            path.replace("{op}", self.running),
            content=body.encode(),
            headers={
                "Content-Type": "application/json",
                # With access= set, /_fake/ takes only the fake's control token.
                "Authorization": f"Bearer {self.fake.control_token}",
            },
        )

    def serves(self) -> None:
        """A List answers; so does a Create, and its operation finishes."""
        self.fake.controls.clear_faults()
        self.fake.completion = "on-poll"
        listed = self.http.get("/compute/v1/images", params={"folderId": FOLDER})
        assert listed.status_code == 200, listed.text
        created = self.http.post(
            "/compute/v1/images",
            json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2"},
        )
        assert created.status_code == 200, created.text
        polled = self.http.get(f"/operations/{created.json()['id']}")
        assert polled.status_code == 200, polled.text
        assert polled.json().get("done") is True
        assert "error" not in polled.json()


@pytest.fixture(params=["in-process", "loopback"])
def target(
    request: pytest.FixtureRequest, loopback: Callable[[FakeImageService], LoopbackServer]
) -> Iterator[Target]:
    fake = FakeImageService(seed="control-fuzz", access={TOKEN: [FOLDER]}, completion="manual")
    if request.param == "in-process":
        made = Target(fake, COMPUTE_URL, fake.transport())
    else:
        made = Target(fake, loopback(fake).url, None)
    try:
        yield made
    finally:
        made.http.close()


def _named(reply: httpx.Response) -> list[str]:
    return [
        violation["field"]
        for detail in reply.json().get("details", [])
        for violation in detail.get("fieldViolations", [])
    ]


def test_every_field_of_every_control_takes_wrong_values_without_breaking(target: Target) -> None:
    """One test over the whole corpus (several hundred bodies), not one per case."""
    validators = {name: _validator(name) for _, name, _ in _bodies()}
    for path, name, field, body in CASES:
        before = target.state()
        reply = target.post(path, body)
        what = f"{path} {body[:120]}"
        assert reply.status_code in (200, 400), f"{what}: {reply.status_code} {reply.text[:300]}"
        if reply.status_code == 400:
            assert reply.json()["code"] in (3, 9), what
            if reply.json()["code"] == 3:
                assert any(
                    n == field or n.startswith((f"{field}.", f"{field}[")) for n in _named(reply)
                ), f"{what}: {reply.json()}"
            assert target.state() == before, what
        else:
            assert validators[name].is_valid(json.loads(body)), f"{what}: taken but invalid"
        if path.endswith(":fail") and reply.status_code == 200:  # the operation is done now
            fresh = target.http.post(
                "/compute/v1/images",
                json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2"},
            )
            target.running = fresh.json()["id"]
        target.fake.completion = "manual"
    target.serves()


@pytest.mark.parametrize(("path", "body"), BROKE_IT)
def test_what_once_broke_the_fake_is_refused_and_it_still_serves(
    target: Target, path: str, body: str
) -> None:
    before = target.state()
    reply = target.post(path, body)
    assert reply.status_code == 400, reply.text
    assert reply.json()["code"] == 3
    assert _named(reply), reply.json()
    assert target.state() == before
    target.serves()
