"""The in-process httpx transport: replies behave as httpx's own, whole or streamed.

(Pre-setting a response's body to skip httpx's read pipeline, tried for speed, left
responses open, without ``elapsed``, and readable before ``read()`` when streamed.)"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from pytest_yc_images import FakeImageService

UBUNTU = "fd8a1ejo4ucrhdihu5ge"  # standard-images
PATH = f"/compute/v1/images/{UBUNTU}"


def test_a_reply_reads_the_same_whole_or_streamed() -> None:
    fake = FakeImageService()
    with fake.client() as client:
        whole = client.get(PATH)
        assert whole.json()["id"] == UBUNTU
        assert whole.is_closed
        assert whole.is_stream_consumed
        assert whole.num_bytes_downloaded == len(whole.content)
        assert whole.elapsed.total_seconds() >= 0
        assert whole.headers["content-length"] == str(len(whole.content))
        assert b"".join(whole.iter_bytes(7)) == whole.content
        assert whole.text == whole.content.decode()
        with client.stream("GET", PATH) as streamed:
            with pytest.raises(httpx.ResponseNotRead):
                _ = streamed.content
            raw = b"".join(streamed.iter_raw())
            with pytest.raises(httpx.StreamConsumed):
                b"".join(streamed.iter_raw())
        with client.stream("GET", PATH) as streamed:
            assert streamed.read() == whole.content
    assert raw == whole.content


def test_an_async_reply_reads_the_same_whole_or_streamed() -> None:
    fake = FakeImageService()

    async def read() -> tuple[bytes, bytes, bytes]:
        async with fake.async_client() as client:
            whole = await client.get(PATH)
            assert whole.is_closed
            assert whole.num_bytes_downloaded == len(whole.content)
            assert whole.elapsed.total_seconds() >= 0
            async with client.stream("GET", PATH) as streamed:
                raw = b"".join([chunk async for chunk in streamed.aiter_raw()])
            async with client.stream("GET", PATH) as streamed:
                read = await streamed.aread()
            return whole.content, raw, read

    whole, raw, read = asyncio.run(read())
    assert whole == raw == read
    assert whole.startswith(b'{"id":"' + UBUNTU.encode())
