"""Issue 16, rows 8 and 9 over REST: ``GET`` and ``POST /operations/{id}:cancel`` both
cancel (live/operation_service.proto's HTTP rule says GET, the API design guide POST), and
a running operation is written with ``"done": false`` (the REST reference's examples)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.faces.server import LoopbackServer

FOLDER = "b1gcancelfolder00001"
IMAGES = "/compute/v1/images"
PROFILES = pytest.mark.parametrize("profile", ["live", "seed"])
VERBS = ("GET", "POST")


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[tuple[FakeImageService, LoopbackServer]]:
    fake = FakeImageService(profile=getattr(request, "param", "live"))
    server = fake.serve()
    try:
        yield fake, server
    finally:
        server.stop()


@pytest.mark.parametrize("served", ["live", "seed"], indirect=True)
@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_both_verbs_cancel_a_running_operation_over_the_loopback_server(
    served: tuple[FakeImageService, LoopbackServer],
    http_client_factory: Callable[..., httpx.Client],
    verb: str,
) -> None:
    fake, server = served
    client = http_client_factory(server.url)
    running = client.post(
        IMAGES,
        json={"folderId": FOLDER, "name": "to-cancel", "uri": "https://storage.example/a.qcow2"},
    ).json()
    assert running["done"] is False

    reply = client.request(verb, f"/operations/{running['id']}:cancel")

    assert reply.status_code == 200, reply.text
    cancelled = reply.json()
    assert (cancelled["id"], cancelled["done"]) == (running["id"], True)
    assert cancelled["error"]["code"] == 1  # CANCELLED
    assert "response" not in cancelled
    assert client.get(f"/operations/{running['id']}").json() == cancelled
    assert [e.method for e in fake.journal.entries][-2:] == [
        "OperationService.Cancel",
        "OperationService.Get",
    ]


def test_cancelling_a_done_operation_answers_it_as_it_is() -> None:
    fake = FakeImageService(completion="immediate")
    with fake.client() as client:
        done = client.post(
            IMAGES,
            json={"folderId": FOLDER, "name": "done", "uri": "https://storage.example/a.qcow2"},
        ).json()
        replies = [client.request(verb, f"/operations/{done['id']}:cancel") for verb in VERBS]
    assert [(r.status_code, r.json()) for r in replies] == [(200, done)] * 2  # best effort


@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_cancel_of_an_unknown_operation_is_not_found_and_other_verbs_405(verb: str) -> None:
    with FakeImageService().client() as client:
        missing = client.request(verb, "/operations/fd8nosuchoperation00:cancel")
        wrong = client.put("/operations/fd8nosuchoperation00:cancel")
    assert (missing.status_code, missing.json()["code"]) == (404, 5)
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET, POST")


@PROFILES
def test_running_operations_write_done_false_everywhere_rest_shows_them(profile: str) -> None:
    fake = FakeImageService(profile=profile)
    image = fake.put_image(folderId=FOLDER, name="a")
    other = fake.put_image(folderId=FOLDER, name="c")
    with fake.client() as client:
        created = client.post(
            IMAGES, json={"folderId": FOLDER, "name": "b", "uri": "https://storage.example/a.qcow2"}
        ).json()
        updated = client.patch(
            f"{IMAGES}/{image['id']}", json={"updateMask": "description", "description": "d"}
        ).json()
        deleting = client.delete(f"{IMAGES}/{other['id']}").json()
        polled = client.get(f"/operations/{created['id']}").json()
        listed = client.get(f"{IMAGES}/{image['id']}/operations").json()["operations"]
        controls = client.get("/_fake/operations").json()["operations"]
    # The reference's example replies: "done": false on a running operation.
    assert created["done"] is False
    assert updated["done"] is False
    assert deleting["done"] is False
    assert polled["done"] is True  # on-poll completion: the first poll finishes it
    assert [op["done"] for op in listed if op["id"] == updated["id"]] == [False]
    assert {op["id"]: op["done"] for op in controls}[updated["id"]] is False
