"""``yc-images-fake serve``: first line is the URL, one log line per request, clean stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests._cli import serve, stop_server

TIMEOUT = 20


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc, [url] = serve(*args)
    return proc, url


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_url_logs_requests_and_stops_cleanly(stop: signal.Signals) -> None:
    proc, url = _start()
    try:
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}) as client:
            page = client.get("/compute/v1/images", params={"folderId": "standard-images"})
            assert page.status_code == 200
            assert page.json()["images"]
            assert client.get("/compute/v1/images/nope").status_code == 404
    finally:
        _, err = stop_server(proc, stop, TIMEOUT)
    assert proc.returncode == 0
    log = err.splitlines()
    assert "GET /compute/v1/images 200" in log
    assert "GET /compute/v1/images/nope 404" in log


def test_serve_loads_a_seed_file(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps({"images": [{"folderId": "b1gseeded", "name": "from-seed", "family": "app"}]})
    )
    proc, url = _start("--seed", str(seed), "--completion", "immediate")
    try:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}) as client:
            latest = client.get(
                "/compute/v1/images:latestByFamily",
                params={"folderId": "b1gseeded", "family": "app"},
            )
            assert latest.json()["name"] == "from-seed"
            op = client.post(
                "/compute/v1/images",
                json={"folderId": "b1gseeded", "name": "new", "uri": "https://s/x.qcow2"},
            ).json()
            assert op["done"] is True  # --completion immediate
    finally:
        proc.terminate()
        proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0


def test_serve_refuses_a_bad_seed_file(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text("{not json")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest_yc_images.cli", "serve", "--seed", str(seed)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 2
    assert "cannot load" in proc.stderr
