"""Issue 19 over REST: ListAccessBindings, SetAccessBindings and UpdateAccessBindings
round trips, paging, validation, and how they live with the fake's other machinery
(deleted images, idempotency keys, faults, completion modes, the seed profile).

Expected values are written by hand from ``live/access.proto`` (names, lengths, counts,
``@type``s) and from the behaviour the issue states (Set replaces, Update applies ADD /
REMOVE, the result holds the effective deltas).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pytest_yc_images import Code, FakeImageService
from tests.conftest import FOLDER, checked_client

ACCESS = "type.googleapis.com/yandex.cloud.access."
KEY = "6f1c1d9e-1c3b-4f55-9a55-1d8f2ab0c001"


def binding(role: str, subject_id: str, subject_type: str = "userAccount") -> dict[str, Any]:
    return {"roleId": role, "subject": {"id": subject_id, "type": subject_type}}


VIEWER_A = binding("viewer", "ajea")
VIEWER_B = binding("viewer", "ajeb")
USER_C = binding("compute.images.user", "ajec")
EVERYONE = binding("compute.images.user", "allAuthenticatedUsers", "system")


def add(b: dict[str, Any]) -> dict[str, Any]:
    return {"action": "ADD", "accessBinding": b}


def remove(b: dict[str, Any]) -> dict[str, Any]:
    return {"action": "REMOVE", "accessBinding": b}


class Sharing:
    """The three RPCs over a contract-checked client."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def set(self, image_id: str, bindings: list[Any], **headers: str) -> httpx.Response:
        return self.http.post(
            f"/compute/v1/images/{image_id}:setAccessBindings",
            json={"accessBindings": bindings},
            headers=headers,
        )

    def update(self, image_id: str, deltas: list[Any], **headers: str) -> httpx.Response:
        return self.http.post(
            f"/compute/v1/images/{image_id}:updateAccessBindings",
            json={"accessBindingDeltas": deltas},
            headers=headers,
        )

    def list(self, image_id: str, **params: Any) -> httpx.Response:
        return self.http.get(f"/compute/v1/images/{image_id}:listAccessBindings", params=params)

    def done(self, reply: httpx.Response) -> dict[str, Any]:
        """The operation of ``reply``, polled to done (on-poll completion)."""
        assert reply.status_code == 200, reply.text
        polled = self.http.get(f"/operations/{reply.json()['id']}").json()
        assert polled["done"] is True, polled
        return dict(polled)

    def all(self, image_id: str, **params: Any) -> list[dict[str, Any]]:
        """Every binding, page by page (bounded)."""
        out: list[dict[str, Any]] = []
        token = ""
        for _ in range(200):
            page = self.list(image_id, **params, **({"pageToken": token} if token else {}))
            assert page.status_code == 200, page.text
            out += page.json().get("accessBindings", [])
            token = page.json().get("nextPageToken", "")
            if not token:
                return out
        raise AssertionError("paging did not end")


@pytest.fixture
def sharing(client: httpx.Client) -> Sharing:
    return Sharing(client)


@pytest.fixture
def image(fake: FakeImageService) -> str:
    return str(fake.put_image(folderId=FOLDER, name="golden")["id"])


def violations(reply: httpx.Response) -> list[str]:
    fields: list[str] = []
    for detail in reply.json().get("details", []):
        if detail["@type"].endswith("google.rpc.BadRequest"):
            fields += [v["field"] for v in detail["fieldViolations"]]
    return fields


# --- round trips ----------------------------------------------------------------------
def test_set_replaces_every_binding_and_reports_what_changed(sharing: Sharing, image: str) -> None:
    first = sharing.done(sharing.set(image, [VIEWER_A, VIEWER_B]))
    assert first["response"] == {
        "@type": ACCESS + "AccessBindingsOperationResult",
        "effectiveDeltas": [add(VIEWER_A), add(VIEWER_B)],
    }
    second = sharing.done(sharing.set(image, [VIEWER_B, USER_C]))
    assert second["response"]["effectiveDeltas"] == [remove(VIEWER_A), add(USER_C)]
    # Listed by role, then subject type and ID: compute.images.user before viewer.
    assert sharing.all(image) == [USER_C, VIEWER_B]


def test_set_with_no_bindings_clears_them(sharing: Sharing, image: str) -> None:
    sharing.done(sharing.set(image, [VIEWER_A, EVERYONE]))
    cleared = sharing.done(sharing.set(image, []))
    assert cleared["response"]["effectiveDeltas"] == [remove(EVERYONE), remove(VIEWER_A)]
    reply = sharing.list(image)
    assert reply.status_code == 200
    assert reply.json() == {}  # an empty page is {} in the JSON mapping


def test_set_of_the_same_bindings_changes_nothing(sharing: Sharing, image: str) -> None:
    sharing.done(sharing.set(image, [VIEWER_A]))
    again = sharing.done(sharing.set(image, [VIEWER_A, VIEWER_A]))
    assert again["response"] == {"@type": ACCESS + "AccessBindingsOperationResult"}
    assert sharing.all(image) == [VIEWER_A]


