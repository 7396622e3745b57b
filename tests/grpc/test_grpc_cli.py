"""``yc-images-fake serve --grpc-port``: gRPC beside REST, the CA in a file, printed."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

yandexcloud = pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

from yandex.cloud.compute.v1.image_service_pb2 import ListImagesRequest  # noqa: E402
from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub  # noqa: E402

TIMEOUT = 20


def test_serve_grpc_port_prints_endpoint_and_ca_path_after_the_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_yc_images.cli", "serve", "--port", "0", "--grpc-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        url = proc.stdout.readline().strip()
        endpoint = proc.stdout.readline().strip()
        ca_path = Path(proc.stdout.readline().strip())
        assert url.startswith("http://127.0.0.1:")
        assert endpoint.startswith("localhost:")
        ca_pem = ca_path.read_bytes()
        sdk = yandexcloud.SDK(endpoint=endpoint, iam_token="t", root_certificates=ca_pem)
        page = sdk.client(ImageServiceStub).List(ListImagesRequest(folder_id="standard-images"))
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}) as client:
            rest = client.get("/compute/v1/images", params={"folderId": "standard-images"})
        assert [i.id for i in page.images] == [i["id"] for i in rest.json()["images"]]
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "gRPC ImageService.List OK" in err.splitlines()
    assert not ca_path.exists()  # removed on exit


def test_serve_refuses_a_grpc_port_in_use() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "pytest_yc_images.cli", "serve", "--grpc-port", str(port)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "cannot serve gRPC" in proc.stderr
