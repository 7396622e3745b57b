"""Who may see and use a shared image, over REST: with ``access=`` set, a role bound on
an image lets its subject act on it though the image lives in a folder the subject may
not use; without a binding the image stays NOT_FOUND, and the owner's folder stays
PERMISSION_DENIED. Expected codes follow API.md (404 NOT_FOUND, 403 PERMISSION_DENIED)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pytest_yc_images import PUBLIC_FOLDER, FakeImageService
from tests.conftest import checked_client

OWNER, BOB, CAROL, DAVE = "owner-token", "bob-token", "carol-token", "dave-token"
OWNERS = "b1gownerfolder000001"
BOBS = "b1gbobfolder00000001"
CAROLS = "b1gcarolfolder000001"
DAVES = "b1gdavefolder0000001"
BOB_ID = "ajebob00000000000001"
ORG = "group:organization:bpforg000000000001:users"
ACCESS: dict[str, Any] = {
    OWNER: [OWNERS],  # today's form: a userAccount derived from the token
    BOB: {"folders": [BOBS], "subject": {"id": BOB_ID, "type": "userAccount"}},
    CAROL: {"folders": [CAROLS], "groups": [ORG]},
    DAVE: [DAVES],
}
URI = "https://storage.yandexcloud.net/builds/golden.qcow2"
UBUNTU = "fd8a1ejo4ucrhdihu5ge"  # a standard image (the public folder's)


class Caller:
    """One token's verbs over a contract-checked client."""

    def __init__(self, client: httpx.Client) -> None:
        self.http = client

    def done(self, reply: httpx.Response) -> dict[str, Any]:
        """Poll the operation ``reply`` started to done (on-poll: the first Get)."""
        assert reply.status_code == 200, reply.text
        polled = self.http.get(f"/operations/{reply.json()['id']}")
        assert polled.status_code == 200, polled.text
        body: dict[str, Any] = polled.json()
        assert body["done"] is True
        assert "error" not in body, body
        return body

    def create(self, folder_id: str, **source: str) -> httpx.Response:
        body = {
            "folderId": folder_id,
            "name": "golden",
            "family": "app",
            **(source or {"uri": URI}),
        }
        return self.http.post("/compute/v1/images", json=body)

    def get(self, image_id: str) -> httpx.Response:
        return self.http.get(f"/compute/v1/images/{image_id}")

    def set(self, image_id: str, *bindings: tuple[str, str, str]) -> httpx.Response:
        body = {"accessBindings": [_binding(*b) for b in bindings]}
        return self.http.post(f"/compute/v1/images/{image_id}:setAccessBindings", json=body)

    def update(self, image_id: str, action: str, binding: tuple[str, str, str]) -> httpx.Response:
        delta = {"action": action, "accessBinding": _binding(*binding)}
        return self.http.post(
            f"/compute/v1/images/{image_id}:updateAccessBindings",
            json={"accessBindingDeltas": [delta]},
        )

    def bindings(self, image_id: str) -> httpx.Response:
        return self.http.get(f"/compute/v1/images/{image_id}:listAccessBindings")


def _binding(role: str, subject_type: str, subject_id: str) -> dict[str, Any]:
    return {"roleId": role, "subject": {"id": subject_id, "type": subject_type}}


@pytest.fixture
def fake() -> FakeImageService:
    return FakeImageService(access=ACCESS)


@pytest.fixture
def callers(fake: FakeImageService) -> Iterator[dict[str, Caller]]:
    clients = {token: checked_client(fake, token=token) for token in ACCESS}
    yield {token: Caller(client) for token, client in clients.items()}
    for client in clients.values():
        client.close()


@pytest.fixture
def golden(callers: dict[str, Caller]) -> str:
    """A READY image in the owner's folder, shared with nobody yet."""
    done = callers[OWNER].done(callers[OWNER].create(OWNERS))
    return str(done["metadata"]["imageId"])


def _share(callers: dict[str, Caller], image_id: str, *bindings: tuple[str, str, str]) -> None:
    callers[OWNER].done(callers[OWNER].set(image_id, *bindings))