def test_update_applies_deltas_and_only_effective_ones_are_reported(
    sharing: Sharing, image: str
) -> None:
    sharing.done(sharing.set(image, [VIEWER_A, VIEWER_B]))
    # An ADD of a binding already held and a REMOVE of one not held change nothing.
    done = sharing.done(
        sharing.update(image, [add(VIEWER_A), remove(USER_C), add(EVERYONE), remove(VIEWER_B)])
    )
    assert done["response"]["effectiveDeltas"] == [remove(VIEWER_B), add(EVERYONE)]
    assert sharing.all(image) == [EVERYONE, VIEWER_A]


def test_update_that_changes_nothing_has_no_effective_deltas(sharing: Sharing, image: str) -> None:
    sharing.done(sharing.set(image, [VIEWER_A]))
    done = sharing.done(sharing.update(image, [add(VIEWER_A), remove(VIEWER_B)]))
    assert done.get("error") is None
    assert done["response"] == {"@type": ACCESS + "AccessBindingsOperationResult"}


def test_a_role_is_a_binding_of_its_own(sharing: Sharing, image: str) -> None:
    """The same subject with two roles holds two bindings; removing one keeps the other."""
    a_user = binding("compute.images.user", "ajea")
    sharing.done(sharing.update(image, [add(VIEWER_A), add(a_user)]))
    sharing.done(sharing.update(image, [remove(VIEWER_A)]))
    assert sharing.all(image) == [a_user]


def test_operations_carry_the_access_metadata_types(sharing: Sharing, image: str) -> None:
    started = sharing.set(image, [VIEWER_A])
    assert started.status_code == 200
    assert started.json()["metadata"] == {
        "@type": ACCESS + "SetAccessBindingsMetadata",
        "resourceId": image,
    }
    sharing.done(started)
    started = sharing.update(image, [remove(VIEWER_A)])
    assert started.json()["metadata"] == {
        "@type": ACCESS + "UpdateAccessBindingsMetadata",
        "resourceId": image,
    }
    done = sharing.done(started)
    assert done["metadata"]["@type"] == ACCESS + "UpdateAccessBindingsMetadata"
    assert done["response"]["@type"] == ACCESS + "AccessBindingsOperationResult"
    assert done["response"]["effectiveDeltas"] == [remove(VIEWER_A)]


def test_the_operations_are_the_images_operations(sharing: Sharing, image: str) -> None:
    set_op = sharing.done(sharing.set(image, [VIEWER_A]))
    update_op = sharing.done(sharing.update(image, [add(VIEWER_B)]))
    listed = sharing.http.get(f"/compute/v1/images/{image}/operations").json()["operations"]
    assert {op["id"] for op in listed} == {set_op["id"], update_op["id"]}


def test_bindings_change_when_the_operation_finishes(fake: FakeImageService) -> None:
    fake.completion = "manual"
    image = fake.put_image(folderId=FOLDER)["id"]
    with checked_client(fake) as http:
        sharing = Sharing(http)
        started = sharing.set(image, [VIEWER_A])
        assert started.json()["done"] is False
        assert sharing.list(image).json() == {}
        finished = fake.complete(started.json()["id"])
        assert finished["response"]["effectiveDeltas"] == [add(VIEWER_A)]
        assert sharing.all(image) == [VIEWER_A]


def test_a_cancelled_set_changes_nothing(fake: FakeImageService) -> None:
    fake.completion = "manual"
    image = fake.put_image(folderId=FOLDER)["id"]
    with checked_client(fake) as http:
        sharing = Sharing(http)
        op = sharing.set(image, [VIEWER_A]).json()["id"]
        cancelled = http.post(f"/operations/{op}:cancel").json()
        assert cancelled["error"]["code"] == Code.CANCELLED
        assert "response" not in cancelled
        assert sharing.list(image).json() == {}


# --- paging ---------------------------------------------------------------------------
def _many(count: int) -> list[dict[str, Any]]:
    return [binding("viewer", f"aje{n:05d}") for n in range(count)]


def test_list_pages_every_binding_exactly_once(sharing: Sharing, image: str) -> None:
    bindings = _many(7)
    sharing.done(sharing.set(image, bindings))
    first = sharing.list(image, pageSize=3).json()
    assert first["accessBindings"] == bindings[:3]
    second = sharing.list(image, pageSize=3, pageToken=first["nextPageToken"]).json()
    assert second["accessBindings"] == bindings[3:6]
    third = sharing.list(image, pageSize=3, pageToken=second["nextPageToken"]).json()
    assert third == {"accessBindings": bindings[6:]}  # the last page has no token
    assert sharing.all(image, pageSize=2) == bindings


def test_list_pages_by_100_by_default_and_at_most_1000(sharing: Sharing, image: str) -> None:
    bindings = _many(1000)
    sharing.done(sharing.set(image, bindings))
    default = sharing.list(image).json()
    assert len(default["accessBindings"]) == 100  # "Default value: 100."
    assert sharing.list(image, pageSize=0).json() == default
    widest = sharing.list(image, pageSize=1000).json()
    assert widest == {"accessBindings": bindings}
    refused = sharing.list(image, pageSize=1001)
    assert refused.status_code == 400
    assert violations(refused) == ["pageSize"]


