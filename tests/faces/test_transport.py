"""The in-process httpx transport: replies behave as httpx's own, whole or streamed.

A whole read takes the reply's body as it is instead of running httpx's chunking over
it (``_Reply``); these tests pin that every state httpx's own read leaves is the same.
(Pre-setting the body when the response is made, tried first, left responses open,
without ``elapsed``, and readable before ``read()`` when streamed.)"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import AsyncIterator, Iterator

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


def _twins(fake: FakeImageService) -> tuple[httpx.BaseTransport, httpx.BaseTransport]:
    """Ours, and a transport that hands httpx the same status, headers and bytes as a
    plain ``httpx.Response`` on a stream: httpx's own reading of the same reply."""
    ours = fake.transport()

    def theirs(request: httpx.Request) -> httpx.Response:
        reply = ours.handle_request(request)
        body = reply.read()
        return httpx.Response(
            reply.status_code, headers=reply.headers.raw, stream=httpx.ByteStream(body)
        )

    return ours, httpx.MockTransport(theirs)


def test_a_whole_read_leaves_the_state_httpx_s_own_read_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    streamed: list[str] = []
    own_iter_raw = httpx.Response.iter_raw

    def iter_raw(self: httpx.Response, chunk_size: int | None = None) -> Iterator[bytes]:
        streamed.append(type(self).__name__)
        return own_iter_raw(self, chunk_size)

    monkeypatch.setattr(httpx.Response, "iter_raw", iter_raw)
    ours, theirs = _twins(FakeImageService())
    states = []
    for transport_ in (ours, theirs):
        with httpx.Client(transport=transport_, headers=AUTH) as client:
            response = client.get(URL)
            states.append((type(response), _state(response)))
    assert transport._TAKES_A_BODY, "this httpx keeps a read body elsewhere: no shortcut"
    # The shortcut is taken, through the client and directly (the twin reads ours
    # without one): only the twin's plain reply went through httpx's streaming.
    assert streamed == ["Response"]
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


class _Failing(httpx.SyncByteStream):
    """What a wrapping transport or a response hook may put in place of the stream: it
    counts the chunks it passes on, can fail after the first, and can fail to close."""

    def __init__(self, inner: httpx.SyncByteStream, *, mid_body: bool, on_close: bool) -> None:
        self.inner, self.mid_body, self.on_close = inner, mid_body, on_close
        self.chunks = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.chunks += 1
            yield chunk[:10] if self.mid_body else chunk
            if self.mid_body:
                raise httpx.ReadError("connection reset in the body")

    def close(self) -> None:
        self.inner.close()
        if self.on_close:
            raise httpx.CloseError("the connection could not be released")


class _Wrapping(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, **failing: bool) -> None:
        self.inner, self.failing = inner, failing

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.stream = _Failing(response.stream, **self.failing)  # type: ignore[arg-type]
        return response


@pytest.mark.parametrize(
    "failing",
    [
        {"mid_body": False, "on_close": False},
        {"mid_body": True, "on_close": False},
        {"mid_body": False, "on_close": True},
    ],
    ids=["passes the bytes on", "fails in the body", "fails to close"],
)
def test_a_stream_put_in_place_of_ours_is_read_as_httpx_reads_it(failing: dict[str, bool]) -> None:
    outcomes = []
    for transport_ in _twins(FakeImageService()):
        wrapping = _Wrapping(transport_, **failing)
        with httpx.Client(transport=wrapping, headers=AUTH) as client:
            get = _outcome(lambda: client.get(URL).content)
            with client.stream("GET", URL) as r:
                outcomes.append([get, *_sync_reads(r), _outcome(lambda: r.content)])
    assert outcomes[0] == outcomes[1]
    if failing["mid_body"]:
        assert outcomes[0][0] == "ReadError"
    if failing["on_close"]:
        assert outcomes[0][1] == "CloseError"
        assert outcomes[0][-1] == "ResponseNotRead"  # no content after a failed close


def test_a_response_hook_that_replaces_the_stream_sees_the_bytes() -> None:
    seen = []

    def count(response: httpx.Response) -> None:
        response.stream = failing = _Failing(
            response.stream,  # type: ignore[arg-type]
            mid_body=False,
            on_close=False,
        )
        seen.append(failing)

    with FakeImageService().client(event_hooks={"response": [count]}) as client:
        reply = client.get(PATH)
    assert [s.chunks for s in seen] == [1]
    assert reply.json()["id"] == UBUNTU


def test_an_async_stream_put_in_place_of_ours_is_read() -> None:
    class Failing(httpx.AsyncByteStream):
        def __init__(self, inner: httpx.AsyncByteStream) -> None:
            self.inner = inner

        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in self.inner:
                yield chunk[:10]
                raise httpx.ReadError("connection reset in the body")

    async def get() -> str:
        def wrap(response: httpx.Response) -> None:
            response.stream = Failing(response.stream)  # type: ignore[arg-type]

        async def hook(response: httpx.Response) -> None:
            wrap(response)

        async with FakeImageService().async_client(event_hooks={"response": [hook]}) as client:
            try:
                await client.get(PATH)
            except httpx.ReadError as exc:
                return str(exc)
        return "read"

    assert asyncio.run(get()) == "connection reset in the body"


def test_a_reply_pickles_as_a_plain_response_without_the_held_body() -> None:
    with FakeImageService().client() as client:
        read = client.get(PATH)
        with client.stream("GET", PATH) as unread:
            pass
    copy = pickle.loads(pickle.dumps(read))
    assert type(copy) is httpx.Response
    assert copy.content == read.content
    assert copy.json()["id"] == UBUNTU
    assert copy.is_closed
    pickled = pickle.dumps(unread)
    assert b"pytest_yc_images" not in pickled
    assert read.content[:40] not in pickled  # the body it held, never read, is not kept
    with pytest.raises(httpx.ResponseNotRead):
        _ = pickle.loads(pickled).content
