"""Issue 19's controls: an image's access bindings through ``fake.bindings()`` /
``fake.put_bindings()``, ``/_fake/bindings``, the state file, ``snapshot()``/``restore()``,
``reset()`` and ``yc_images.create(..., shared_with=...)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pytest_yc_images import Code, FakeImageService, ServiceError
from pytest_yc_images.factories import ImageFactory
from tests.conftest import FOLDER


def binding(role: str, subject_id: str, subject_type: str = "userAccount") -> dict[str, Any]:
    return {"roleId": role, "subject": {"id": subject_id, "type": subject_type}}


USER_A = binding("compute.images.user", "ajea")
VIEWER_B = binding("viewer", "ajeb", "serviceAccount")
EVERYONE = binding("compute.images.user", "allAuthenticatedUsers", "system")
ORG = binding("viewer", "group:organization:bpf1:users", "system")


@pytest.fixture
def image(fake: FakeImageService) -> str:
    return str(fake.put_image(folderId=FOLDER)["id"])


def listed(http: httpx.Client, image_id: str) -> list[dict[str, Any]]:
    reply = http.get(f"/compute/v1/images/{image_id}:listAccessBindings", params={"pageSize": 1000})
    assert reply.status_code == 200, reply.text
    return list(reply.json().get("accessBindings", []))


# --- the Python API -------------------------------------------------------------------
def test_put_bindings_takes_mappings_and_short_forms(
    fake: FakeImageService, client: httpx.Client, image: str
) -> None:
    stored = fake.put_bindings(
        image,
        [
            "userAccount:ajea",  # compute.images.user: use of the image
            ("viewer", "serviceAccount:ajeb"),
            "allAuthenticatedUsers",  # a system ID needs no type
            {"roleId": "viewer", "subject": {"id": "group:organization:bpf1:users",
                                             "type": "system"}},
        ],
    )  # fmt: skip
    # By role, then subject type and ID (serviceAccount before system).
    assert stored == [EVERYONE, USER_A, VIEWER_B, ORG]
    assert fake.bindings(image) == stored
    assert listed(client, image) == stored  # what the API lists


def test_put_bindings_replaces_and_an_empty_list_clears(fake: FakeImageService, image: str) -> None:
    fake.put_bindings(image, ["userAccount:ajea", "system:allAuthenticatedUsers"])
    assert fake.put_bindings(image, [VIEWER_B, VIEWER_B]) == [VIEWER_B]  # repeats once
    assert fake.put_bindings(image, []) == []
    assert fake.bindings(image) == []
    assert fake.service.store.bindings == {}


def test_one_binding_may_be_given_alone(fake: FakeImageService, image: str) -> None:
    assert fake.put_bindings(image, "userAccount:ajea") == [USER_A]
    assert fake.put_bindings(image, VIEWER_B) == [VIEWER_B]


def test_bindings_set_through_the_api_are_read_back(
    fake: FakeImageService, client: httpx.Client, image: str
) -> None:
    reply = client.post(
        f"/compute/v1/images/{image}:setAccessBindings", json={"accessBindings": [ORG]}
    )
    client.get(f"/operations/{reply.json()['id']}")
    assert fake.bindings(image) == [ORG]


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        ("ajea", "accessBindings[0]", "'TYPE:ID'"),
        ("user:ajea", "accessBindings[0]", "userAccount, serviceAccount, federatedUser, system"),
        (("viewer",), "accessBindings[0]", "a pair"),
        (42, "accessBindings[0]", "not 42"),
        ("userAccount:", "accessBindings[0].subject.id", ""),
        ("userAccount:" + "a" * 101, "accessBindings[0].subject.id", "100"),
        (("owner", "userAccount:ajea"), "accessBindings[0].roleId", "compute.images.user"),
        (("r" * 65, "userAccount:ajea"), "accessBindings[0].roleId", "64"),
        ("userAccount:allUsers", "accessBindings[0].subject.type", "only with the type system"),
        ("system:ajea", "accessBindings[0].subject.id", "a system subject"),
        ({"roleId": "viewer"}, "accessBindings[0].subject", "required"),
        ({**USER_A, "extra": 1}, "accessBindings[0].extra", ""),
    ],
)
def test_put_bindings_refuses_naming_the_field(
    fake: FakeImageService, image: str, spec: Any, field: str, words: str
) -> None:
    fake.put_bindings(image, [USER_A])
    with pytest.raises(ServiceError) as caught:
        fake.put_bindings(image, [spec])
    assert isinstance(caught.value, ValueError)  # a ControlError, as every control's
    assert caught.value.code is Code.INVALID_ARGUMENT
    assert [v.field for v in caught.value.violations] == [field]
    assert words in caught.value.message
    assert fake.bindings(image) == [USER_A]


def test_the_bindings_of_an_unknown_image_are_not_found(fake: FakeImageService) -> None:
    for call in (
        lambda: fake.bindings("fd8nosuchimage000000"),
        lambda: fake.put_bindings("fd8nosuchimage000000", ["userAccount:ajea"]),
    ):
        with pytest.raises(ServiceError) as caught:
            call()
        assert caught.value.code is Code.NOT_FOUND
    assert fake.service.store.bindings == {}


def test_put_bindings_starts_no_operation_and_is_not_journalled(
    fake: FakeImageService, image: str
) -> None:
    fake.put_bindings(image, ["userAccount:ajea"])
    assert fake.operations() == []
    assert len(fake.journal) == 0


def test_an_image_being_deleted_may_be_given_bindings(fake: FakeImageService) -> None:
    image = fake.put_image(folderId=FOLDER, status="DELETING")["id"]
    assert fake.put_bindings(image, ["userAccount:ajea"]) == [USER_A]


# --- /_fake/bindings --------------------------------------------------------------------
def test_the_http_controls_put_and_list_bindings(
    fake: FakeImageService, client: httpx.Client, image: str
) -> None:
    other = fake.put_image(folderId=FOLDER)["id"]
    fake.put_image(folderId=FOLDER)  # no bindings: not listed
    put = client.post("/_fake/bindings", json={"imageId": image, "accessBindings": [VIEWER_B]})
    assert put.status_code == 200, put.text
    assert put.json() == {"imageId": image, "accessBindings": [VIEWER_B]}
    client.post("/_fake/bindings", json={"imageId": other, "accessBindings": [USER_A, ORG]})
    every = client.get("/_fake/bindings").json()
    assert sorted(every["bindings"], key=lambda e: e["imageId"]) == sorted(
        [
            {"imageId": image, "accessBindings": [VIEWER_B]},
            {"imageId": other, "accessBindings": [USER_A, ORG]},
        ],
        key=lambda e: e["imageId"],
    )
    one = client.get("/_fake/bindings", params={"imageId": other}).json()
    assert one == {"bindings": [{"imageId": other, "accessBindings": [USER_A, ORG]}]}
    assert listed(client, other) == [USER_A, ORG]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"accessBindings": []}, "imageId"),
        ({"imageId": "x"}, "accessBindings"),
        ({"imageId": "x", "accessBindings": [], "more": 1}, "more"),
        ({"imageId": "", "accessBindings": []}, "imageId"),
        ({"imageId": "x", "accessBindings": ["userAccount:ajea"]}, "accessBindings[0]"),
        ({"imageId": "x", "accessBindings": [USER_A, binding("viewer", "allUsers")]},
         "accessBindings[1].subject.type"),
        ({"imageId": "x", "accessBindings": [binding("root", "ajea")]}, "accessBindings[0].roleId"),
    ],
)  # fmt: skip
def test_the_http_control_refuses_bad_bodies_naming_the_field(
    fake: FakeImageService, client: httpx.Client, image: str, body: dict[str, Any], field: str
) -> None:
    body = {**body, "imageId": image} if body.get("imageId") == "x" else body
    reply = client.post("/_fake/bindings", json=body)
    assert reply.status_code == 400, reply.text
    details = reply.json()["details"]
    fields = [v["field"] for d in details for v in d.get("fieldViolations", [])]
    assert fields == [field]
    assert fake.service.store.bindings == {}


def test_the_http_controls_answer_404_for_an_unknown_image(client: httpx.Client) -> None:
    missing = "fd8nosuchimage000000"
    assert client.get("/_fake/bindings", params={"imageId": missing}).status_code == 404
    put = client.post("/_fake/bindings", json={"imageId": missing, "accessBindings": []})
    assert put.status_code == 404


# --- state ------------------------------------------------------------------------------
def test_bindings_and_running_binding_operations_survive_a_state_file(
    fake: FakeImageService, client: httpx.Client, image: str, tmp_path: Path
) -> None:
    fake.put_bindings(image, [USER_A, EVERYONE])
    fake.completion = "manual"
    delta = {"action": "REMOVE", "accessBinding": EVERYONE}
    running = client.post(
        f"/compute/v1/images/{image}:updateAccessBindings", json={"accessBindingDeltas": [delta]}
    ).json()["id"]
    path = fake.save_state(tmp_path / "state.json")
    saved = json.loads(path.read_text())
    assert saved["bindings"] == [{"imageId": image, "accessBindings": [EVERYONE, USER_A]}]
    [op] = saved["operations"]
    assert (op["method"], op["done"], op["deltas"]) == ("UpdateAccessBindings", False, [delta])

    restarted = FakeImageService(seed=2)
    restarted.load_state(path)
    assert restarted.bindings(image) == [EVERYONE, USER_A]
    finished = restarted.complete(running)
    assert finished["response"]["effectiveDeltas"] == [delta]
    assert restarted.bindings(image) == [USER_A]
    # Saved again, the done operation keeps its effective deltas.
    again = FakeImageService(seed=3)
    again.load_state(restarted.save_state(tmp_path / "again.json"))
    [shown] = again.operations(image)
    assert shown["response"]["effectiveDeltas"] == [delta]
    assert again.bindings(image) == [USER_A]


def test_a_state_file_without_bindings_still_loads(tmp_path: Path) -> None:
    old = {
        "version": 1,
        "images": [{"id": "fd8oldimage000000001", "folderId": FOLDER, "name": "old"}],
        "operations": [
            {
                "id": "fd8oldop000000000001",
                "method": "Create",
                "folderId": FOLDER,
                "imageId": "fd8oldimage000000001",
                "createdAt": "2025-01-01T00:00:00Z",
                "createdBy": "aje",
                "modifiedAt": "2025-01-01T00:00:01Z",
                "done": True,
            }
        ],
    }
    fake = FakeImageService()
    fake.load_state(old)
    assert fake.bindings("fd8oldimage000000001") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bindings": [{"imageId": "IMAGE", "accessBindings": [binding("root", "a")]}]},
         "bindings[0].accessBindings[0].roleId"),
        ({"bindings": [{"imageId": "fd8nosuchimage000000", "accessBindings": []}]},
         "bindings[0].imageId"),
        ({"bindings": [{"imageId": "IMAGE", "accessBindings": []}] * 2}, "bindings[1].imageId"),
        ({"bindings": [{"imageId": "IMAGE"}]}, "bindings[0].accessBindings"),
    ],
)  # fmt: skip
def test_bad_bindings_in_a_state_file_are_refused_naming_the_field(
    fake: FakeImageService, image: str, change: dict[str, Any], field: str
) -> None:
    from pytest_yc_images._state import StateError

    state = json.loads(json.dumps(change).replace("IMAGE", image))
    state["images"] = [{"id": image, "folderId": FOLDER}]
    with pytest.raises(StateError) as caught:
        FakeImageService().load_state(state)
    assert caught.value.field == field


def test_a_bad_delta_of_a_saved_operation_is_refused(
    fake: FakeImageService, image: str, client: httpx.Client
) -> None:
    from pytest_yc_images._state import StateError

    reply = client.post(f"/compute/v1/images/{image}:setAccessBindings", json={})
    client.get(f"/operations/{reply.json()['id']}")
    fake.put_bindings(image, [USER_A])
    state = json.loads(json.dumps(_dumped(fake)))
    state["operations"][0]["deltas"] = [
        {"action": "ADD", "accessBinding": binding("viewer", "allUsers")}
    ]
    with pytest.raises(StateError) as caught:
        FakeImageService().load_state(state)
    assert caught.value.field == "operations[0].deltas[0].accessBinding.subject.type"
    state["operations"][0]["deltas"] = [{"action": "KEEP", "accessBinding": USER_A}]
    with pytest.raises(StateError) as caught:
        FakeImageService().load_state(state)
    assert caught.value.field == "operations[0].deltas[0].action"


@pytest.mark.yc_images(completion="manual")
def test_deltas_a_loaded_operation_cannot_hold_are_refused(
    fake: FakeImageService, image: str, client: httpx.Client
) -> None:
    # Found by the probe: a running Set's REMOVE was loaded, then applied as an ADD; a
    # Create's deltas were loaded silently.
    from pytest_yc_images._state import StateError

    reply = client.post(
        f"/compute/v1/images/{image}:setAccessBindings", json={"accessBindings": [USER_A]}
    )
    assert reply.status_code == 200, reply.text
    state = json.loads(json.dumps(_dumped(fake)))
    [running] = state["operations"]
    assert (running["method"], running["done"]) == ("SetAccessBindings", False)
    running["deltas"] = [{"action": "REMOVE", "accessBinding": USER_A}]
    with pytest.raises(StateError) as caught:
        FakeImageService().load_state(state)
    assert caught.value.field == "operations[0].deltas[0].action"

    running.update(method="Create", deltas=[{"action": "ADD", "accessBinding": USER_A}])
    with pytest.raises(StateError) as caught:
        FakeImageService().load_state(state)
    assert caught.value.field == "operations[0].deltas"


def _dumped(fake: FakeImageService) -> dict[str, Any]:
    from pytest_yc_images._state import dump_state

    return dump_state(fake.service)


def test_snapshot_and_restore_bring_bindings_back(fake: FakeImageService, image: str) -> None:
    fake.put_bindings(image, [USER_A])
    saved = fake.snapshot()
    fake.put_bindings(image, [VIEWER_B])
    fake.restore(saved)
    assert fake.bindings(image) == [USER_A]
    fake.put_bindings(image, [])  # the snapshot is a copy: restoring again still works
    fake.restore(saved)
    assert fake.bindings(image) == [USER_A]


def test_reset_drops_every_binding(fake: FakeImageService, image: str) -> None:
    fake.put_bindings(image, [USER_A])
    fake.reset()
    assert fake.service.store.bindings == {}


# --- factories --------------------------------------------------------------------------
def test_a_factory_image_can_be_created_shared(fake: FakeImageService) -> None:
    factory = ImageFactory(fake, folder_id=FOLDER)
    image = factory.create("windows", shared_with=["userAccount:ajea", ORG])
    assert fake.bindings(image["id"]) == [USER_A, ORG]
    plain = factory.create()
    assert fake.bindings(plain["id"]) == []
    family = factory.family("golden", versions=2, shared_with=["allAuthenticatedUsers"])
    assert [fake.bindings(i["id"]) for i in family] == [[EVERYONE], [EVERYONE]]


def test_a_bad_shared_with_names_its_item_and_stores_nothing(fake: FakeImageService) -> None:
    factory = ImageFactory(fake, folder_id=FOLDER)
    before = fake.images(FOLDER)
    with pytest.raises(ValueError, match=r"shared_with\[1\]\.roleId") as caught:
        factory.create(shared_with=["userAccount:ajea", ("owner", "userAccount:ajeb")])
    assert isinstance(caught.value, ServiceError)
    assert [v.field for v in caught.value.violations] == ["shared_with[1].roleId"]
    with pytest.raises(ValueError, match=r"shared_with\[0\]: a binding is"):
        factory.create(shared_with=["ajea"])
    assert fake.images(FOLDER) == before


def test_build_does_not_take_shared_with(fake: FakeImageService) -> None:
    with pytest.raises(TypeError, match="create"):
        ImageFactory(fake).build(shared_with=["userAccount:ajea"])


def test_the_yc_images_fixture_shares_images(
    yc_images: ImageFactory, yc_fake: FakeImageService, yc_client: httpx.Client
) -> None:
    image = yc_images.create(shared_with=[("viewer", "userAccount:ajea")])
    assert listed(yc_client, image["id"]) == [binding("viewer", "ajea")]
