"""Issue 19 over REST: the access-binding RPCs' validation (fields named, the proto's
limits), and how they live with idempotency keys, faults, completion modes and the
journal. Expected values are written by hand from ``live/access.proto``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pytest_yc_images import Code, FakeImageService
from tests.conftest import FOLDER, checked_client
from tests.sharing.bindings_api import (
    KEY,
    USER_C,
    VIEWER_A,
    VIEWER_B,
    Sharing,
    add,
    binding,
    many,
    remove,
    violations,
)

# --- validation -----------------------------------------------------------------------
_SET_REFUSED = [
    ([binding("r" * 65, "ajea")], "accessBindings[0].roleId"),
    ([binding("viewer", "a" * 101)], "accessBindings[0].subject.id"),
    ([binding("viewer", "ajea", "t" * 101)], "accessBindings[0].subject.type"),
    ([VIEWER_A, {"roleId": "viewer"}], "accessBindings[1].subject"),
    ([{"subject": {"id": "ajea", "type": "userAccount"}}], "accessBindings[0].roleId"),
    ([{"roleId": "viewer", "subject": {"type": "userAccount"}}], "accessBindings[0].subject.id"),
    ([{"roleId": "viewer", "subject": {"id": "ajea"}}], "accessBindings[0].subject.type"),
    ([binding("viewer", "ajea")] * 1001, "accessBindings"),
    ([binding("viewer", "ajea", "robot")], "accessBindings[0].subject.type"),
    ([binding("viewer", "allUsers", "userAccount")], "accessBindings[0].subject.type"),
    ([binding("viewer", "allAuthenticatedUsers", "serviceAccount")],
     "accessBindings[0].subject.type"),
    ([binding("viewer", "group:organization:bpf1:users", "federatedUser")],
     "accessBindings[0].subject.type"),
    ([binding("viewer", "ajea", "system")], "accessBindings[0].subject.id"),
    ([binding("no.such.role", "ajea")], "accessBindings[0].roleId"),
    ([VIEWER_A, {**VIEWER_B, "condition": {}}], "accessBindings[1].condition"),
]  # fmt: skip


@pytest.mark.parametrize(("bindings", "field"), _SET_REFUSED)
def test_set_refuses_bad_bindings_naming_the_field(
    sharing: Sharing, fake: FakeImageService, image: str, bindings: list[Any], field: str
) -> None:
    sharing.done(sharing.set(image, [USER_C]))
    before = fake.operations()
    reply = sharing.set(image, bindings)
    assert reply.status_code == 400, reply.text
    assert reply.json()["code"] == Code.INVALID_ARGUMENT
    assert violations(reply) == [field]
    assert fake.operations() == before
    assert sharing.all(image) == [USER_C]


_UPDATE_REFUSED = [
    ([], "accessBindingDeltas"),
    ([add(VIEWER_A)] * 1001, "accessBindingDeltas"),
    ([{"accessBinding": VIEWER_A}], "accessBindingDeltas[0].action"),
    ([{"action": "ACCESS_BINDING_ACTION_UNSPECIFIED", "accessBinding": VIEWER_A}],
     "accessBindingDeltas[0].action"),
    ([{"action": "GRANT", "accessBinding": VIEWER_A}], "accessBindingDeltas[0].action"),
    ([add(VIEWER_A), {"action": "ADD"}], "accessBindingDeltas[1].accessBinding"),
    ([add(binding("r" * 65, "ajea"))], "accessBindingDeltas[0].accessBinding.roleId"),
    ([remove(binding("viewer", "a" * 101))], "accessBindingDeltas[0].accessBinding.subject.id"),
    ([add({"roleId": "viewer"})], "accessBindingDeltas[0].accessBinding.subject"),
    ([add(binding("viewer", "ajea", "group"))],
     "accessBindingDeltas[0].accessBinding.subject.type"),
    ([add(binding("viewer", "allUsers", "userAccount"))],
     "accessBindingDeltas[0].accessBinding.subject.type"),
    ([remove(binding("editor", "allUsers", "system")), add(binding("viewer", "ajea", "system"))],
     "accessBindingDeltas[1].accessBinding.subject.id"),
    ([add(binding("owner", "ajea"))], "accessBindingDeltas[0].accessBinding.roleId"),
]  # fmt: skip


@pytest.mark.parametrize(("deltas", "field"), _UPDATE_REFUSED)
def test_update_refuses_bad_deltas_naming_the_field(
    sharing: Sharing, fake: FakeImageService, image: str, deltas: list[Any], field: str
) -> None:
    sharing.done(sharing.set(image, [USER_C]))
    before = fake.operations()
    reply = sharing.update(image, deltas)
    assert reply.status_code == 400, reply.text
    assert violations(reply) == [field]
    assert fake.operations() == before
    assert sharing.all(image) == [USER_C]


def test_update_without_deltas_names_the_field(sharing: Sharing, image: str) -> None:
    reply = sharing.http.post(f"/compute/v1/images/{image}:updateAccessBindings", json={})
    assert reply.status_code == 400
    assert violations(reply) == ["accessBindingDeltas"]


def test_a_set_of_1000_bindings_is_taken(sharing: Sharing, image: str) -> None:
    done = sharing.done(sharing.set(image, many(1000)))
    assert len(done["response"]["effectiveDeltas"]) == 1000


@pytest.mark.parametrize(
    ("verb", "path"),
    [
        ("GET", ":listAccessBindings"),
        ("POST", ":setAccessBindings"),
        ("POST", ":updateAccessBindings"),
    ],
)
def test_a_resource_id_longer_than_64_is_refused(
    client: httpx.Client, verb: str, path: str
) -> None:
    body = {"accessBindingDeltas": [add(VIEWER_A)]} if "update" in path else {}
    reply = client.request(
        verb, f"/compute/v1/images/{'f' * 65}{path}", json=body if verb == "POST" else None
    )
    assert reply.status_code == 400
    assert violations(reply) == ["resourceId"]
    # 64 characters is a well-formed ID: no such image.
    reply = client.request(
        verb, f"/compute/v1/images/{'f' * 64}{path}", json=body if verb == "POST" else None
    )
    assert reply.status_code == 404


# --- idempotency, faults, completion modes, the journal -------------------------------
@pytest.mark.parametrize("method", ["set", "update"])
def test_a_repeat_with_the_same_idempotency_key_gets_the_first_operation(
    sharing: Sharing, fake: FakeImageService, image: str, method: str
) -> None:
    def call() -> httpx.Response:
        headers = {"Idempotency-Key": KEY}
        if method == "set":
            return sharing.set(image, [VIEWER_A], **headers)
        return sharing.update(image, [add(VIEWER_A)], **headers)

    first = call().json()["id"]
    sharing.done(sharing.update(image, [remove(VIEWER_A)]))  # changed meanwhile
    again = call()
    assert again.json()["id"] == first
    assert sharing.all(image) == []  # the repeat did no work
    # The journal marks the repeat (the Update between them is a call of its own).
    assert [(e.method.rpartition(".")[2], e.replayed) for e in fake.journal.replays()] == [
        ("SetAccessBindings" if method == "set" else "UpdateAccessBindings", True)
    ]
    assert len(fake.operations(image)) == 2


def test_a_lost_reply_applies_and_the_retry_with_the_key_finds_it(
    sharing: Sharing, fake: FakeImageService, image: str
) -> None:
    fake.lose_reply("SetAccessBindings")
    lost = sharing.set(image, [VIEWER_A], **{"Idempotency-Key": KEY})
    assert lost.status_code == 503
    retried = sharing.done(sharing.set(image, [VIEWER_A], **{"Idempotency-Key": KEY}))
    assert retried["response"]["effectiveDeltas"] == [add(VIEWER_A)]
    assert len(fake.operations(image)) == 1


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("SetAccessBindings", lambda s, i: s.set(i, [VIEWER_A])),
        ("ImageService.UpdateAccessBindings", lambda s, i: s.update(i, [add(VIEWER_A)])),
        ("ListAccessBindings", lambda s, i: s.list(i)),
    ],
)
def test_scripted_errors_hit_the_new_methods(
    sharing: Sharing, fake: FakeImageService, image: str, method: str, call: Any
) -> None:
    fault = fake.fail_next(method, "RESOURCE_EXHAUSTED", message="quota")
    reply = call(sharing, image)
    assert reply.status_code == 429
    assert reply.json()["message"] == "quota"
    assert fake.fired(fault) == 1
    assert fake.operations(image) == []  # the refused call started nothing
    assert call(sharing, image).status_code == 200  # once only


@pytest.mark.parametrize("method", ["SetAccessBindings", "UpdateAccessBindings"])
def test_a_scripted_operation_failure_leaves_the_bindings(
    sharing: Sharing, fake: FakeImageService, image: str, method: str
) -> None:
    sharing.done(sharing.set(image, [USER_C]))
    fake.fail_next_operation(method, "PERMISSION_DENIED", message="no")
    reply = (
        sharing.set(image, [VIEWER_A])
        if method == "SetAccessBindings"
        else sharing.update(image, [add(VIEWER_A)])
    )
    done = sharing.done(reply)
    assert done["error"] == {"code": Code.PERMISSION_DENIED, "message": "no"}
    assert "response" not in done
    assert sharing.all(image) == [USER_C]


def test_an_operation_fault_cannot_name_list_access_bindings(fake: FakeImageService) -> None:
    with pytest.raises(ValueError, match="starts an operation"):
        fake.fail_next_operation("ListAccessBindings")


def test_immediate_completion_answers_a_done_operation(fake: FakeImageService) -> None:
    fake.completion = "immediate"
    image = fake.put_image(folderId=FOLDER)["id"]
    with checked_client(fake) as http:
        reply = Sharing(http).set(image, [VIEWER_A]).json()
        assert reply["done"] is True
        assert reply["response"]["effectiveDeltas"] == [add(VIEWER_A)]
        assert Sharing(http).all(image) == [VIEWER_A]


def test_clock_completion_finishes_after_the_duration(fake: FakeImageService) -> None:
    fake.completion = "clock"
    image = fake.put_image(folderId=FOLDER)["id"]
    with checked_client(fake) as http:
        sharing = Sharing(http)
        op = sharing.update(image, [add(VIEWER_A)]).json()["id"]
        assert http.get(f"/operations/{op}").json()["done"] is False
        fake.advance(0.5)
        assert sharing.list(image).json() == {}
        fake.advance(0.5)  # the access-binding operations take a virtual second
        assert http.get(f"/operations/{op}").json()["done"] is True
        assert sharing.all(image) == [VIEWER_A]


def test_the_journal_names_the_new_methods(
    sharing: Sharing, fake: FakeImageService, image: str
) -> None:
    sharing.done(sharing.set(image, [VIEWER_A]))
    sharing.done(sharing.update(image, [remove(VIEWER_A)]))
    sharing.list(image, pageSize=5)
    [set_call] = fake.journal.calls("SetAccessBindings")
    assert set_call.method == "ImageService.SetAccessBindings"
    assert set_call.request == {"resourceId": image, "accessBindings": [VIEWER_A]}
    [update_call] = fake.journal.calls("ImageService.UpdateAccessBindings")
    assert update_call.request["accessBindingDeltas"] == [remove(VIEWER_A)]
    [list_call] = fake.journal.calls("ListAccessBindings")
    assert list_call.request == {"resourceId": image, "pageSize": "5"}
    # "Update" is the image's Update only.
    assert fake.journal.calls("Update") == []
