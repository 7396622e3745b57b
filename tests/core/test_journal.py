"""The journal: every call with its request, response or error, and its times."""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from pytest_yc_images import FakeImageService, Journal
from pytest_yc_images._core.journal import TRUNCATED
from tests.conftest import DEFAULT_URI

if TYPE_CHECKING:
    from tests.conftest import Api

UBUNTU = "fd8a1ejo4ucrhdihu5ge"
IMAGES = "/compute/v1/images"
KEY = "0d6f3b6e-2c4a-4e8b-9a7d-5c3e1f2a4b6c"  # an Idempotency-Key is a UUID


def test_every_call_is_recorded_in_order(api: Api, fake: FakeImageService) -> None:
    op = api.create(name="noted", idempotency_key=KEY).json()
    api.poll(op["id"])
    api.get(op["metadata"]["imageId"])
    api.list(pageSize=5)
    api.get("fd8nosuchimage000000")
    api.http.post(f"/operations/{op['id']}:cancel")
    methods = [e.method for e in fake.journal.entries]
    assert methods == [
        "ImageService.Create",
        "OperationService.Get",
        "ImageService.Get",
        "ImageService.List",
        "ImageService.Get",
        "OperationService.Cancel",
    ]
    create = fake.journal.calls("Create")[0]
    assert create.request == {"folderId": api.folder, "name": "noted", "uri": DEFAULT_URI}
    assert create.response == op
    assert create.error is None
    assert create.ok
    assert create.idempotency_key == KEY
    listing = fake.journal.calls("ImageService.List")[0]
    assert listing.request == {"folderId": api.folder, "pageSize": "5"}
    missing = fake.journal.entries[4]
    assert missing.code == 5
    assert not missing.ok
    assert missing.response is None
    assert missing.error is not None
    assert missing.error["code"] == 5


def test_rejected_calls_are_recorded_too(
    make_api: Callable[..., Api], fake: FakeImageService, api: Api
) -> None:
    make_api(fake, token=None).get(UBUNTU)
    api.create(name="BAD")
    fake.fail_next("List", "UNAVAILABLE")
    api.list()
    assert [(e.method, e.code) for e in fake.journal.entries] == [
        ("ImageService.Get", 16),
        ("ImageService.Create", 3),
        ("ImageService.List", 14),
    ]
    assert fake.journal.entries[1].error is not None
    assert "name" in fake.journal.entries[1].error["message"]


def test_paths_that_reach_no_method_are_not_recorded(api: Api, fake: FakeImageService) -> None:
    api.http.get("/compute/v1/nothing")
    api.http.put("/compute/v1/images")
    assert len(fake.journal) == 0


def test_lost_reply_is_recorded_as_the_caller_saw_it(api: Api, fake: FakeImageService) -> None:
    fake.lose_reply("Create")
    api.create(name="lost")
    (entry,) = fake.journal.calls("Create")
    assert entry.code == 14


def test_virtual_and_wall_times(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="clock")
    api = make_api(fake)
    before = time.monotonic()
    api.list()
    fake.advance(90)
    api.list()
    first, second = fake.journal.entries
    assert second.virtual_time - first.virtual_time == 90
    assert before <= first.wall_time <= second.wall_time <= time.monotonic()