def test_an_image_shared_with_a_subject_can_be_got_and_used_in_its_own_folder(
    callers: dict[str, Caller], golden: str
) -> None:
    bob = callers[BOB]
    assert bob.get(golden).status_code == 404  # not shared yet: its existence does not leak
    assert bob.create(BOBS, imageId=golden).status_code == 404
    _share(callers, golden, ("compute.images.user", "userAccount", BOB_ID))

    got = bob.get(golden)
    assert got.status_code == 200
    assert got.json()["folderId"] == OWNERS
    made = bob.done(bob.create(BOBS, imageId=golden))
    copy = bob.get(made["metadata"]["imageId"]).json()
    assert (copy["folderId"], copy["status"]) == (BOBS, "READY")
    # The owner's folder stays the owner's: not listed, no latest by family, no Create in it.
    assert bob.http.get("/compute/v1/images", params={"folderId": OWNERS}).status_code == 403
    latest = {"folderId": OWNERS, "family": "app"}
    assert bob.http.get("/compute/v1/images:latestByFamily", params=latest).status_code == 403
    assert bob.create(OWNERS, imageId=golden).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "", {"updateMask": "description", "description": "mine now"}),
        ("DELETE", "", None),
        ("GET", "/operations", None),
        ("GET", ":listAccessBindings", None),
        ("POST", ":setAccessBindings", {"accessBindings": []}),
    ],
    ids=["update", "delete", "list-operations", "list-bindings", "set-bindings"],
)
def test_an_image_user_may_not_change_or_inspect_it(
    callers: dict[str, Caller],
    fake: FakeImageService,
    golden: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    _share(callers, golden, ("compute.images.user", "userAccount", BOB_ID))
    before = len(fake.operations(golden))
    reply = callers[BOB].http.request(method, f"/compute/v1/images/{golden}{path}", json=body)
    assert reply.status_code == 403
    assert golden in reply.json()["message"]
    assert "compute.images.user" not in reply.json()["message"]  # not among the roles named
    assert len(fake.operations(golden)) == before


def test_a_viewer_sees_the_image_its_operations_and_bindings_but_cannot_use_it(
    callers: dict[str, Caller], golden: str
) -> None:
    bob = callers[BOB]
    _share(callers, golden, ("viewer", "userAccount", BOB_ID))
    assert bob.get(golden).status_code == 200
    ops = bob.http.get(f"/compute/v1/images/{golden}/operations")
    assert sorted(op["description"] for op in ops.json()["operations"]) == [
        "Create image",
        "Set access bindings",
    ]
    listed = bob.bindings(golden).json()["accessBindings"]
    assert listed == [_binding("viewer", "userAccount", BOB_ID)]
    refused = bob.create(BOBS, imageId=golden)
    assert refused.status_code == 403
    assert "compute.images.user" in refused.json()["message"]  # a role that would do
    assert bob.http.patch(f"/compute/v1/images/{golden}", json={}).status_code == 403


def test_an_editor_updates_and_deletes_it_and_follows_its_operations(
    callers: dict[str, Caller], golden: str
) -> None:
    bob = callers[BOB]
    _share(callers, golden, ("editor", "userAccount", BOB_ID))
    change = {"updateMask": "description", "description": "edited by bob"}
    bob.done(bob.http.patch(f"/compute/v1/images/{golden}", json=change))
    assert callers[OWNER].get(golden).json()["description"] == "edited by bob"
    assert bob.set(golden).status_code == 403  # an editor does not share further
    deleting = bob.http.delete(f"/compute/v1/images/{golden}")
    assert deleting.json()["createdBy"] == BOB_ID  # the configured subject made it
    bob.done(deleting)
    assert callers[OWNER].get(golden).status_code == 404
    # The image and its bindings are gone; bob still sees the operation he started.
    assert bob.http.get(f"/operations/{deleting.json()['id']}").status_code == 200


def test_an_admin_shares_it_further(callers: dict[str, Caller], golden: str) -> None:
    _share(callers, golden, ("admin", "userAccount", BOB_ID))
    bob = callers[BOB]
    bob.done(bob.update(golden, "ADD", ("compute.images.user", "system", ORG)))
    assert callers[CAROL].get(golden).status_code == 200
    assert callers[DAVE].get(golden).status_code == 404


def test_operations_of_a_shared_image_are_visible_not_cancellable(
    callers: dict[str, Caller], golden: str
) -> None:
    _share(callers, golden, ("viewer", "userAccount", BOB_ID))
    started = callers[OWNER].http.patch(
        f"/compute/v1/images/{golden}", json={"updateMask": "description", "description": "x"}
    )
    op_id = started.json()["id"]
    assert callers[DAVE].http.get(f"/operations/{op_id}").status_code == 404
    assert callers[BOB].http.post(f"/operations/{op_id}:cancel").status_code == 403
    assert callers[BOB].http.get(f"/operations/{op_id}").status_code == 200  # finishes it


@pytest.mark.parametrize("revoke", ["update-remove", "set-empty"])
def test_revoking_takes_the_image_away_again(
    callers: dict[str, Caller], golden: str, revoke: str
) -> None:
    binding = ("compute.images.user", "userAccount", BOB_ID)
    _share(callers, golden, binding)
    assert callers[BOB].get(golden).status_code == 200
    owner = callers[OWNER]
    owner.done(
        owner.update(golden, "REMOVE", binding) if revoke == "update-remove" else owner.set(golden)
    )
    assert callers[BOB].get(golden).status_code == 404
    assert callers[BOB].create(BOBS, imageId=golden).status_code == 404


def test_a_binding_takes_effect_when_its_operation_finishes(
    callers: dict[str, Caller], golden: str
) -> None:
    started = callers[OWNER].set(golden, ("viewer", "userAccount", BOB_ID))
    assert callers[BOB].get(golden).status_code == 404  # still running (on-poll)
    callers[OWNER].done(started)
    assert callers[BOB].get(golden).status_code == 200


@pytest.mark.parametrize("everyone", ["allAuthenticatedUsers", "allUsers"])
def test_a_system_subject_for_everyone_shares_with_every_token(
    callers: dict[str, Caller], golden: str, everyone: str
) -> None:
    _share(callers, golden, ("compute.images.user", "system", everyone))
    for token, folder in [(BOB, BOBS), (CAROL, CAROLS), (DAVE, DAVES)]:
        assert callers[token].get(golden).status_code == 200, token
        callers[token].done(callers[token].create(folder, imageId=golden))
        listed = callers[token].http.get("/compute/v1/images", params={"folderId": OWNERS})
        assert listed.status_code == 403, token


def test_a_group_binding_reaches_the_tokens_that_list_the_group(
    callers: dict[str, Caller], golden: str
) -> None:
    other_org = "group:organization:bpfotherorg00000001:users"
    _share(callers, golden, ("viewer", "system", other_org))
    assert callers[CAROL].get(golden).status_code == 404
    _share(callers, golden, ("viewer", "system", ORG))
    assert callers[CAROL].get(golden).status_code == 200
    assert callers[BOB].get(golden).status_code == 404
    assert callers[DAVE].get(golden).status_code == 404


def test_a_binding_names_the_subject_by_id_and_type(
    callers: dict[str, Caller], golden: str
) -> None:
    _share(callers, golden, ("viewer", "serviceAccount", BOB_ID))  # bob is a userAccount
    assert callers[BOB].get(golden).status_code == 404


def test_a_token_without_a_subject_is_the_user_account_its_operations_name(
    callers: dict[str, Caller], golden: str
) -> None:
    dave = callers[DAVE]
    mine = dave.create(DAVES)
    dave_id = mine.json()["createdBy"]
    dave.done(mine)
    assert dave.get(golden).status_code == 404
    _share(callers, golden, ("viewer", "userAccount", dave_id))
    assert dave.get(golden).status_code == 200


def test_a_token_with_no_folders_sees_only_what_is_shared_with_it() -> None:
    fake = FakeImageService(access={**ACCESS, "eve": {"subject": {"id": "ajeeve"}}})
    owner = Caller(checked_client(fake, token=OWNER))
    eve = Caller(checked_client(fake, token="eve"))
    image = owner.done(owner.create(OWNERS))["metadata"]["imageId"]
    owner.done(owner.set(image, ("viewer", "userAccount", "ajeeve")))
    assert eve.get(image).status_code == 200
    assert eve.http.get("/compute/v1/images", params={"folderId": OWNERS}).status_code == 403
    assert eve.create(OWNERS).status_code == 403
    owner.http.close()
    eve.http.close()


def test_the_public_folder_takes_no_bindings(callers: dict[str, Caller]) -> None:
    bob = callers[BOB]
    assert bob.bindings(UBUNTU).json() == {}  # readable: nothing bound
    for reply in [
        bob.set(UBUNTU, ("viewer", "userAccount", BOB_ID)),
        bob.update(UBUNTU, "ADD", ("viewer", "userAccount", BOB_ID)),
    ]:
        assert reply.status_code == 403
        assert reply.json()["message"] == f"Folder {PUBLIC_FOLDER} is public and read-only"


def test_without_access_bindings_are_kept_but_everyone_may_do_everything() -> None:
    fake = FakeImageService()
    alice = Caller(checked_client(fake, token="alice"))
    mallory = Caller(checked_client(fake, token="mallory"))
    image = alice.done(alice.create(OWNERS))["metadata"]["imageId"]
    alice.done(alice.set(image, ("viewer", "userAccount", "ajesomeoneelse")))
    assert mallory.bindings(image).json()["accessBindings"] == [
        _binding("viewer", "userAccount", "ajesomeoneelse")
    ]
    assert mallory.get(image).status_code == 200
    mallory.done(mallory.set(image))  # no role needed without access=
    mallory.done(mallory.http.delete(f"/compute/v1/images/{image}"))
    alice.http.close()
    mallory.http.close()
