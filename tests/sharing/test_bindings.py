"""Issue 19 over REST: ListAccessBindings, SetAccessBindings and UpdateAccessBindings
round trips, paging, and the image's life (deleted images, the seed profile); validation,
idempotency, faults and completion modes are in test_bindings_validation.py.

Expected values are written by hand from ``live/access.proto`` (names, lengths, counts,
``@type``s) and from the behaviour the issue states (Set replaces, Update applies ADD /
REMOVE, the result holds the effective deltas).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images import Code, FakeImageService
from tests.conftest import FOLDER, checked_client
from tests.sharing.bindings_api import (
    ACCESS,
    EVERYONE,
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
def test_list_pages_every_binding_exactly_once(sharing: Sharing, image: str) -> None:
    bindings = many(7)
    sharing.done(sharing.set(image, bindings))
    first = sharing.list(image, pageSize=3).json()
    assert first["accessBindings"] == bindings[:3]
    second = sharing.list(image, pageSize=3, pageToken=first["nextPageToken"]).json()
    assert second["accessBindings"] == bindings[3:6]
    third = sharing.list(image, pageSize=3, pageToken=second["nextPageToken"]).json()
    assert third == {"accessBindings": bindings[6:]}  # the last page has no token
    assert sharing.all(image, pageSize=2) == bindings


def test_list_pages_by_100_by_default_and_at_most_1000(sharing: Sharing, image: str) -> None:
    bindings = many(1000)
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
    bindings = many(6)
    sharing.done(sharing.set(image, bindings))
    first = sharing.list(image, pageSize=3).json()
    sharing.done(sharing.update(image, [remove(bindings[1])]))
    rest = sharing.list(image, pageSize=3, pageToken=first["nextPageToken"]).json()
    assert rest["accessBindings"] == bindings[3:6]


@pytest.mark.parametrize("token", ["forged", "x" * 100, "eyJub3QiOiAidGhpcyJ9"])
def test_a_page_token_the_fake_did_not_issue_is_refused(
    sharing: Sharing, image: str, token: str
) -> None:
    sharing.done(sharing.set(image, many(3)))
    reply = sharing.list(image, pageSize=1, pageToken=token)
    assert reply.status_code == 400
    assert violations(reply) == ["pageToken"]


def test_a_page_token_is_refused_for_another_image(
    sharing: Sharing, fake: FakeImageService, image: str
) -> None:
    other = fake.put_image(folderId=FOLDER)["id"]
    sharing.done(sharing.set(image, many(3)))
    sharing.done(sharing.set(other, many(3)))
    token = sharing.list(image, pageSize=1).json()["nextPageToken"]
    reply = sharing.list(other, pageSize=1, pageToken=token)
    assert reply.status_code == 400
    assert violations(reply) == ["pageToken"]


def test_a_page_token_longer_than_100_is_refused(sharing: Sharing, image: str) -> None:
    reply = sharing.list(image, pageToken="t" * 101)
    assert reply.status_code == 400
    assert violations(reply) == ["pageToken"]


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
