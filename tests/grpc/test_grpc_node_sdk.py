"""Smoke test of the gRPC face with the official Node.js SDK (``@yandex-cloud/nodejs-sdk``).

The SDK is installed from npm once into a cache outside the repository
(``$YC_IMAGES_NODE_CACHE``, default ``~/.cache/pytest-yc-images/nodejs-sdk-<version>``).
Without node or npm, or when the install fails, the test skips; with
``YC_IMAGES_REQUIRE_NODE=1`` (CI) it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

from pytest_yc_images import YcGrpc

NODE_SDK = "@yandex-cloud/nodejs-sdk@2.8.0"
SMOKE = Path(__file__).with_name("node") / "smoke.js"
INSTALL_TIMEOUT = 300


def _unavailable(reason: str) -> None:
    __tracebackhide__ = True
    if os.environ.get("YC_IMAGES_REQUIRE_NODE") == "1":
        pytest.fail(f"YC_IMAGES_REQUIRE_NODE=1 but {reason}")
    pytest.skip(reason)


def _cache() -> Path:
    default = (
        Path.home() / ".cache" / "pytest-yc-images" / f"nodejs-sdk-{NODE_SDK.rsplit('@', 1)[1]}"
    )
    return Path(os.environ.get("YC_IMAGES_NODE_CACHE") or default)


def _node_modules() -> Path:
    """The SDK's node_modules, installing it into the cache on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("node and npm are needed for the Node.js SDK smoke test")
    prefix = _cache()
    modules = prefix / "node_modules"
    stamp = prefix / f"installed {NODE_SDK.replace('/', '_')}"  # written after a full install
    if stamp.is_file():
        return modules
    prefix.mkdir(parents=True, exist_ok=True)
    command = [str(npm), "install", "--prefix", str(prefix), "--no-audit", "--no-fund"]
    try:
        done = subprocess.run(
            [*command, "--loglevel=error", NODE_SDK],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        _unavailable(f"npm install {NODE_SDK} took over {INSTALL_TIMEOUT} s")
    if done.returncode != 0:
        _unavailable(f"npm install {NODE_SDK} failed: {done.stderr[-500:]}")
    stamp.touch()
    return modules


def test_the_node_sdk_creates_waits_gets_and_lists(yc_grpc: YcGrpc, yc_folder_id: str) -> None:
    modules = _node_modules()
    done = subprocess.run(
        ["node", str(SMOKE), yc_grpc.endpoint, str(yc_grpc.ca_path), yc_folder_id],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NODE_PATH": str(modules)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    (image,) = yc_grpc.fake.images(yc_folder_id)
    assert seen == {
        "operationId": seen["operationId"],
        "imageId": image["id"],
        "status": "READY",
        "names": ["from-node"],
        "missingCode": 5,  # NOT_FOUND
    }
    assert len(yc_grpc.fake.journal.polls(seen["operationId"])) == 1
