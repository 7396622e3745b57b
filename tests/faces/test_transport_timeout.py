"""Scripted latency in-process honours the client's read timeout, as a slow server
does: a client waits at most its timeout and gets ``httpx.ReadTimeout``."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from pytest_yc_images import FakeImageService

PATH = "/compute/v1/images/fd8a1ejo4ucrhdihu5ge"  # standard-images
LATENCY = 1.0
TIMEOUT = 0.2
# What a loaded machine may add to a sleep; well under LATENCY - TIMEOUT.
SLACK = 0.5


def test_a_latency_past_the_read_timeout_times_out_after_the_timeout() -> None:
    fake = FakeImageService()
    fake.add_latency("Get", LATENCY, times=1)
    with fake.client(timeout=TIMEOUT) as client:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout, match="read timeout") as raised:
            client.get(PATH)
        took = time.monotonic() - started
    assert TIMEOUT <= took < TIMEOUT + SLACK
    assert raised.value.request.url.path == PATH
    # The call was made, as on a real server whose reply came too late.
    assert [e.code for e in fake.journal.calls("ImageService.Get")] == [0]


def test_an_async_latency_past_the_read_timeout_times_out_after_the_timeout() -> None:
    fake = FakeImageService()
    fake.add_latency("Get", LATENCY, times=1)

    async def call() -> float:
        async with fake.async_client(timeout=TIMEOUT) as client:
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout, match="read timeout"):
                await client.get(PATH)
            return time.monotonic() - started

    took = asyncio.run(call())
    assert TIMEOUT <= took < TIMEOUT + SLACK


def test_only_the_read_timeout_counts() -> None:
    fake = FakeImageService()
    fake.add_latency("Get", 0.3, times=1)
    timeout = httpx.Timeout(0.05, read=2.0)  # connect, write and pool: 0.05 s
    with fake.client(timeout=timeout) as client:
        started = time.monotonic()
        assert client.get(PATH).status_code == 200
        assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("timeout", [None, 2.0])
def test_a_latency_within_the_timeout_is_waited_whole(timeout: float | None) -> None:
    fake = FakeImageService()
    fake.add_latency("Get", 0.3, times=1)
    with fake.client(timeout=timeout) as client:
        started = time.monotonic()
        assert client.get(PATH).status_code == 200
        took = time.monotonic() - started
    assert 0.3 <= took < 0.3 + SLACK


def test_an_async_latency_within_the_timeout_is_waited_whole() -> None:
    fake = FakeImageService()
    fake.add_latency("Get", 0.3, times=1)

    async def call() -> tuple[int, float]:
        async with fake.async_client(timeout=2.0) as client:
            started = time.monotonic()
            status = (await client.get(PATH)).status_code
            return status, time.monotonic() - started

    status, took = asyncio.run(call())
    assert status == 200
    assert 0.3 <= took < 0.3 + SLACK


def test_a_per_request_timeout_overrides_the_clients() -> None:
    fake = FakeImageService()
    fake.add_latency("Get", LATENCY, times=2)
    with fake.client(timeout=5.0) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(PATH, timeout=TIMEOUT)
        started = time.monotonic()
        assert client.get(PATH, timeout=httpx.Timeout(None)).status_code == 200
        assert time.monotonic() - started >= LATENCY
