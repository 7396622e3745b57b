"""Many clients at once against the loopback server: mixed create, update, delete, list and
latest-by-family calls from 16 threads into one folder.

No 5xx; no image lost or duplicated; a listing taken page by page while others write
never repeats an image and never skips one that stayed; every operation finishes exactly
once; the journal counted exactly the calls made. Bounded in calls and in time.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from pytest_yc_images import FakeImageService, LoopbackServer

THREADS = 16
ROUNDS = 8  # per thread; each round makes 9 to 12 calls
DEADLINE = 40.0  # seconds for the whole test, a hard bound on a slow machine
FOLDER = "b1gstress00000000001"
IMAGES = "/compute/v1/images"


@dataclass
class Worker:
    """One thread's client and what it did, to compare with the fake afterwards."""

    number: int
    http: httpx.Client
    calls: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    alive: dict[str, str] = field(default_factory=dict)  # image ID -> name, in creation order
    deleted: set[str] = field(default_factory=set)
    operations: list[str] = field(default_factory=list)

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        reply = self.http.request(method, url, **kwargs)
        self.calls += 1
        self.statuses[reply.status_code] += 1
        assert reply.status_code == 200, f"{method} {url}: {reply.status_code} {reply.text}"
        return reply.json()

    def finish(self, op: dict[str, Any]) -> dict[str, Any]:
        """Poll an operation until done (on-poll: the first poll finishes it)."""
        self.operations.append(op["id"])
        for _ in range(5):
            if op.get("done"):
                assert ("error" in op) != ("response" in op), op
                return op
            op = self.call("GET", f"/operations/{op['id']}")
        raise AssertionError(f"operation {op['id']} did not finish: {op}")

    @property
    def family(self) -> str:
        return f"family-{self.number}"

    def round(self, n: int) -> None:
        name = f"w{self.number}-r{n}"
        body = {
            "folderId": FOLDER,
            "name": name,
            "family": self.family,
            "uri": "https://storage.example/a.qcow2",
        }
        done = self.finish(self.call("POST", IMAGES, json=body))
        self.alive[done["metadata"]["imageId"]] = name
        first = next(iter(self.alive))
        patch = {"updateMask": "description", "description": f"round {n}"}
        self.finish(self.call("PATCH", f"{IMAGES}/{first}", json=patch))
        if n % 3 == 2:  # delete the oldest: others must never see it vanish early or twice
            self.finish(self.call("DELETE", f"{IMAGES}/{first}"))
            del self.alive[first]
            self.deleted.add(first)
        latest = self.call(
            "GET", f"{IMAGES}:latestByFamily", params={"folderId": FOLDER, "family": self.family}
        )
        assert latest["id"] == list(self.alive)[-1]
        self.list_consistently()

    def list_consistently(self) -> None:
        """Page through the folder while others write: no repeats, nothing of ours missing."""
        seen: list[str] = []
        token = ""
        for _ in range(200):
            params = {"folderId": FOLDER, "pageSize": 7, **({"pageToken": token} if token else {})}
            page = self.call("GET", IMAGES, params=params)
            seen += [image["id"] for image in page.get("images", [])]
            token = page.get("nextPageToken", "")
            if not token:
                break
        assert len(seen) == len(set(seen)), f"an image on two pages: {seen}"
        missing = set(self.alive) - set(seen)
        assert not missing, f"images that stayed were skipped: {missing}"


def test_sixteen_threads_of_mixed_calls(
    loopback: Callable[[FakeImageService], LoopbackServer],
) -> None:
    fake = FakeImageService(seed="stress")
    fake.journal.limit = 1_000_000  # keep every call: the checks below read them all
    server = loopback(fake)
    start = threading.Barrier(THREADS)
    deadline = time.monotonic() + DEADLINE
    workers = [
        Worker(
            n,
            httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer w{n}"}, timeout=30
            ),
        )
        for n in range(THREADS)
    ]

    def run(worker: Worker) -> None:
        with worker.http:
            start.wait(timeout=10)
            for n in range(ROUNDS):
                if time.monotonic() > deadline:
                    break
                worker.round(n)

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(run, worker) for worker in workers]:
            future.result(timeout=DEADLINE + 20)

    calls = sum(w.calls for w in workers)
    assert sum((w.statuses for w in workers), Counter()) == Counter({200: calls})
    assert fake.journal.count == calls
    # No image lost or duplicated: the folder holds exactly what the workers left alive.
    stored = [image["id"] for image in fake.images(FOLDER)]
    expected = {image_id for w in workers for image_id in w.alive}
    assert len(stored) == len(set(stored))
    assert set(stored) == expected
    assert not expected & {image_id for w in workers for image_id in w.deleted}
    # Every operation finished, exactly once: one record each, done, one outcome.
    ours = [op_id for w in workers for op_id in w.operations]
    recorded = fake.operations()
    assert sorted(op["id"] for op in recorded) == sorted(ours)
    assert all(op.get("done") is True for op in recorded)
    assert all(("error" in op) != ("response" in op) for op in recorded)
    polled = fake.journal.calls("OperationService.Get")
    polls = Counter(entry.request["operationId"] for entry in polled)
    assert set(polls) == set(ours)
    assert set(polls.values()) == {1}  # on-poll: each finished at its first poll, once
