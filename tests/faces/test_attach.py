"""``FakeImageService.attach``: a running server answers from another fake from then on."""

from __future__ import annotations

import httpx
import pytest

from pytest_yc_images import DEFAULT_TOKEN, FakeImageService

FOLDER = "b1gattachfolder00001"
HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def _names(url: str) -> list[str]:
    page = httpx.get(f"{url}/compute/v1/images", params={"folderId": FOLDER}, headers=HEADERS)
    assert page.status_code == 200, page.text
    return [image["name"] for image in page.json().get("images", [])]


def test_a_loopback_server_answers_from_the_attached_fake() -> None:
    first, second = FakeImageService(), FakeImageService()
    first.put_image(folderId=FOLDER, name="first")
    second.put_image(folderId=FOLDER, name="second")
    with first.serve() as server:
        assert _names(server.url) == ["first"]
        second.attach(server)
        assert _names(server.url) == ["second"]
        httpx.post(f"{server.url}/_fake/clock:advance", json={"seconds": 5})  # controls too
        assert second.clock.now() == first.clock.now() + 5
        first.attach(server)
        assert _names(server.url) == ["first"]


def test_a_grpc_server_answers_from_the_attached_fake() -> None:
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    import grpc
    from yandex.cloud.compute.v1.image_service_pb2 import ListImagesRequest
    from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

    first, second = FakeImageService(), FakeImageService()
    second.put_image(folderId=FOLDER, name="second")
    server = first.serve_grpc()
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=server.ca_pem)
        with grpc.secure_channel(server.endpoint, credentials) as channel:
            stub = ImageServiceStub(channel)
            metadata = [("authorization", f"Bearer {DEFAULT_TOKEN}")]
            request = ListImagesRequest(folder_id=FOLDER)
            assert list(stub.List(request, metadata=metadata).images) == []
            second.attach(server)
            assert [i.name for i in stub.List(request, metadata=metadata).images] == ["second"]
            assert (len(first.journal.calls("List")), len(second.journal.calls("List"))) == (1, 1)
    finally:
        server.stop()


def test_attach_names_what_it_takes() -> None:
    with pytest.raises(TypeError, match="LoopbackServer or a GrpcServer, not str"):
        FakeImageService().attach("http://127.0.0.1:1")
