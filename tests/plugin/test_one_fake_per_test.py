"""Every face a test uses serves that test's ``yc_fake``: the factory, the marker's faults,
the journal and ``access=`` reach whatever face the test calls through, in one process
and under pytest-xdist."""

from __future__ import annotations

import re

import pytest

from tests._downstream import STRICT_INI

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

LEAN = ("-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio")

COMBINATIONS = """
from __future__ import annotations

import grpc
import httpx
import pytest
from yandex.cloud.compute.v1.image_service_pb2 import (
    GetImageLatestByFamilyRequest, GetImageRequest, ListImagesRequest)
from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

IMAGES = "/compute/v1/images"
OTHER = "b1gsomeoneelses00001"


def _rest(yc_server, token=None):
    headers = {"Authorization": f"Bearer {token or yc_server.token}"}
    return httpx.Client(base_url=yc_server.url, headers=headers, timeout=10)


def _images(yc_grpc, token=None):
    if token is None:
        return yc_grpc.sdk.client(ImageServiceStub)
    channel = grpc.secure_channel(
        yc_grpc.endpoint, grpc.ssl_channel_credentials(root_certificates=yc_grpc.ca_pem))
    return ImageServiceStub(channel), [("authorization", f"Bearer {token}")]


def test_factory_then_rest_server(yc_images, yc_server, yc_folder_id):
    family = yc_images.family("app", versions=2)
    with _rest(yc_server) as client:
        latest = client.get(f"{IMAGES}:latestByFamily",
                            params={"folderId": yc_folder_id, "family": "app"})
    assert latest.status_code == 200, latest.text
    assert latest.json()["id"] == family[-1]["id"]


def test_factory_then_grpc_sdk(yc_images, yc_grpc, yc_folder_id):
    family = yc_images.family("app", versions=2)
    latest = _images(yc_grpc).GetLatestByFamily(
        GetImageLatestByFamilyRequest(folder_id=yc_folder_id, family="app"))
    assert latest.id == family[-1]["id"]


@pytest.mark.yc_images(faults=[{"method": "List", "code": "PERMISSION_DENIED"}])
def test_marker_fault_over_grpc(yc_grpc, yc_folder_id):
    images = _images(yc_grpc)
    with pytest.raises(grpc.RpcError) as failed:
        images.List(ListImagesRequest(folder_id=yc_folder_id))
    assert failed.value.code() is grpc.StatusCode.PERMISSION_DENIED
    images.List(ListImagesRequest(folder_id=yc_folder_id))  # the fault fired once
    assert yc_grpc.fake.unfired_faults() == []


@pytest.mark.yc_images(faults=[{"method": "Get", "code": "NOT_FOUND"}])
def test_marker_fault_over_rest_server(yc_server, yc_images):
    image = yc_images.create(name="there")
    with _rest(yc_server) as client:
        assert client.get(f"{IMAGES}/{image['id']}").status_code == 404
        assert client.get(f"{IMAGES}/{image['id']}").status_code == 200


def test_journal_across_faces(yc_fake, yc_client, yc_server, yc_grpc, yc_folder_id):
    created = yc_client.post(
        IMAGES,
        json={"folderId": yc_folder_id, "uri": "https://storage.example/a.qcow2", "name": "one"},
    ).json()
    with _rest(yc_server) as client:
        assert client.get(f"/operations/{created['id']}").json()["done"] is True
    _images(yc_grpc).Get(GetImageRequest(image_id=created["metadata"]["imageId"]))
    methods = [entry.method for entry in yc_fake.journal.calls()]
    assert methods == ["ImageService.Create", "OperationService.Get", "ImageService.Get"]


@pytest.mark.yc_images(access={"fake-iam-token": ["b1gallowedfolder0001"]})
def test_access_over_rest_server(yc_server):
    with _rest(yc_server) as client:
        assert client.get(IMAGES, params={"folderId": "b1gallowedfolder0001"}).status_code == 200
        assert client.get(IMAGES, params={"folderId": OTHER}).status_code == 403
    with _rest(yc_server, token="stranger") as client:
        assert client.get(IMAGES, params={"folderId": "b1gallowedfolder0001"}).status_code == 401


@pytest.mark.yc_images(access={"fake-iam-token": ["b1gallowedfolder0001"]})
def test_access_over_grpc(yc_grpc):
    images = _images(yc_grpc)
    images.List(ListImagesRequest(folder_id="b1gallowedfolder0001"))
    with pytest.raises(grpc.RpcError) as denied:
        images.List(ListImagesRequest(folder_id=OTHER))
    assert denied.value.code() is grpc.StatusCode.PERMISSION_DENIED
    stub, metadata = _images(yc_grpc, token="stranger")
    with pytest.raises(grpc.RpcError) as unknown:
        stub.List(ListImagesRequest(folder_id="b1gallowedfolder0001"), metadata=metadata)
    assert unknown.value.code() is grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("n", range(2))
def test_each_test_sees_only_its_own_fake(yc_images, yc_server, yc_grpc, yc_folder_id, n):
    # Same folder in both runs: a fake left behind by the other run would show here.
    yc_images.create(name=f"only-{n}", folderId="b1gsharedfolder00001")
    listed = _images(yc_grpc).List(ListImagesRequest(folder_id="b1gsharedfolder00001"))
    assert [i.name for i in listed.images] == [f"only-{n}"]
    with _rest(yc_server) as client:
        page = client.get(IMAGES, params={"folderId": "b1gsharedfolder00001"}).json()
    assert [i["name"] for i in page["images"]] == [f"only-{n}"]
"""

EXPECTED = {
    "test_factory_then_rest_server",
    "test_factory_then_grpc_sdk",
    "test_marker_fault_over_grpc",
    "test_marker_fault_over_rest_server",
    "test_journal_across_faces",
    "test_access_over_rest_server",
    "test_access_over_grpc",
    "test_each_test_sees_only_its_own_fake[0]",
    "test_each_test_sees_only_its_own_fake[1]",
}


@pytest.mark.parametrize("workers", ["0", "2"])
def test_every_face_serves_the_tests_own_fake(pytester: pytest.Pytester, workers: str) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_combinations=COMBINATIONS)
    result = pytester.runpytest_subprocess("-n", workers, "-rA", *LEAN, timeout=300)
    result.assert_outcomes(passed=len(EXPECTED))
    passed = set(re.findall(r"^PASSED test_combinations\.py::(\S+)", result.stdout.str(), re.M))
    assert passed == EXPECTED


def test_unknown_marker_option_lists_the_known_ones(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.yc_images(acess={"t": ["f"]})
        def test_typo(yc_fake):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*LEAN)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown options ?'acess'?; known: *access*"])
