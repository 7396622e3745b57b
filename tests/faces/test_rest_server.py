"""The real loopback server: concurrent keep-alive clients, timeouts, controls, clean stop."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from pytest_yc_images import FakeImageService, LoopbackServer

FOLDER = "b1gserverfolder00001"
THREADS = 8
CALLS_PER_THREAD = 50


@pytest.fixture
def served() -> Iterator[tuple[FakeImageService, LoopbackServer]]:
    fake = FakeImageService(seed=3)
    server = fake.serve()
    try:
        yield fake, server
    finally:
        server.stop()


def _worker(make: Callable[..., httpx.Client], url: str, worker: int) -> dict[str, Any]:
    """A bounded mix of create / poll / get / list calls on one keep-alive connection."""
    created: list[str] = []
    statuses: list[int] = []
    pending: list[str] = []
    with make(url, timeout=10.0) as client:
        for step in range(CALLS_PER_THREAD):
            kind = step % 4
            if kind == 0:
                reply = client.post(
                    "/compute/v1/images",
                    json={
                        "folderId": FOLDER,
                        "name": f"w{worker}-{step}",
                        "uri": "https://storage.example/a.qcow2",
                    },
                )
                if reply.status_code == 200:
                    created.append(reply.json()["metadata"]["imageId"])
                    pending.append(reply.json()["id"])
            elif kind == 1 and pending:
                reply = client.get(f"/operations/{pending.pop()}")
                assert reply.json().get("done") is True
            elif kind == 2 and created:
                reply = client.get(f"/compute/v1/images/{created[-1]}")
                assert reply.json()["id"] == created[-1]
            else:
                params = {"folderId": FOLDER, "pageSize": 10}
                reply = client.get("/compute/v1/images", params=params)
            statuses.append(reply.status_code)
    return {"created": created, "statuses": statuses}


def test_concurrent_keep_alive_clients(
    served: tuple[FakeImageService, LoopbackServer],
    http_client_factory: Callable[..., httpx.Client],
) -> None:
    fake, server = served
    assert server.url.startswith("http://127.0.0.1:")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(_worker, http_client_factory, server.url, n) for n in range(THREADS)]
        results = [f.result(timeout=30) for f in futures]
    assert time.monotonic() - started < 30
    statuses = [s for r in results for s in r["statuses"]]
    assert len(statuses) == THREADS * CALLS_PER_THREAD
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert set(statuses) == {200}
    created = [i for r in results for i in r["created"]]
    assert len(created) == THREADS * -(-CALLS_PER_THREAD // 4)
    listed: list[str] = []
    with http_client_factory(server.url) as client:
        token = ""
        for _ in range(100):
            params = {"folderId": FOLDER, "pageSize": 17} | ({"pageToken": token} if token else {})
            page = client.get("/compute/v1/images", params=params).json()
            listed += [i["id"] for i in page.get("images", [])]
            token = page.get("nextPageToken", "")
            if not token:
                break
    assert sorted(listed) == sorted(created)  # every image exactly once
    assert len(fake.journal.calls("Create")) == len(created)


def test_the_server_stops_cleanly() -> None:
    fake = FakeImageService()
    server = fake.serve()
    port = server.port
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/compute/v1/images/x").status_code == 401
    server.stop()
    assert not any(t.name == f"yc-images-fake:{port}" for t in threading.enumerate())
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=1),
    ):
        pass


def test_serve_as_a_context_manager_runs_one_server() -> None:
    fake = FakeImageService()
    with fake.serve() as server:
        name = f"yc-images-fake:{server.port}"
        assert [t.name for t in threading.enumerate()].count(name) == 1
    assert name not in [t.name for t in threading.enumerate()]


def test_latency_makes_a_client_time_out(
    served: tuple[FakeImageService, LoopbackServer],
    http_client_factory: Callable[..., httpx.Client],
) -> None:
    fake, server = served
    fault = fake.add_latency("Get", 2.0, times=1)
    client = http_client_factory(server.url, timeout=0.5)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/compute/v1/images/fd8a1ejo4ucrhdihu5ge")
    # the server may not have taken the request yet when a loaded machine lets the
    # client time out: wait (bounded) for the fault to be seen
    deadline = time.monotonic() + 10
    while not fake.fired(fault) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.fired(fault) == 1
    patient = http_client_factory(server.url, timeout=5)
    start = time.monotonic()
    fake.add_latency("Get", 0.05, times=1)
    assert patient.get("/compute/v1/images/fd8a1ejo4ucrhdihu5ge").status_code == 200
    assert time.monotonic() - start >= 0.05


def test_errors_and_controls_over_the_socket(
    served: tuple[FakeImageService, LoopbackServer],
    http_client_factory: Callable[..., httpx.Client],
) -> None:
    fake, server = served
    client = http_client_factory(server.url)
    put = client.post("/_fake/images", json={"folderId": FOLDER, "name": "over-http"})
    assert put.status_code == 200
    assert client.get(f"/compute/v1/images/{put.json()['id']}").json()["name"] == "over-http"
    assert client.put("/compute/v1/images").headers["allow"]
    assert client.get("/nowhere").status_code == 404
    big = b'{"folderId": "f", "description": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    too_big = client.post(
        "/compute/v1/images", content=big, headers={"Content-Type": "application/json"}
    )
    assert too_big.status_code == 429
    assert (
        client.post(
            "/compute/v1/images", content=b"{", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert client.get("/compute/v1/images/%ff%00").status_code == 404
    assert client.get("/compute/v1/images", params={"folderId": "f", "bad": "1"}).status_code == 400
    assert len(fake.images(FOLDER)) == 1


def test_idempotent_retry_over_the_socket(
    served: tuple[FakeImageService, LoopbackServer],
    http_client_factory: Callable[..., httpx.Client],
) -> None:
    fake, server = served
    fake.lose_reply("Create")
    client = http_client_factory(server.url)
    headers = {"Idempotency-Key": "9b4c5d6e-7f80-4192-8dae-2f3a4b5c6d7e"}
    body = {"folderId": FOLDER, "name": "retried", "uri": "https://storage.example/a.qcow2"}
    assert client.post("/compute/v1/images", json=body, headers=headers).status_code == 503
    again = client.post("/compute/v1/images", json=body, headers=headers)
    assert again.status_code == 200
    assert [i["id"] for i in fake.images(FOLDER)] == [again.json()["metadata"]["imageId"]]


def test_stop_with_an_open_keep_alive_connection(
    http_client_factory: Callable[..., httpx.Client],
) -> None:
    fake = FakeImageService()
    server = fake.serve()
    client = http_client_factory(server.url, timeout=2)
    assert client.get("/compute/v1/images/fd8a1ejo4ucrhdihu5ge").status_code == 200
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 5
    assert not any(t.name == f"yc-images-fake:{server.port}" for t in threading.enumerate())
    with pytest.raises(httpx.ConnectError):
        client.get("/compute/v1/images/fd8a1ejo4ucrhdihu5ge")
