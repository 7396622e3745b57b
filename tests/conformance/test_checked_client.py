"""The checked client fails a contract on an answer it did not ask for: a 5xx, a 401 or a
403, whatever the contract was checking; ``Api.expecting`` is how a contract asks."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance import Target, check_response
from pytest_yc_images.conformance.api import Api
from pytest_yc_images.conformance.client import Recorder, UnexpectedAnswer, make_http_client
from pytest_yc_images.conformance.safety import Budget, Redactor, RunIdentity

IMAGES = "/compute/v1/images"


def _reply(status: int, code: int) -> httpx.Response:
    request = httpx.Request("GET", f"https://x{IMAGES}/fd8none")
    return httpx.Response(status, json={"code": code, "message": "m"}, request=request)


@pytest.mark.parametrize(("status", "code"), [(401, 16), (403, 7), (503, 14), (500, 13), (504, 4)])
def test_unasked_codes_fail_and_asked_ones_pass(status: int, code: int) -> None:
    with pytest.raises(UnexpectedAnswer, match=f"HTTP {status}"):
        check_response(_reply(status, code))
    check_response(_reply(status, code), expected=frozenset({code}))  # asked for: no raise
    check_response(_reply(404, 5))  # an ordinary error needs no asking


def test_a_5xx_that_is_not_even_json_fails_as_a_server_error() -> None:
    request = httpx.Request("GET", f"https://x{IMAGES}")
    reply = httpx.Response(502, text="<html>bad gateway</html>", request=request)
    with pytest.raises(UnexpectedAnswer, match="the target failed"):
        check_response(reply)


def test_api_expecting_scopes_the_codes(tmp_path: Path) -> None:
    api = Api(
        Target(fake=True, token="t"),
        RunIdentity("checked1"),
        Budget("checked1", 1, folder=tmp_path),
    )
    try:
        with api.anonymous() as anonymous, pytest.raises(UnexpectedAnswer, match="401"):
            anonymous.get(IMAGES, params={"folderId": api.folder_id})
        with api.expecting(16), api.anonymous() as anonymous:
            assert anonymous.get(IMAGES, params={"folderId": api.folder_id}).status_code == 401
        assert api.recorder.expected == frozenset()  # the scope ended
    finally:
        api.close()


def test_grpc_without_the_ca_fails_every_call(tmp_path: Path) -> None:
    """The issue's run: TLS fails, every call is UNAVAILABLE (503 through the bridge)."""
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    from pytest_yc_images.conformance.grpc_bridge import GrpcBridge

    server = FakeImageService().serve_grpc()
    try:
        bridge = GrpcBridge(server.endpoint)  # the system's roots: the fake's CA is not one
        recorder = Recorder(Redactor("t"))
        client = make_http_client("https://g", token="t", recorder=recorder, transport=bridge,
                                  timeout=5)  # fmt: skip
        with client, pytest.raises(UnexpectedAnswer, match="HTTP 503"):
            client.get(f"{IMAGES}/fd8none")
    finally:
        server.stop()
