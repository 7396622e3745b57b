"""Security: where the fake listens, who may reach its controls, who may see whose images.

- It binds 127.0.0.1 unless told otherwise, and says so loudly when told (LoopbackServer
  warns with RuntimeWarning; the CLI prints a WARNING).
- The ``/_fake/`` control endpoints can be turned off (``http_controls=False``) and are off
  when the CLI binds beyond loopback, unless ``--controls on``.
- With ``access={token: [folders]}`` a caller cannot read or change another folder's
  images or operations: 404 for what it names by ID, 403 for a folder it names.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pytest_yc_images import COMPUTE_URL, FakeImageService, LoopbackServer

SRC = {"uri": "https://storage.example/a.qcow2"}  # a Create names one source
IMAGES = "/compute/v1/images"
FOLDER_A, FOLDER_B = "b1gfolderofa00000001", "b1gfolderofb00000001"
TIMEOUT = 20


# --- where it listens -----------------------------------------------------------------------
def test_serve_binds_loopback_by_default(
    loopback: Callable[[FakeImageService], LoopbackServer],
) -> None:
    server = loopback(FakeImageService())
    assert server.url.startswith("http://127.0.0.1:")
    assert server.host == "127.0.0.1"


def test_the_server_warns_before_binding_beyond_loopback() -> None:
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes, then the
    # bind fails, and nothing ever listens beyond loopback.
    app = FakeImageService().asgi_app()
    with (
        pytest.warns(RuntimeWarning, match="beyond loopback"),
        pytest.raises(OSError, match="assign"),
    ):
        LoopbackServer(app, host="192.0.2.1")


# The CLI as it runs for --host 0.0.0.0, except that its socket is on 127.0.0.1 (bind is
# replaced in the child process only), so the test never listens beyond loopback.
_CLI = """
import socket, sys
from pytest_yc_images import cli
real_bind = cli.bind
cli.bind = lambda host, port: real_bind("127.0.0.1", port)
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.fixture
def cli_beyond_loopback() -> Iterator[Callable[..., tuple[str, subprocess.Popen[str]]]]:
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[str, subprocess.Popen[str]]:
        command = [sys.executable, "-c", _CLI, "serve", "--host", "0.0.0.0", "--port", "0"]
        proc = subprocess.Popen(
            [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(proc)
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://0.0.0.0:"), url
        return url.replace("0.0.0.0", "127.0.0.1"), proc

    yield start
    for proc in started:
        proc.terminate()
        proc.communicate(timeout=TIMEOUT)


def _controls_status(url: str) -> int:
    with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        return client.get("/_fake/images").status_code


def test_the_cli_warns_and_turns_controls_off_beyond_loopback(
    cli_beyond_loopback: Callable[..., tuple[str, subprocess.Popen[str]]],
) -> None:
    url, proc = cli_beyond_loopback()
    assert _controls_status(url) == 404
    proc.terminate()
    _, err = proc.communicate(timeout=TIMEOUT)
    assert "WARNING: serving on 0.0.0.0, beyond loopback" in err
    assert "the /_fake/ control endpoints are off" in err


def test_the_cli_keeps_controls_beyond_loopback_only_when_told(
    cli_beyond_loopback: Callable[..., tuple[str, subprocess.Popen[str]]],
) -> None:
    url, _ = cli_beyond_loopback("--controls", "on")
    assert _controls_status(url) == 200


@pytest.mark.parametrize("enabled", [True, False])
def test_http_controls_can_be_turned_off(enabled: bool) -> None:
    fake = FakeImageService(http_controls=enabled)
    with fake.client() as client:
        reply = client.get("/_fake/images")
        assert reply.status_code == (200 if enabled else 404)
        if not enabled:
            assert reply.json()["message"] == "The fake's HTTP controls are disabled"
            assert client.post("/_fake/images", json={"folderId": "b1gx"}).status_code == 404
    assert fake.images("b1gx") == []


def test_no_socket_is_left_listening_beyond_loopback() -> None:
    with (
        FakeImageService().serve() as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as connection,
    ):
        assert connection.getpeername()[0] == "127.0.0.1"


# --- who sees what --------------------------------------------------------------------------
class Callers:
    """Token A (folder A) and token B (folder B) on one fake with ``access`` set."""

    def __init__(self, fake: FakeImageService, base_url: str, transport: Any) -> None:
        self.fake = fake
        self.a = httpx.Client(
            base_url=base_url, transport=transport, headers={"Authorization": "Bearer token-a"}
        )
        self.b = httpx.Client(
            base_url=base_url, transport=transport, headers={"Authorization": "Bearer token-b"}
        )


@pytest.fixture(params=["in-process", "loopback"])
def callers(
    request: pytest.FixtureRequest, loopback: Callable[[FakeImageService], LoopbackServer]
) -> Iterator[Callers]:
    fake = FakeImageService(access={"token-a": [FOLDER_A], "token-b": [FOLDER_B]})
    if request.param == "in-process":
        made = Callers(fake, COMPUTE_URL, fake.transport())
    else:
        made = Callers(fake, loopback(fake).url, None)
    with made.a, made.b:
        yield made


def _b_image(callers: Callers) -> tuple[str, str]:
    """An image of B's in folder B (done), and the ID of its Create operation."""
    body = {"folderId": FOLDER_B, **SRC, "name": "private", "family": "secret"}
    op = callers.b.post(IMAGES, json=body).json()
    done = callers.b.get(f"/operations/{op['id']}").json()
    assert done["done"] is True
    return done["metadata"]["imageId"], op["id"]


def test_a_cannot_read_or_change_bs_images(callers: Callers) -> None:
    image_id, op_id = _b_image(callers)
    before = callers.fake.images()
    a = callers.a
    image = f"{IMAGES}/{image_id}"
    by_id = {
        "Get": a.get(image),
        "Update": a.patch(image, json={"updateMask": "description", "description": "mine"}),
        "Delete": a.delete(image),
        "ListOperations": a.get(f"{image}/operations"),
        "OperationService.Get": a.get(f"/operations/{op_id}"),
        "OperationService.Cancel": a.post(f"/operations/{op_id}:cancel"),
    }
    for method, reply in by_id.items():
        assert reply.status_code == 404, (method, reply.text)  # nothing to tell it exists
        assert reply.json()["code"] == 5
    by_folder = {
        "List": a.get(IMAGES, params={"folderId": FOLDER_B}),
        "GetLatestByFamily": a.get(
            f"{IMAGES}:latestByFamily", params={"folderId": FOLDER_B, "family": "secret"}
        ),
        "Create": a.post(IMAGES, json={"folderId": FOLDER_B, **SRC, "name": "intruder"}),
    }
    for method, reply in by_folder.items():
        assert reply.status_code == 403, (method, reply.text)
        assert reply.json()["code"] == 7
    assert callers.fake.images() == before  # nothing changed
    assert callers.b.get(image).json()["name"] == "private"  # and B still has it


def test_a_still_reads_its_own_folder_and_public_images(callers: Callers) -> None:
    _b_image(callers)
    assert callers.a.get(IMAGES, params={"folderId": FOLDER_A}).json() == {}
    public = callers.a.get(IMAGES, params={"folderId": "standard-images"})
    assert public.status_code == 200
    assert public.json()["images"]


@pytest.mark.parametrize("token", [None, "token-c", "TOKEN-A", "token-a-b"])
def test_a_token_not_in_access_is_unauthenticated(callers: Callers, token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = callers.a.get(IMAGES, params={"folderId": FOLDER_A}, headers=headers)
    if token is None:  # the client's own token-a stays: that is allowed
        assert reply.status_code == 200
        return
    assert reply.status_code == 401, reply.text
    assert reply.json()["code"] == 16
