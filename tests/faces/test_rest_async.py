"""The in-process transport under httpx.AsyncClient (run with asyncio.run: no async plugin)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from pytest_yc_images import FakeImageService

FOLDER = "b1gasyncfolder000001"
KEY = "ac5d6e7f-8091-42a3-9ebf-3a4b5c6d7e8f"  # an Idempotency-Key is a UUID
UBUNTU = "fd8a1ejo4ucrhdihu5ge"


def test_create_poll_get_list(async_client_factory: Callable[..., httpx.AsyncClient]) -> None:
    fake = FakeImageService(seed=5)

    async def scenario() -> dict[str, Any]:
        async with async_client_factory(fake) as client:
            op = (
                await client.post(
                    "/compute/v1/images",
                    json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2"},
                )
            ).json()
            assert op["done"] is False
            done = (await client.get(f"/operations/{op['id']}")).json()
            image = (await client.get(f"/compute/v1/images/{done['metadata']['imageId']}")).json()
            listed = (await client.get("/compute/v1/images", params={"folderId": FOLDER})).json()
            return {"done": done, "image": image, "listed": listed}

    result = asyncio.run(scenario())
    assert result["done"]["done"] is True
    assert result["image"]["status"] == "READY"
    assert result["listed"]["images"] == [result["image"]]


def test_concurrent_async_creates(async_client_factory: Callable[..., httpx.AsyncClient]) -> None:
    fake = FakeImageService()

    async def scenario() -> list[httpx.Response]:
        async with async_client_factory(fake) as client:
            return list(
                await asyncio.gather(
                    *(
                        client.post(
                            "/compute/v1/images",
                            json={
                                "folderId": FOLDER,
                                "uri": "https://storage.example/a.qcow2",
                                "name": f"a{i}x",
                            },
                        )
                        for i in range(20)
                    )
                )
            )

    replies = asyncio.run(scenario())
    assert {r.status_code for r in replies} == {200}
    assert len(fake.images(FOLDER)) == 20


def test_async_errors_are_status_bodies(
    async_client_factory: Callable[..., httpx.AsyncClient],
) -> None:
    fake = FakeImageService()

    async def scenario() -> list[int]:
        async with async_client_factory(fake) as client:
            anonymous = async_client_factory(fake, token=None)
            async with anonymous:
                unauthenticated = await anonymous.get(f"/compute/v1/images/{UBUNTU}")
            return [
                (await client.get("/compute/v1/images/fd8nosuchimage000000")).status_code,
                (await client.put("/compute/v1/images")).status_code,
                (await client.post("/compute/v1/images", json={})).status_code,
                unauthenticated.status_code,
            ]

    assert asyncio.run(scenario()) == [404, 405, 400, 401]


def test_async_latency_does_not_block_the_loop(
    async_client_factory: Callable[..., httpx.AsyncClient],
) -> None:
    fake = FakeImageService()
    fake.add_latency("Get", 0.5, times=4)

    async def scenario() -> float:
        async with async_client_factory(fake) as client:
            start = time.monotonic()
            replies = await asyncio.gather(
                *(client.get(f"/compute/v1/images/{UBUNTU}") for _ in range(4))
            )
            assert {r.status_code for r in replies} == {200}
            return time.monotonic() - start

    elapsed = asyncio.run(scenario())
    assert elapsed >= 0.5
    assert elapsed < 0.5 * 3  # the four waits overlap (in turn they would take 2 s)


def test_async_timeout_with_latency(async_client_factory: Callable[..., httpx.AsyncClient]) -> None:
    fake = FakeImageService()
    fake.add_latency("Get", 0.2, times=1)

    async def scenario() -> bool:
        async with async_client_factory(fake) as client:
            try:
                await asyncio.wait_for(client.get(f"/compute/v1/images/{UBUNTU}"), timeout=0.05)
            except TimeoutError:
                return True
            return False

    assert asyncio.run(scenario()) is True


def test_async_lost_reply_and_retry(async_client_factory: Callable[..., httpx.AsyncClient]) -> None:
    fake = FakeImageService()
    fake.lose_reply("Delete")
    image = fake.put_image(folderId=FOLDER)

    async def scenario() -> list[int]:
        async with async_client_factory(fake, headers={"Idempotency-Key": KEY}) as client:
            first = await client.delete(f"/compute/v1/images/{image['id']}")
            second = await client.delete(f"/compute/v1/images/{image['id']}")
            assert second.json()["metadata"]["imageId"] == image["id"]
            return [first.status_code, second.status_code]

    assert asyncio.run(scenario()) == [503, 200]
    assert len(fake.operations(image["id"])) == 1
