"""``yc-images-fake serve`` and its files: ``--seed``/``--state`` refuse a bad file with
one line and exit 2 before anything starts; ``--state`` survives SIGTERM and restart;
``POST /_fake/state:save`` survives a kill; SIGTERM ends the server within 5 s even
while a request sleeps in a latency fault."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from pytest_yc_images.cli import main
from tests._cli import serve, stop_server

TIMEOUT = 20
FOLDER = "b1gclistate0000000001"
AUTH = {"Authorization": "Bearer t"}

_DEEP = "1"
for _ in range(5000):
    _DEEP = '{"a":' + _DEEP + "}"

BAD_FILES: list[tuple[str, str, str]] = [
    ("null", "null", "(top level)"),
    ("number", "42", "(top level)"),
    ("os-string", json.dumps({"images": [{"folderId": FOLDER, "os": "LINUX"}]}), "images[0].os"),
    (
        "storage-1e999",
        '{"images": [{"folderId": "f", "storageSize": 1e999}]}',
        "images[0].storageSize",
    ),
    (
        "duplicate-names",
        json.dumps({"images": [{"folderId": FOLDER, "name": "n"}] * 2}),
        "images[1].name",
    ),
    (
        "deep-nesting",
        '{"images": [{"folderId": "f", "labels": {"k": ' + _DEEP + "}}]}",
        "nested too deeply",
    ),
    (
        "bad-disk",
        json.dumps({"disks": [{"id": "d", "folderId": FOLDER, "size": "huge"}]}),
        "disks[0].size",
    ),
    ("bad-snapshot", json.dumps({"snapshots": [{"folderId": FOLDER}]}), "snapshots[0].id"),
    ("not-json", "{not json", "not valid JSON"),
    (  # found by review: the parser kept the last "images" and the server started
        "repeated-key",
        '{"images": [{"folderId": "f", "name": "a"}], "images": []}',
        "images: given twice in one object",
    ),
]


@pytest.mark.parametrize("flag", ["--seed", "--state"])
@pytest.mark.parametrize(
    ("text", "named"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_file_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, text: str, named: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(text)

    assert main(["serve", flag, str(path)]) == 2

    out, err = capsys.readouterr()
    assert out == ""  # no URL: nothing started
    [line] = err.splitlines()
    assert line.startswith(f"yc-images-fake: cannot load {path}: ")
    assert named in line
    assert path.read_text() == text  # a refused --state file is left as it was


def test_a_missing_seed_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--seed", str(tmp_path / "nope.json")]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "cannot read it" in line


def test_a_state_file_in_a_missing_folder_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--state", str(tmp_path / "no" / "state.json")]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "its folder does not exist" in line


def _stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> str:
    return stop_server(proc, sig, TIMEOUT)[1]


def test_state_survives_sigterm_and_restart_over_rest_and_grpc(tmp_path: Path) -> None:
    yandexcloud = pytest.importorskip("yandexcloud")
    from yandex.cloud.compute.v1.image_service_pb2 import (
        CreateImageRequest,
        GetImageRequest,
        ListImageOperationsRequest,
    )
    from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

    state = tmp_path / "state.json"

    def sdk(endpoint: str, ca_path: str) -> Any:
        ca = Path(ca_path).read_bytes()
        return yandexcloud.SDK(endpoint=endpoint, iam_token="t", root_certificates=ca)

    proc, (url, endpoint, ca_path) = serve("--state", str(state), "--grpc-port", "0", lines=3)
    with httpx.Client(base_url=url, headers=AUTH, timeout=TIMEOUT) as client:
        rest_op = client.post(
            "/compute/v1/images",
            json={
                "folderId": FOLDER,
                "uri": "https://storage.example/a.qcow2",
                "name": "over-rest",
            },
        ).json()
        rest_image = rest_op["metadata"]["imageId"]
        client.get(f"/operations/{rest_op['id']}")  # on-poll: this poll finishes it
    grpc_op = (
        sdk(endpoint, ca_path)
        .client(ImageServiceStub)
        .Create(CreateImageRequest(folder_id=FOLDER, name="over-grpc", uri="https://s.example/a"))
    )
    assert "state saved to" in _stop(proc)
    assert state.exists()

    proc, (url, endpoint, ca_path) = serve("--state", str(state), "--grpc-port", "0", lines=3)
    try:
        with httpx.Client(base_url=url, headers=AUTH, timeout=TIMEOUT) as client:
            images = client.get("/compute/v1/images", params={"folderId": FOLDER}).json()
            assert sorted(i["name"] for i in images["images"]) == ["over-grpc", "over-rest"]
            done = client.get(f"/operations/{rest_op['id']}").json()
            assert done["done"] is True
            assert done["response"]["name"] == "over-rest"
            running = client.get(f"/operations/{grpc_op.id}").json()  # resumed: it finishes
            assert running["done"] is True
        stub = sdk(endpoint, ca_path).client(ImageServiceStub)
        assert stub.Get(GetImageRequest(image_id=rest_image)).name == "over-rest"
        ops = stub.ListOperations(ListImageOperationsRequest(image_id=rest_image)).operations
        assert [o.id for o in ops] == [rest_op["id"]]
    finally:
        _stop(proc)


def test_the_save_control_keeps_state_through_a_kill(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc, (url,) = serve("--state", str(state))
    try:
        with httpx.Client(base_url=url, headers=AUTH, timeout=TIMEOUT) as client:
            client.post(
                "/compute/v1/images",
                json={
                    "folderId": FOLDER,
                    "uri": "https://storage.example/a.qcow2",
                    "name": "saved",
                },
            )
            assert client.post("/_fake/state:save").json() == {"path": str(state)}
            client.post(
                "/compute/v1/images",
                json={"folderId": FOLDER, "uri": "https://storage.example/a.qcow2", "name": "lost"},
            )
    finally:
        _stop(proc, signal.SIGKILL)

    proc, (url,) = serve("--state", str(state))
    try:
        with httpx.Client(base_url=url, headers=AUTH, timeout=TIMEOUT) as client:
            page = client.get("/compute/v1/images", params={"folderId": FOLDER}).json()
        assert [i["name"] for i in page["images"]] == ["saved"]
    finally:
        _stop(proc)


def test_seed_then_state(tmp_path: Path) -> None:
    """--seed starts a fake whose --state file does not exist yet; --state wins after."""
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"images": [{"folderId": FOLDER, "name": "seeded"}]}))
    state = tmp_path / "state.json"
    for expected in (["seeded"], ["added", "seeded"]):
        proc, (url,) = serve("--seed", str(seed), "--state", str(state))
        try:
            with httpx.Client(base_url=url, headers=AUTH, timeout=TIMEOUT) as client:
                page = client.get("/compute/v1/images", params={"folderId": FOLDER}).json()
                assert sorted(i["name"] for i in page["images"]) == expected
                client.post(
                    "/compute/v1/images",
                    json={
                        "folderId": FOLDER,
                        "uri": "https://storage.example/a.qcow2",
                        "name": "added",
                    },
                )
        finally:
            _stop(proc)


def _latency_then_stop(
    url: str, proc: subprocess.Popen[str], call: Any, stop: int = signal.SIGTERM
) -> tuple[float, list[Any]]:
    """Script a 60 s latency on Get, make ``call`` in a thread, stop the server while it
    sleeps: how long the stop took, and what ``call`` got."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:
            outcome.append(exc)

    try:
        with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
            spec = {"kind": "latency", "method": "Get", "seconds": 60, "times": None}
            assert client.post("/_fake/faults", json=spec).status_code == 200
        caller = threading.Thread(target=run, daemon=True)
        caller.start()
        time.sleep(0.5)  # the Get is in flight, sleeping in its fault
        assert not outcome
        started = time.monotonic()
        proc.send_signal(stop)
        proc.communicate(timeout=TIMEOUT)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    caller.join(TIMEOUT)
    return took, outcome


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_exits_within_5_s_while_a_request_sleeps_in_a_latency_fault(
    stop: signal.Signals,
) -> None:
    proc, (url,) = serve()

    def slow_get() -> tuple[int, int]:
        with httpx.Client(base_url=url, headers=AUTH, timeout=TIMEOUT) as client:
            reply = client.get("/compute/v1/images/fd8nosuchimage000000")
            return reply.status_code, reply.json()["code"]

    took, outcome = _latency_then_stop(url, proc, slow_get, stop)

    assert took < 5, f"the server took {took:.1f} s to stop"
    assert outcome == [(503, 14)]  # UNAVAILABLE at once: not a 500, not a cut connection


def test_sigterm_exits_within_5_s_while_a_grpc_call_sleeps_in_a_latency_fault() -> None:
    yandexcloud = pytest.importorskip("yandexcloud")
    from yandex.cloud.compute.v1.image_service_pb2 import GetImageRequest
    from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

    proc, (url, endpoint, ca_path) = serve("--grpc-port", "0", lines=3)
    ca = Path(ca_path).read_bytes()
    sdk = yandexcloud.SDK(endpoint=endpoint, iam_token="t", root_certificates=ca)
    stub = sdk.client(ImageServiceStub)

    took, outcome = _latency_then_stop(
        url, proc, lambda: stub.Get(GetImageRequest(image_id="fd8nosuchimage000000"), timeout=30)
    )

    assert took < 5, f"the server took {took:.1f} s to stop"
    assert len(outcome) == 1
    assert isinstance(outcome[0], Exception)
