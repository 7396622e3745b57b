"""The pre-flight and the run's honesty: a target that is not there, not trusted or not
ours ends the run with one line (exit 2); a target that breaks after it never passes."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance.cli import suite_path

FOLDER = "b1gpreflight00000001"
TOKEN = "preflight-t0ken-never-printed-9c2d"
FAST = ("--connect-timeout", "1", "--read-timeout", "2")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "YC_IAM_TOKEN"} | {"YC_IAM_TOKEN": TOKEN}
    command = [sys.executable, "-m", "pytest_yc_images.conformance.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=240,
                          cwd=cwd, check=False)  # fmt: skip


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert TOKEN not in done.stdout + done.stderr
    return lines[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_nothing_listening_is_one_line(tmp_path: Path) -> None:
    port = _free_port()
    started = time.monotonic()
    done = _cli("--endpoint", f"http://127.0.0.1:{port}", "--folder-id", FOLDER, cwd=tmp_path)
    line = _one_line(done)
    assert line.startswith(f"cannot connect to 127.0.0.1:{port} ("), line
    assert time.monotonic() - started < 30
    assert not (tmp_path / "yc-images-conformance.md").exists(), "no contract ran"


def test_an_address_that_never_answers_is_bounded_by_the_connect_timeout(tmp_path: Path) -> None:
    # 192.0.2.0/24 (TEST-NET-1) is never routed: the connect waits until its timeout.
    started = time.monotonic()
    done = _cli("--endpoint", "http://192.0.2.1:9", "--folder-id", FOLDER,
                "--connect-timeout", "0.5", "--read-timeout", "0.5", cwd=tmp_path)  # fmt: skip
    line = _one_line(done)
    assert line.startswith("cannot connect to 192.0.2.1:9 ("), line
    assert time.monotonic() - started < 15


@pytest.mark.parametrize(
    ("token", "folder", "line"),
    [
        ("not-a-token-it-knows", FOLDER, "the token is not accepted (401)"),
        (TOKEN, "b1gnotyours000000001", "folder b1gnotyours000000001 not visible (403)"),
    ],
    ids=["401", "403"],
)
def test_a_token_or_folder_refused_is_one_line(
    token: str, folder: str, line: str, tmp_path: Path
) -> None:
    fake = FakeImageService(access={TOKEN: [FOLDER]})
    with fake.serve() as server:
        done = _cli("--endpoint", server.url, "--folder-id", folder, "--token", token, *FAST,
                    cwd=tmp_path)  # fmt: skip
    assert _one_line(done) == line


def test_plain_pytest_on_the_suite_runs_the_preflight_too(tmp_path: Path) -> None:
    suite = suite_path()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "YC_IAM_TOKEN"} | {"YC_IAM_TOKEN": TOKEN}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(suite), "-c", str(suite / "pytest.ini"),
         "--rootdir", str(suite), "--yc-endpoint", f"http://127.0.0.1:{port}",
         "--yc-folder-id", FOLDER, "-p", "pytest_yc_images.conformance.plugin"],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout[-2000:]
    assert f"cannot connect to 127.0.0.1:{port}" in done.stdout + done.stderr
    assert " passed" not in done.stdout
    assert " failed" not in done.stdout


# --- the gRPC face -------------------------------------------------------------------------
@pytest.fixture
def grpc_target(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    server = FakeImageService(access={TOKEN: [FOLDER]}).serve_grpc()
    try:
        yield server.endpoint, server.write_ca(tmp_path / "ca.pem")
    finally:
        server.stop()


def test_grpc_without_the_ca_is_one_line(grpc_target: tuple[str, Path], tmp_path: Path) -> None:
    endpoint, _ = grpc_target
    done = _cli("--grpc-endpoint", endpoint, "--folder-id", FOLDER, *FAST, cwd=tmp_path)
    assert _one_line(done) == "TLS: certificate not trusted; pass --ca"


@pytest.mark.parametrize(
    ("token", "folder", "line"),
    [
        ("not-a-token-it-knows", FOLDER, "the token is not accepted (401)"),
        (TOKEN, "b1gnotyours000000001", "folder b1gnotyours000000001 not visible (403)"),
    ],
    ids=["401", "403"],
)
def test_grpc_token_or_folder_refused_is_one_line(
    grpc_target: tuple[str, Path], token: str, folder: str, line: str, tmp_path: Path
) -> None:
    endpoint, ca = grpc_target
    done = _cli("--grpc-endpoint", endpoint, "--ca", str(ca), "--folder-id", folder,
                "--token", token, *FAST, cwd=tmp_path)  # fmt: skip
    assert _one_line(done) == line


# --- a target that answers the pre-flight, then breaks ---------------------------------------
class _Broken(http.server.ThreadingHTTPServer):
    """Answers the first request (the pre-flight's List) as the API does, then every
        request with ``mode``: "503" (UNAVAILABLE, a well-formed google.rpc.Status) or "close"
        (the connection closed with no answer); "html" and "json": every request a 200 that is not
    the API (a page, JSON that is no ListImagesResponse)."""

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.answered = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Broken

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        with self.server.lock:
            first = self.server.answered == 0
            self.server.answered += 1
        if (
            first
            and self.server.mode in ("503", "close")
            and self.path.startswith("/compute/v1/images?")
        ):
            self._send(200, b"{}")
        elif self.server.mode == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif self.server.mode == "html":
            self._send(200, b"<html>maintenance</html>", "text/html")
        elif self.server.mode == "json":
            self._send(200, b'{"images": 5}')
        else:
            self._send(503, json.dumps({"code": 14, "message": "unavailable"}).encode())

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer


@pytest.fixture
def broken(request: pytest.FixtureRequest) -> Iterator[str]:
    server = _Broken(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _outcomes(junit: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for case in ET.parse(junit).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        tags = [t for t in ("failure", "error", "skipped") if case.find(t) is not None]
        # a contract may fail its call and error in teardown: two entries, one contract
        out[name] = "failed" if {"failure", "error"} & {*tags, out.get(name, "")} else (
            tags[0] if tags else "passed"
        )  # fmt: skip
    return out


@pytest.mark.parametrize(
    ("broken", "profile"), [("503", "live"), ("close", "seed")], indirect=["broken"]
)
def test_a_target_that_breaks_after_the_preflight_fails_every_contract(
    broken: str, profile: str, tmp_path: Path
) -> None:
    junit, report = tmp_path / "j.xml", tmp_path / "r.md"
    done = _cli("--endpoint", broken, "--folder-id", FOLDER, "--profile", profile, *FAST,
                "--junitxml", str(junit), "--report", str(report), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    outcomes = _outcomes(junit)
    assert len(outcomes) > 100
    assert {o for o in outcomes.values()} == {"failed"}, {
        k: o for k, o in outcomes.items() if o != "failed"
    }
    assert "0 passed" in report.read_text()
    # Short: a summary, the failed rules (capped), the report's path; no tracebacks and
    # no line per request.
    out = done.stdout
    assert len(out.splitlines()) < 45, out
    assert "Traceback" not in out, out[-3000:]
    assert sum("Error" in line for line in out.splitlines()) <= 1, out[-3000:]  # the commonest
    assert f"report: {report.resolve()}" in out
    assert " 0 passed, " in out
    assert "failed, by rule" in out


@pytest.mark.parametrize(
    ("broken", "why"), [("html", "not JSON"), ("json", "not a ListImagesResponse")],
    indirect=["broken"],
)  # fmt: skip
def test_a_reply_that_is_not_the_api_fails_the_preflight(
    broken: str, why: str, tmp_path: Path
) -> None:
    done = _cli("--endpoint", broken, "--folder-id", FOLDER, *FAST, cwd=tmp_path)
    line = _one_line(done)
    assert "answers HTTP 200, not as the ImageService API does" in line, line
    assert why in line


def test_long_form_on_request(tmp_path: Path) -> None:
    """`-- --tb=short` brings pytest's own failure sections back; the default has none."""
    fake = FakeImageService(access={TOKEN: [FOLDER]})
    with fake.serve() as server:
        args = ("--endpoint", server.url, "--folder-id", FOLDER, *FAST, "--", "-k",
                "test_unknown_ids_are_not_found")  # fmt: skip
        short = _cli(*args, cwd=tmp_path)
        long = _cli(*args, "--tb=short", cwd=tmp_path)
    assert short.returncode == long.returncode == 0, short.stdout + long.stdout
    assert "1 passed, 0 failed" in short.stdout
    assert f"report: {tmp_path / 'yc-images-conformance.md'}" in short.stdout
    assert (tmp_path / "yc-images-conformance.md").is_file()
    assert "rootdir" not in short.stdout
    assert "rootdir" in long.stdout
