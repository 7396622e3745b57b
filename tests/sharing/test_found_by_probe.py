"""Defects of issue 19's image sharing found by the adversarial probe (branch h-probe19),
each pinned by the input that showed it. Expected values are written by hand."""

from __future__ import annotations

import pytest

from pytest_yc_images import Code, FakeImageService, ServiceError
from pytest_yc_images.factories import ImageFactory

OWNER, BOB = "b1gownerfolder000001", "b1gbobfolder00000001"
ACCESS = {
    "owner-token": [OWNER],
    "bob-token": {"folders": [BOB], "subject": {"id": "ajebob", "type": "userAccount"}},
}
VIEWER_A = {"roleId": "viewer", "subject": {"id": "ajea", "type": "userAccount"}}


# --- fake.bindings() with an image ID that is not a string ----------------------------
# It answered another image's bindings (None: the first image that has any) or a raw
# TypeError from deep inside; it must refuse, naming imageId, and leak nothing.
@pytest.mark.parametrize("wrong", [None, 5, ["fd8a"]])
def test_bindings_of_an_image_id_that_is_not_a_string_is_refused(wrong: object) -> None:
    fake = FakeImageService(seed=1)
    image = fake.put_image(folderId=OWNER)["id"]
    fake.put_bindings(image, [VIEWER_A])
    with pytest.raises(ServiceError) as refused:
        fake.bindings(wrong)  # type: ignore[arg-type]
    assert refused.value.code is Code.INVALID_ARGUMENT
    assert "imageId" in str(refused.value)
    assert "ajea" not in str(refused.value)


# --- the seed profile: no sharing ------------------------------------------------------
# The seed documents seven RPCs and no access bindings; yet put_bindings / shared_with=
# stored bindings there and, with access=, they let another token Get the image and
# Create from it. Bindings in the seed profile must be refused, naming the field, before
# anything is stored.
def test_seed_put_bindings_is_refused_and_grants_nothing() -> None:
    seed = FakeImageService(seed=1, profile="seed", access=ACCESS)
    image = seed.put_image(folderId=OWNER)["id"]
    with pytest.raises(ServiceError) as refused:
        seed.put_bindings(image, ["allAuthenticatedUsers"])
    assert refused.value.code is Code.INVALID_ARGUMENT
    assert "accessBindings" in str(refused.value)
    assert "seed" in str(refused.value)
    assert seed.service.store.bindings == {}
    bob = seed.client(token="bob-token")
    assert bob.get(f"/compute/v1/images/{image}").status_code == 404


def test_seed_put_bindings_of_nothing_is_allowed() -> None:
    # An empty list asks for what the seed already has: nothing to refuse.
    seed = FakeImageService(seed=1, profile="seed")
    image = seed.put_image(folderId=OWNER)["id"]
    assert seed.put_bindings(image, []) == []


def test_seed_factory_shared_with_is_refused_before_the_image_is_stored() -> None:
    seed = FakeImageService(seed=1, profile="seed", access=ACCESS)
    factory = ImageFactory(seed, folder_id=OWNER)
    with pytest.raises(ServiceError) as refused:
        factory.create(shared_with=["userAccount:ajebob"])
    assert refused.value.code is Code.INVALID_ARGUMENT
    assert "shared_with" in str(refused.value)
    assert seed.images(OWNER) == []
    assert seed.service.store.bindings == {}


def test_seed_state_with_bindings_is_refused_naming_the_entry() -> None:
    live = FakeImageService(seed=1)
    image = live.put_image(folderId=OWNER)["id"]
    live.put_bindings(image, [VIEWER_A])
    from pytest_yc_images._state import dump_state

    data = dump_state(live.service)
    data["profile"] = "seed"  # hand-edited: a seed state with bindings
    seed = FakeImageService(seed=2, profile="seed")
    with pytest.raises(ValueError, match=r"bindings\[0\]"):
        seed.load_state(data)
    assert seed.images(OWNER) == []


# --- ListAccessBindings' page token when the last binding seen goes --------------------
# Page 1 ended at a2; a2 is revoked; page 2 began at a4: a3, held all along, was never
# listed. (The other lists resume after their last key: nothing held throughout is lost.)
def test_a_page_token_whose_last_binding_went_skips_nothing() -> None:
    fake = FakeImageService(seed=1, completion="immediate")
    image = fake.put_image(folderId=OWNER)["id"]
    fake.put_bindings(image, [f"userAccount:a{i}" for i in range(7)])
    path = f"/compute/v1/images/{image}:listAccessBindings"
    http = fake.client()
    first = http.get(path, params={"pageSize": 3}).json()
    assert [b["subject"]["id"] for b in first["accessBindings"]] == ["a0", "a1", "a2"]
    a2 = {"roleId": "compute.images.user", "subject": {"id": "a2", "type": "userAccount"}}
    revoke = {"accessBindingDeltas": [{"action": "REMOVE", "accessBinding": a2}]}
    assert http.post(f"/compute/v1/images/{image}:updateAccessBindings", json=revoke).is_success
    token = first["nextPageToken"]
    second = http.get(path, params={"pageSize": 3, "pageToken": token}).json()
    assert [b["subject"]["id"] for b in second["accessBindings"]] == ["a3", "a4", "a5"]


# --- a Set operation's result shows every binding ---------------------------------------
# compute.images.user may not ListAccessBindings (403), yet OperationService.Get of the
# owner's SetAccessBindings operation answered its effectiveDeltas: every binding, other
# subjects' included. An access-binding operation is the image's bindings: only those who
# may list them (or its creator, or the folder's users) may see it.
def test_an_images_user_cannot_read_the_bindings_through_a_set_operation() -> None:
    fake = FakeImageService(seed=1, access=ACCESS)
    owner, bob = fake.client(token="owner-token"), fake.client(token="bob-token")
    image = fake.put_image(folderId=OWNER)["id"]
    bob_user = {"roleId": "compute.images.user", "subject": {"id": "ajebob", "type": "userAccount"}}
    other = {"roleId": "admin", "subject": {"id": "ajeotheradmin", "type": "userAccount"}}
    started = owner.post(
        f"/compute/v1/images/{image}:setAccessBindings", json={"accessBindings": [bob_user, other]}
    ).json()
    assert owner.get(f"/operations/{started['id']}").json()["done"] is True
    assert bob.get(f"/compute/v1/images/{image}").status_code == 200  # he may Get it
    assert bob.get(f"/compute/v1/images/{image}:listAccessBindings").status_code == 403
    seen = bob.get(f"/operations/{started['id']}")
    assert seen.status_code == 404
    assert "ajeotheradmin" not in seen.text


def test_a_viewer_still_follows_a_set_operation() -> None:
    fake = FakeImageService(seed=1, access=ACCESS)
    owner, bob = fake.client(token="owner-token"), fake.client(token="bob-token")
    image = fake.put_image(folderId=OWNER)["id"]
    bob_viewer = {"roleId": "viewer", "subject": {"id": "ajebob", "type": "userAccount"}}
    started = owner.post(
        f"/compute/v1/images/{image}:setAccessBindings", json={"accessBindings": [bob_viewer]}
    ).json()
    assert owner.get(f"/operations/{started['id']}").json()["done"] is True  # bound now
    seen = bob.get(f"/operations/{started['id']}")
    assert seen.status_code == 200
    assert seen.json()["response"]["effectiveDeltas"] == [
        {"action": "ADD", "accessBinding": bob_viewer}
    ]
