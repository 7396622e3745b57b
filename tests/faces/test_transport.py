"""The in-process httpx transport hands over each reply as read, in every way httpx reads."""

from __future__ import annotations

import asyncio

from pytest_yc_images import FakeImageService

UBUNTU = "fd8a1ejo4ucrhdihu5ge"  # standard-images
PATH = f"/compute/v1/images/{UBUNTU}"


def test_a_reply_reads_the_same_whole_or_streamed() -> None:
    fake = FakeImageService()
    with fake.client() as client:
        whole = client.get(PATH)
        assert whole.json()["id"] == UBUNTU
        assert whole.headers["content-length"] == str(len(whole.content))
        assert b"".join(whole.iter_bytes(7)) == whole.content
        assert whole.text == whole.content.decode()
        with client.stream("GET", PATH) as streamed:
            raw = b"".join(streamed.iter_raw())
        with client.stream("GET", PATH) as streamed:
            assert streamed.read() == whole.content
    assert raw == whole.content


def test_an_async_reply_reads_the_same_whole_or_streamed() -> None:
    fake = FakeImageService()

    async def read() -> tuple[bytes, bytes, bytes]:
        async with fake.async_client() as client:
            whole = await client.get(PATH)
            async with client.stream("GET", PATH) as streamed:
                raw = b"".join([chunk async for chunk in streamed.aiter_raw()])
            async with client.stream("GET", PATH) as streamed:
                read = await streamed.aread()
            return whole.content, raw, read

    whole, raw, read = asyncio.run(read())
    assert whole == raw == read
    assert whole.startswith(b'{"id":"' + UBUNTU.encode())
