"""The Python API's doors: bad arguments raise an exception naming the argument before
anything is sent; a side that cannot be reached is a result with an error, not a
traceback of httpx."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance import Target
from pytest_yc_images.conformance.differential import Side, Step, diff, record, replay
from pytest_yc_images.conformance.differential.program import WAIT

from .fake_cassette import PATH as FAKE_CASSETTE

FOLDER = "b1gdifferentialapi01"
REMOTE = "https://compute.example.com"  # never contacted: refused before


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda tmp: diff(FakeImageService(), FakeImageService(), programs=0), "programs"),
        (lambda tmp: diff(FakeImageService(), FakeImageService(), steps=-1), "steps"),
        (lambda tmp: record(FakeImageService(), tmp / "c.jsonl", programs=-2), "programs"),
        (lambda tmp: record(FakeImageService(), tmp / "c.jsonl", steps=0), "steps"),
    ],
    ids=["diff-programs", "diff-steps", "record-programs", "record-steps"],
)
def test_a_count_below_one_is_a_value_error_naming_it(
    call: Callable[[Path], Any], words: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=rf"^{words} must be at least 1, not -?\d+$"):
        call(tmp_path)
    assert not (tmp_path / "c.jsonl").exists()


@pytest.mark.parametrize("given", ["http://127.0.0.1:1", None, 3])
def test_a_side_that_is_no_side_is_a_type_error_naming_it(given: Any) -> None:
    with pytest.raises(TypeError, match=r"^side B must be a Target, a FakeImageService or a Side"):
        diff(FakeImageService(), given, programs=1)
    with pytest.raises(TypeError, match=r"^the target must be a Target, a FakeImageService"):
        replay(FAKE_CASSETTE, given)


def _remote() -> Target:
    return Target(endpoint=REMOTE, folder_id=FOLDER, token="t")


@pytest.mark.parametrize(
    "call",
    [
        lambda tmp: diff(FakeImageService(), _remote(), programs=1),
        lambda tmp: record(_remote(), tmp / "c.jsonl", programs=1),
        lambda tmp: replay(FAKE_CASSETTE, _remote()),
    ],
    ids=["diff", "record", "replay"],
)
def test_a_target_off_loopback_needs_allow_mutations(
    call: Callable[[Path], Any], tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"not on loopback.*allow_mutations=True"):
        call(tmp_path)
    assert not (tmp_path / "c.jsonl").exists()


def test_a_target_nobody_answers_is_an_error_of_the_result() -> None:
    down = Target(endpoint=f"http://127.0.0.1:{_closed_port()}", folder_id=FOLDER, token="t")
    found = diff(FakeImageService(), down, programs=1)
    assert found.status == 2
    assert found.error.startswith("side B: cannot reach it (ConnectError")
    replayed = replay(FAKE_CASSETTE, down)
    assert replayed.status == 2
    assert replayed.error.startswith("side replayed: cannot reach it (ConnectError")


def test_record_has_a_status_as_the_docs_say(tmp_path: Path) -> None:
    """docs/differential.md: "each `.status` is the command's exit status"."""
    assert record(FakeImageService(), tmp_path / "c.jsonl", programs=1).status == 0
    down = Target(endpoint=f"http://127.0.0.1:{_closed_port()}", folder_id=FOLDER, token="t")
    recorded = record(down, tmp_path / "d.jsonl", programs=1)
    assert recorded.status == 2
    assert recorded.error.startswith("side recorded: cannot reach it (ConnectError")


def test_a_wait_whose_connection_fails_is_a_transport_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server gone while an operation is polled: the run stops on a side error (the
    runner's "transport" outcome), not an httpx exception hypothesis would shrink."""
    side = Side("A", fake=FakeImageService())
    side.start()
    side.begin(1)
    created = side.run(Step("ImageService.Create", body={
        "folderId": "<folder>", "name": "ycc-<run>-n1", "imageId": "<source-image>"}))  # fmt: skip
    assert created["http"] == 200

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    monkeypatch.setattr(side.ops, "get", refused)
    outcome = side.run(Step(WAIT, path={"operationId": "<op#1>"}))
    assert outcome == {"transport": "ConnectError: [Errno 111] Connection refused"}
    side.close()


def test_a_cassette_needing_a_source_the_target_lacks_is_refused_before_any_program() -> None:
    """The checked-in cassette creates from a disk; a served fake given none: one error
    before the first program (not after the programs that came before)."""
    with FakeImageService().serve() as server:
        target = Target(endpoint=server.url, folder_id=FOLDER, token="t")
        replayed = replay(FAKE_CASSETTE, target)
    assert replayed.status == 2
    assert replayed.error == (
        "the cassette creates from <source-disk>: give the target one (--source-disk-id)"
    )
    assert (replayed.programs, replayed.steps) == (0, 0)


class _OperationsFail(httpx.BaseTransport):
    """A fake's transport that answers every OperationService call HTTP 500 INTERNAL."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/operations/" in request.url.path:
            return httpx.Response(500, json={"code": 13, "message": "internal error"})
        return self.inner.handle_request(request)


def _failing(monkeypatch: pytest.MonkeyPatch) -> FakeImageService:
    fake = FakeImageService()
    monkeypatch.setattr(fake, "transport", lambda: _OperationsFail(FakeImageService.transport(
        fake)))  # fmt: skip
    return fake


def test_a_5xx_on_both_sides_is_a_failed_run_not_the_same_outcome(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = diff(_failing(monkeypatch), _failing(monkeypatch), programs=10, seed=1)
    assert found.status == 2, found.divergence
    assert re.fullmatch(r"sides A and B: HTTP 500 at step \d+ \(.*\): the target failed",
                        found.error), found.error  # fmt: skip
    recorded = record(_failing(monkeypatch), tmp_path / "c.jsonl", programs=10, seed=1)
    assert recorded.status == 2
    assert re.fullmatch(r"side recorded: HTTP 500 at step \d+ \(.*\): the target failed",
                        recorded.error), recorded.error  # fmt: skip


def test_a_5xx_on_one_side_is_a_divergence(monkeypatch: pytest.MonkeyPatch) -> None:
    found = diff(FakeImageService(), _failing(monkeypatch), programs=10, seed=1)
    assert found.status == 1, found.error
    assert found.divergence is not None
    assert any("| HTTP 500" in d for d in found.divergence.differences)


class _EchoesTheToken(httpx.BaseTransport):
    """A fake's transport whose JSON replies carry the Authorization header back."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reply = self.inner.handle_request(request)
        body = json.loads(reply.read())
        if isinstance(body, dict):
            body["echo"] = request.headers.get("Authorization", "")
            body["images"] = [{**i, "echo": body["echo"]} for i in body.get("images", [])]
        headers = {k: v for k, v in reply.headers.items() if k.lower() != "content-length"}
        return httpx.Response(reply.status_code, headers=headers, json=body)


def test_a_reply_that_echoes_the_token_is_recorded_without_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = FakeImageService()
    monkeypatch.setattr(fake, "transport", lambda: _EchoesTheToken(FakeImageService.transport(
        fake)))  # fmt: skip
    side = Side("recorded", fake=fake)
    token = side.http.headers["Authorization"].removeprefix("Bearer ")
    recorded = record(side, tmp_path / "c.jsonl", programs=5, seed=1)
    assert recorded.status == 0, recorded.error
    text = (tmp_path / "c.jsonl").read_text(encoding="utf-8")
    assert '"echo": "Bearer <redacted>"' in text  # the echo is there, the token is not
    assert token not in text