def test_poll_gaps_in_virtual_time(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(completion="manual")
    api = make_api(fake)
    op = api.create().json()
    other = api.create().json()
    for gap in (1, 2, 4, 8):
        fake.advance(gap)
        api.poll(op["id"])
        api.poll(other["id"])  # polls of other operations do not count
    assert len(fake.journal.polls(op["id"])) == 4
    assert fake.journal.poll_gaps(op["id"], clock="virtual") == [2, 4, 8]


def test_poll_gaps_in_wall_time(api: Api, fake: FakeImageService) -> None:
    fake.completion = "manual"
    op = api.create().json()
    for _ in range(3):
        api.poll(op["id"])
        time.sleep(0.01)
    gaps = fake.journal.poll_gaps(op["id"])
    assert len(gaps) == 2
    assert all(gap >= 0.01 for gap in gaps)


@pytest.mark.parametrize("polls", [0, 1])
def test_poll_gaps_of_few_polls_are_empty(api: Api, fake: FakeImageService, polls: int) -> None:
    op = api.create().json()
    for _ in range(polls):
        api.poll(op["id"])
    assert fake.journal.poll_gaps(op["id"]) == []


def test_journal_clear(api: Api, fake: FakeImageService) -> None:
    api.list()
    fake.journal.clear()
    assert fake.journal.calls() == []
    api.list()
    assert len(fake.journal) == 1


# --- bounded in entries and in bytes ---------------------------------------------------


def test_a_large_request_is_kept_truncated_with_its_short_fields(
    api: Api, fake: FakeImageService
) -> None:
    body = {"folderId": api.folder, "name": "big", "description": "x" * 200_000}
    raw = json.dumps(body).encode()
    reply = api.http.post(IMAGES, content=raw, headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    (entry,) = fake.journal.calls("Create")
    size = len(raw) + len(IMAGES)  # what the REST face weighs: the body, the query, the path
    assert entry.request == {"folderId": api.folder, "name": "big", TRUNCATED: size}
    assert entry.truncated
    assert entry.error is not None
    assert "description" in entry.error["message"]


def test_ordinary_requests_are_kept_whole(api: Api, fake: FakeImageService) -> None:
    labels = {f"k{i:02}": "v" * 63 for i in range(64)}  # the most labels the API takes
    api.create(name="whole", labels=labels, description="d" * 256)
    (entry,) = fake.journal.calls("Create")
    assert not entry.truncated
    assert entry.request["labels"] == labels


def test_the_journal_keeps_calls_within_its_bytes(api: Api, fake: FakeImageService) -> None:
    fake.journal.max_bytes = 500_000
    for n in range(20):  # each ~60 KB, under the size a request is truncated at
        api.create(name=f"n{n}", description="x" * 60_000)
    kept = fake.journal.calls("Create")
    assert 1 <= len(kept) <= 500_000 // 60_000
    assert fake.journal.bytes <= 500_000
    assert fake.journal.count == 20
    assert [e.request.get("name") for e in kept] == [f"n{n}" for n in range(20 - len(kept), 20)]
    assert all(not e.truncated for e in kept)


def test_a_call_larger_than_the_whole_budget_is_still_the_newest_kept(
    fake: FakeImageService,
) -> None:
    fake.journal.max_bytes = 10
    fake.call("List", {"folderId": "b1gtestfolder0000001"})
    fake.call("List", {"folderId": "b1gtestfolder0000002"})
    (entry,) = fake.journal.entries
    assert entry.request == {"folderId": "b1gtestfolder0000002"}


def test_failed_megabyte_requests_do_not_grow_memory(api: Api, fake: FakeImageService) -> None:
    raw = json.dumps({"folderId": api.folder, "description": "x" * 1_000_000}).encode()
    headers = {"Content-Type": "application/json"}
    api.http.post(IMAGES, content=raw, headers=headers)  # warm-up: caches, first entry
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            assert api.http.post(IMAGES, content=raw, headers=headers).status_code == 400
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert fake.journal.count == 11
    assert grown < 200_000, f"10 failed 1 MB requests kept {grown:,} bytes"


def test_the_journal_clear_forgets_the_bytes(api: Api, fake: FakeImageService) -> None:
    api.list()
    assert fake.journal.bytes > 0
    fake.journal.clear()
    assert fake.journal.bytes == 0


def test_the_journal_defaults() -> None:
    journal = Journal()
    assert (journal.limit, journal.max_bytes, journal.max_request_bytes) == (
        1_000,
        16 * 1024 * 1024,
        64 * 1024,
    )
