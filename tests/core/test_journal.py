"""The journal: every call with its request, response or error, and its times."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from tests.conftest import Api

UBUNTU = "fd8a1ejo4ucrhdihu5ge"


def test_every_call_is_recorded_in_order(api: Api, fake: FakeImageService) -> None:
    op = api.create(name="noted", idempotency_key="key-7").json()
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
    assert create.request == {"folderId": api.folder, "name": "noted"}
    assert create.response == op
    assert create.error is None
    assert create.ok
    assert create.idempotency_key == "key-7"
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
