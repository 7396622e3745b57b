"""Who may use ``/_fake/``: with ``access=`` set only the control token; beyond loopback
nobody, unless told (one rule, :func:`controls_enabled`, for the CLI and LoopbackServer);
``serve --access FILE`` refuses other tokens and folders, and prints the control token
after the lines it printed before."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.cli import main
from pytest_yc_images.faces.server import LoopbackServer, controls_enabled
from tests._cli import serve, stop_server

TIMEOUT = 20
MINE = "b1gmine0000000000001"
THEIRS = "b1gtheirs00000000001"


def test_without_access_the_controls_stay_open() -> None:
    with FakeImageService().client(token=None) as client:
        assert client.get("/_fake/images").status_code == 200


@pytest.mark.parametrize("token", [None, "alice", "wrong"])
def test_with_access_the_controls_refuse_any_but_the_control_token(token: str | None) -> None:
    fake = FakeImageService(access={"alice": [MINE]})
    with fake.client(token=token) as client:
        reply = client.post(
            "/_fake/images",
            json={"folderId": THEIRS, "uri": "https://storage.example/a.qcow2", "name": "x"},
        )
        assert reply.status_code == 401
        assert reply.json()["code"] == 16  # UNAUTHENTICATED, as a google.rpc.Status
        assert "control token" in reply.json()["message"]
    assert fake.images(THEIRS) == []  # nothing changed


def test_the_control_token_opens_the_controls_and_nothing_else() -> None:
    fake = FakeImageService(access={"alice": [MINE]}, control_token="ctl")
    assert fake.control_token == "ctl"
    with fake.client(token="ctl") as client:
        assert client.post("/_fake/images", json={"folderId": THEIRS}).status_code == 200
        api = client.get("/compute/v1/images", params={"folderId": THEIRS})
        assert api.status_code == 401  # not an API token


def test_a_control_token_is_generated_when_not_given() -> None:
    first, second = FakeImageService(), FakeImageService()
    assert len(first.control_token) >= 24
    assert first.control_token != second.control_token


def test_controls_enabled_is_the_one_rule() -> None:
    assert controls_enabled("127.0.0.1")
    assert controls_enabled("::1")
    assert controls_enabled("localhost", "auto")
    assert not controls_enabled("0.0.0.0")
    assert controls_enabled("0.0.0.0", "on")
    assert not controls_enabled("127.0.0.1", "off")
    with pytest.raises(ValueError, match="controls must be"):
        controls_enabled("127.0.0.1", "yes")


@pytest.mark.parametrize(("controls", "status"), [("auto", 404), ("on", 200)])
def test_a_loopback_server_beyond_loopback_turns_controls_off(controls: str, status: int) -> None:
    fake = FakeImageService()
    with pytest.warns(RuntimeWarning, match="beyond loopback"):
        server = LoopbackServer(fake.asgi_app(), host="0.0.0.0", controls=controls)
    with (
        server,
        httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=TIMEOUT) as client,
    ):
        assert client.get("/_fake/images").status_code == status
        posted = client.post("/_fake/images", json={"folderId": THEIRS})
        assert posted.status_code == status
        api = client.get(
            "/compute/v1/images",
            params={"folderId": "standard-images"},
            headers={"Authorization": "Bearer t"},
        )
        assert api.status_code == 200  # the API is served either way
    assert len(fake.images(THEIRS)) == (status == 200)


def test_loopback_servers_keep_their_controls() -> None:
    fake = FakeImageService()
    with fake.serve() as server, httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        assert client.get("/_fake/images").status_code == 200
    with (
        fake.serve(controls="off") as server,
        httpx.Client(base_url=server.url, timeout=TIMEOUT) as client,
    ):
        assert client.get("/_fake/images").status_code == 404


# --- the CLI ----------------------------------------------------------------------------
def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Stop the server; what it printed after the lines read, on stdout and stderr."""
    return stop_server(proc, timeout=TIMEOUT)


def test_serve_access_refuses_other_tokens_and_folders(tmp_path: Path) -> None:
    access = tmp_path / "access.json"
    access.write_text(json.dumps({"alice": [MINE], "bob": [THEIRS]}))
    proc, (url, control_token) = serve("--access", str(access), lines=2)
    try:
        assert url.startswith("http://127.0.0.1:")

        def client(token: str) -> httpx.Client:
            return httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
            )

        with client("alice") as alice:
            mine = alice.post(
                "/compute/v1/images",
                json={"folderId": MINE, "uri": "https://storage.example/a.qcow2", "name": "a"},
            )
            assert mine.status_code == 200
            theirs = alice.post(
                "/compute/v1/images",
                json={"folderId": THEIRS, "uri": "https://storage.example/a.qcow2", "name": "a"},
            )
            assert theirs.status_code == 403
            assert alice.get("/_fake/images").status_code == 401  # controls: not for alice
        with client("mallory") as mallory:
            assert mallory.get("/compute/v1/images", params={"folderId": MINE}).status_code == 401
        with client(control_token) as control:
            images = control.get("/_fake/images", params={"folderId": MINE})
            assert [i["name"] for i in images.json()["images"]] == ["a"]
    finally:
        _, err = _stop(proc)
    assert "control token" in err


def test_serve_prints_the_control_token_after_the_grpc_lines(tmp_path: Path) -> None:
    pytest.importorskip("yandexcloud")
    access = tmp_path / "access.json"
    access.write_text(json.dumps({"alice": [MINE]}))
    proc, (url, endpoint, ca_path, token) = serve(
        "--access", str(access), "--grpc-port", "0", "--control-token", "ctl-42", lines=4
    )
    try:
        assert url.startswith("http://")
        assert endpoint.startswith("localhost:")
        assert Path(ca_path).is_file()
        assert token == "ctl-42"
    finally:
        _stop(proc)


def test_serve_without_access_prints_what_it_printed_before() -> None:
    proc, (url,) = serve()
    try:
        with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
            assert client.get("/_fake/images").status_code == 200  # open, as before
    finally:
        out, _ = _stop(proc)
    assert out == ""  # no token line


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[1]", "must be a JSON object"),
        ('{"t": "b1gfolder"}', "access['t']: must be a list of folder IDs"),
        ('{"t": [1]}', "access['t'][0]: must be a folder ID"),
        ('{" ": []}', "a token must not be empty"),
        ("{nope", "not valid JSON"),
    ],
)
def test_a_bad_access_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, named: str
) -> None:
    access = tmp_path / "access.json"
    access.write_text(text)
    assert main(["serve", "--access", str(access)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith(f"yc-images-fake: cannot load {access}: ")
    assert named in line