def test_a_page_token_survives_a_change_between_pages(sharing: Sharing, image: str) -> None:
    bindings = _many(6)
    sharing.done(sharing.set(image, bindings))
    first = sharing.list(image, pageSize=3).json()
    sharing.done(sharing.update(image, [remove(bindings[1])]))
    rest = sharing.list(image, pageSize=3, pageToken=first["nextPageToken"]).json()
    assert rest["accessBindings"] == bindings[3:6]


@pytest.mark.parametrize("token", ["forged", "x" * 100, "eyJub3QiOiAidGhpcyJ9"])
def test_a_page_token_the_fake_did_not_issue_is_refused(
    sharing: Sharing, image: str, token: str
) -> None:
    sharing.done(sharing.set(image, _many(3)))
    reply = sharing.list(image, pageSize=1, pageToken=token)
    assert reply.status_code == 400
    assert violations(reply) == ["pageToken"]


def test_a_page_token_is_refused_for_another_image(
    sharing: Sharing, fake: FakeImageService, image: str
) -> None:
    other = fake.put_image(folderId=FOLDER)["id"]
    sharing.done(sharing.set(image, _many(3)))
    sharing.done(sharing.set(other, _many(3)))
    token = sharing.list(image, pageSize=1).json()["nextPageToken"]
    reply = sharing.list(other, pageSize=1, pageToken=token)
    assert reply.status_code == 400
    assert violations(reply) == ["pageToken"]


def test_a_page_token_longer_than_100_is_refused(sharing: Sharing, image: str) -> None:
    reply = sharing.list(image, pageToken="t" * 101)
    assert reply.status_code == 400
    assert violations(reply) == ["pageToken"]


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
    done = sharing.done(sharing.set(image, _many(1000)))
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


# --- the image's life -----------------------------------------------------------------
def test_an_unknown_image_is_not_found(sharing: Sharing) -> None:
    missing = "fd8nosuchimage000000"
    for reply in (
        sharing.list(missing),
        sharing.set(missing, [VIEWER_A]),
        sharing.update(missing, [add(VIEWER_A)]),
    ):
        assert reply.status_code == 404, reply.text
        assert reply.json()["code"] == Code.NOT_FOUND
        assert missing in reply.json()["message"]


def test_bindings_go_with_a_deleted_image(
    sharing: Sharing, fake: FakeImageService, image: str
) -> None:
    sharing.done(sharing.set(image, [VIEWER_A, EVERYONE]))
    sharing.done(sharing.http.delete(f"/compute/v1/images/{image}"))
    assert sharing.list(image).status_code == 404
    # An image put later under the same ID starts with no bindings.
    fake.put_image(folderId=FOLDER, id=image)
    assert sharing.list(image).json() == {}


def test_a_set_still_running_when_its_image_is_deleted_ends_aborted(
    fake: FakeImageService,
) -> None:
    fake.completion = "manual"
    image = fake.put_image(folderId=FOLDER)["id"]
    with checked_client(fake) as http:
        sharing = Sharing(http)
        set_op = sharing.set(image, [VIEWER_A]).json()["id"]
        delete_op = http.delete(f"/compute/v1/images/{image}").json()["id"]
        fake.complete(delete_op)
        ended = http.get(f"/operations/{set_op}").json()
        assert ended["done"] is True
        assert ended["error"]["code"] == Code.ABORTED


def test_set_and_update_of_an_image_being_deleted_fail(
    sharing: Sharing, fake: FakeImageService
) -> None:
    image = fake.put_image(folderId=FOLDER, status="DELETING")["id"]
    for reply in (sharing.set(image, [VIEWER_A]), sharing.update(image, [add(VIEWER_A)])):
        assert reply.status_code == 400, reply.text
        assert reply.json()["code"] == Code.FAILED_PRECONDITION
        assert "being deleted" in reply.json()["message"]
    assert sharing.list(image).json() == {}  # listing still answers


def test_bindings_are_kept_per_image(sharing: Sharing, fake: FakeImageService, image: str) -> None:
    other = fake.put_image(folderId=FOLDER)["id"]
    sharing.done(sharing.set(image, [VIEWER_A]))
    sharing.done(sharing.set(other, [USER_C]))
    assert sharing.all(image) == [VIEWER_A]
    assert sharing.all(other) == [USER_C]


@pytest.mark.parametrize(
    ("verb", "path", "body"),
    [
        ("GET", ":listAccessBindings", None),
        ("POST", ":setAccessBindings", {"accessBindings": []}),
        ("POST", ":updateAccessBindings", {"accessBindingDeltas": [add(VIEWER_A)]}),
    ],
)
def test_the_seed_profile_has_no_such_paths(verb: str, path: str, body: Any) -> None:
    seed = FakeImageService(seed=1, profile="seed")
    image = seed.put_image(folderId=FOLDER)["id"]
    with checked_client(seed) as http:
        reply = http.request(verb, f"/compute/v1/images/{image}{path}", json=body)
    assert reply.status_code == 404, reply.text
    assert reply.json()["code"] == Code.NOT_FOUND
    assert seed.service.store.bindings == {}


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
