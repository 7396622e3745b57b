"""The journal's choices: method names it checks, and the clock ``poll_gaps`` reads."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest

from pytest_yc_images import FakeImageService

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Api

# The RPCs of ImageService and OperationService that the fake answers (docs/API.md).
RPCS = {
    "ImageService.Get",
    "ImageService.GetLatestByFamily",
    "ImageService.List",
    "ImageService.Create",
    "ImageService.Update",
    "ImageService.Delete",
    "ImageService.ListOperations",
    "ImageService.ListAccessBindings",
    "ImageService.SetAccessBindings",
    "ImageService.UpdateAccessBindings",
    "OperationService.Get",
    "OperationService.Cancel",
}


def _listed(message: str) -> set[str]:
    match = re.search(r"known: (.*) \(or the part after the dot\)", message)
    assert match is not None, message
    return set(match[1].split(", "))


@pytest.mark.parametrize("name", ["CreateImage", "create", "ImageService.Creat", "Images.Get"])
def test_an_unknown_method_name_raises_listing_the_known_ones(
    api: Api, fake: FakeImageService, name: str
) -> None:
    api.create(name="noted")
    with pytest.raises(ValueError, match=f"unknown method '{re.escape(name)}'") as raised:
        fake.journal.calls(name)
    assert _listed(str(raised.value)) == RPCS


@pytest.mark.parametrize("name", sorted(RPCS | {r.split(".")[1] for r in RPCS}))
def test_a_known_method_without_calls_has_none(fake: FakeImageService, name: str) -> None:
    assert fake.journal.calls(name) == []


def test_a_method_the_seed_profile_lacks_is_still_a_name(make_api: Callable[..., Api]) -> None:
    fake = FakeImageService(profile="seed")
    make_api(fake).list()
    assert fake.journal.calls("ListAccessBindings") == []
    assert [e.method for e in fake.journal.calls("List")] == ["ImageService.List"]


def test_known_names_find_their_calls(api: Api, fake: FakeImageService) -> None:
    op = api.create(name="found").json()
    api.poll(op["id"])
    assert [e.method for e in fake.journal.calls("Create")] == ["ImageService.Create"]
    assert [e.method for e in fake.journal.calls("OperationService.Get")] == [
        "OperationService.Get"
    ]


# --- poll_gaps: which clock ------------------------------------------------------------


def _poll_with_virtual_gaps(api: Api, fake: FakeImageService, gaps: list[float]) -> str:
    """Polls of one operation with ``gaps`` virtual seconds between them, and no real
    wait: the wall gaps are far smaller than the virtual ones."""
    op_id: str = api.create(name="polled").json()["id"]
    api.poll(op_id)
    for gap in gaps:
        fake.advance(gap)
        api.poll(op_id)
    return op_id


def test_poll_gaps_default_to_the_virtual_clock_under_clock_completion(
    make_api: Callable[..., Api],
) -> None:
    fake = FakeImageService(completion="clock", durations={"Create": 1000.0})
    op_id = _poll_with_virtual_gaps(make_api(fake), fake, [5, 7])
    assert fake.journal.poll_gaps(op_id) == [5, 7]


@pytest.mark.parametrize("completion", ["manual", "on-poll", "immediate"])
def test_poll_gaps_default_to_wall_time_otherwise(
    make_api: Callable[..., Api], completion: str
) -> None:
    fake = FakeImageService(completion=completion)
    started = time.monotonic()
    op_id = _poll_with_virtual_gaps(make_api(fake), fake, [500, 700])
    took = time.monotonic() - started
    gaps = fake.journal.poll_gaps(op_id)
    assert len(gaps) == 2
    assert all(0 <= gap <= took for gap in gaps)  # wall gaps, not 500 and 700
    assert fake.journal.poll_gaps(op_id, clock="virtual") == [500, 700]


def test_the_default_follows_the_completion_mode_as_it_changes(
    make_api: Callable[..., Api],
) -> None:
    fake = FakeImageService(completion="manual")
    op_id = _poll_with_virtual_gaps(make_api(fake), fake, [300])
    assert fake.journal.poll_gaps(op_id)[0] < 300
    fake.completion = "clock"
    assert fake.journal.poll_gaps(op_id) == [300]
    fake.completion = "on-poll"
    assert fake.journal.poll_gaps(op_id)[0] < 300


@pytest.mark.parametrize("clock", ["bogus", "WALL", "Virtual", "", "monotonic"])
def test_an_unknown_clock_raises_listing_wall_and_virtual(
    api: Api, fake: FakeImageService, clock: str
) -> None:
    op_id = _poll_with_virtual_gaps(api, fake, [1])
    with pytest.raises(ValueError, match=f"unknown clock '{clock}'; the clocks: wall, virtual$"):
        fake.journal.poll_gaps(op_id, clock=clock)
