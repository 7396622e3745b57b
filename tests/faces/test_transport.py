"""The in-process httpx transport: replies behave as httpx's own, whole or streamed.

A whole read takes the reply's body as it is instead of running httpx's chunking over
it (``_Reply``); these tests pin that every state httpx's own read leaves is the same.
(Pre-setting the body when the response is made, tried first, left responses open,
without ``elapsed``, and readable before ``read()`` when streamed.)"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.faces import transport

UBUNTU = "fd8a1ejo4ucrhdihu5ge"  # standard-images
PATH = f"/compute/v1/images/{UBUNTU}"
URL = "https://compute.api.cloud.yandex.net" + PATH
AUTH = {"Authorization": "Bearer fake-iam-token"}


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


def _state(response: httpx.Response) -> dict[str, object]:
    return {
        "status": response.status_code,
        "headers": list(response.headers.multi_items()),
        "content": response.content,
        "text": response.text,
        "json": response.json(),
        "encoding": response.encoding,
        "closed": response.is_closed,
        "consumed": response.is_stream_consumed,
        "bytes": response.num_bytes_downloaded,
        "elapsed": type(response.elapsed),
        "chunks": list(response.iter_bytes(50)),
        "http_version": response.http_version,
        "request": (response.request.method, str(response.request.url)),
    }


def _twins(fake: FakeImageService) -> tuple[httpx.MockTransport, httpx.MockTransport]:
    """Ours, and a transport that hands httpx the same status, headers and bytes as a
    plain ``httpx.Response`` on a stream: httpx's own reading of the same reply."""
    ours = fake.transport()

    def theirs(request: httpx.Request) -> httpx.Response:
        reply = ours.handle_request(request)
        body = reply.read()
        return httpx.Response(
            reply.status_code, headers=reply.headers.raw, stream=httpx.ByteStream(body)
        )

    return ours, httpx.MockTransport(theirs)  # type: ignore[return-value]


def test_a_whole_read_leaves_the_state_httpx_s_own_read_leaves() -> None:
    ours, theirs = _twins(FakeImageService())
    states = []
    for transport_ in (ours, theirs):
        with httpx.Client(transport=transport_, headers=AUTH) as client:
            response = client.get(URL)
            states.append((type(response), _state(response)))
    assert transport._TAKES_A_BODY, "this httpx keeps a read body elsewhere: no shortcut"
    assert states[0][0].read is not httpx.Response.read  # the shortcut is in use
    assert states[1][0] is httpx.Response
    assert states[0][1] == states[1][1]


def _outcome(step: object) -> str:
    try:
        result = step() if callable(step) else step
    except (httpx.HTTPError, httpx.StreamError, RuntimeError) as exc:
        return type(exc).__name__
    return repr(result)


def _sync_reads(response: httpx.Response) -> list[str]:
    return [
        _outcome(response.read),
        _outcome(response.is_closed),
        _outcome(response.num_bytes_downloaded),
        _outcome(lambda: response.elapsed.total_seconds() >= 0),
        _outcome(response.read),
    ]


SYNC_CASES = {
    "read": lambda r: _sync_reads(r),
    "closed, then read": lambda r: [_outcome(r.close), *_sync_reads(r)],
    "streamed whole, then read": lambda r: (
        [_outcome(lambda: b"".join(r.iter_raw())), *_sync_reads(r)]
    ),
    "streamed in part, then read": lambda r: (
        [_outcome(lambda: next(r.iter_raw(10))), *_sync_reads(r)]
    ),
    "text streamed, then read": lambda r: (
        [_outcome(lambda: "".join(r.iter_text())), *_sync_reads(r)]
    ),
}


@pytest.mark.parametrize("case", list(SYNC_CASES))
def test_a_streamed_reply_reads_as_httpx_s_own(case: str) -> None:
    outcomes = []
    for transport_ in _twins(FakeImageService()):
        client = httpx.Client(transport=transport_, headers=AUTH)
        with client, client.stream("GET", URL) as r:
            outcomes.append(SYNC_CASES[case](r))
    assert outcomes[0] == outcomes[1]


def test_an_async_streamed_reply_reads_as_httpx_s_own() -> None:
    async def reads(transport_: httpx.AsyncBaseTransport) -> list[str]:
        out = []
        async with httpx.AsyncClient(transport=transport_, headers=AUTH) as client:
            url = URL
            async with client.stream("GET", url) as r:
                out.append(_outcome(r.read))  # a sync read of an async stream
                out.append(repr(await r.aread()))
                out += [repr(r.is_closed), repr(r.num_bytes_downloaded)]
                out.append(repr(r.elapsed.total_seconds() >= 0))
            async with client.stream("GET", url) as r:
                await r.aclose()
                try:
                    await r.aread()
                except httpx.StreamError as exc:
                    out.append(type(exc).__name__)
            whole = await client.get(url)
            out += [repr(whole.is_closed), repr(whole.num_bytes_downloaded), whole.text]
        return out

    ours, theirs = _twins(FakeImageService())
    outcomes = [asyncio.run(reads(t)) for t in (ours, theirs)]  # type: ignore[arg-type]
    assert outcomes[0] == outcomes[1]
    assert "RuntimeError" in outcomes[0]
    assert "StreamClosed" in outcomes[0]


def test_a_response_hook_may_read_the_reply() -> None:
    fake = FakeImageService()
    seen: list[bytes] = []
    with fake.client(event_hooks={"response": [lambda r: seen.append(r.read())]}) as client:
        reply = client.get(PATH)
    assert seen == [reply.content]
    assert reply.is_closed
    assert reply.json()["id"] == UBUNTU
