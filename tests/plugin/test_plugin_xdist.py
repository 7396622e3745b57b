"""The same downstream suite gives the same outcomes in one process and under pytest-xdist."""

from __future__ import annotations

import re

import pytest

from tests._downstream import STRICT_INI

# Heavy plugins the runs below do not need; skipping them keeps each subprocess fast.
LEAN = ("-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio")

# Twelve tests that would collide if the fake or the server leaked state between them:
# the same names in the same folder, over both the in-process fake and the server.
MIXED_FILE = """
from __future__ import annotations

import httpx
import pytest

IMAGES = "/compute/v1/images"
SHARED = "b1gsharedfolder00001"


def _server_client(yc_server):
    headers = {"Authorization": f"Bearer {yc_server.token}"}
    return httpx.Client(base_url=yc_server.url, headers=headers, timeout=10)


@pytest.mark.parametrize("n", range(4))
def test_fake_starts_empty(yc_client, yc_fake, n):
    assert yc_client.get(IMAGES, params={"folderId": SHARED}).json() == {}
    operation = yc_client.post(
        IMAGES,
        json={"folderId": SHARED, "uri": "https://storage.example/a.qcow2", "name": "same"},
    ).json()
    assert yc_client.get(f"/operations/{operation['id']}").json()["done"] is True
    assert len(yc_fake.journal.calls("Create")) == 1


@pytest.mark.parametrize("n", range(4))
def test_server_starts_empty(yc_server, n):
    with _server_client(yc_server) as client:
        assert client.get(IMAGES, params={"folderId": SHARED}).json() == {}
        created = client.post(
            IMAGES,
            json={"folderId": SHARED, "uri": "https://storage.example/a.qcow2", "name": "same"},
        )
        assert created.status_code == 200, created.text
        assert client.get(f"/operations/{created.json()['id']}").json()["done"] is True
    assert len(yc_server.fake.journal.calls("Create")) == 1


@pytest.mark.yc_images(faults=[{"method": "Create", "code": "UNAVAILABLE"}])
def test_server_fault_is_this_tests_own(yc_server):
    with _server_client(yc_server) as client:
        body = {"folderId": SHARED, "name": "same", "uri": "https://storage.example/a.qcow2"}
        assert client.post(IMAGES, json=body).status_code == 503
        assert client.post(IMAGES, json=body).status_code == 200


@pytest.mark.yc_images(completion="manual", images=[{"name": "seeded", "family": "app"}])
def test_server_marker_is_this_tests_own(yc_server, yc_folder_id):
    with _server_client(yc_server) as client:
        listed = client.get(IMAGES, params={"folderId": yc_folder_id}).json()
        operation = client.post(
            IMAGES,
            json={"folderId": SHARED, "uri": "https://storage.example/a.qcow2", "name": "same"},
        ).json()
        assert client.get(f"/operations/{operation['id']}").json()["done"] is False
    assert [i["name"] for i in listed["images"]] == ["seeded"]
    yc_server.fake.complete(operation["id"])


def test_fake_and_server_are_one(yc_fake, yc_server, yc_folder_id):
    yc_fake.put_image(folderId=yc_folder_id, name="in-fake")
    with _server_client(yc_server) as client:
        listed = client.get(IMAGES, params={"folderId": yc_folder_id}).json()
    assert [i["name"] for i in listed["images"]] == ["in-fake"]


def test_images_factory(yc_images, yc_client, yc_folder_id):
    family = yc_images.family("app", versions=3)
    latest = yc_client.get(
        f"{IMAGES}:latestByFamily", params={"folderId": yc_folder_id, "family": "app"}
    )
    assert latest.json()["id"] == family[-1]["id"]
"""

EXPECTED = {
    *(f"test_fake_starts_empty[{n}]" for n in range(4)),
    *(f"test_server_starts_empty[{n}]" for n in range(4)),
    "test_server_fault_is_this_tests_own",
    "test_server_marker_is_this_tests_own",
    "test_fake_and_server_are_one",
    "test_images_factory",
}


@pytest.mark.parametrize("workers", ["0", "2", "4"])
def test_outcomes_do_not_depend_on_the_number_of_workers(
    pytester: pytest.Pytester, workers: str
) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_mixed=MIXED_FILE)
    result = pytester.runpytest_subprocess("-n", workers, "-rA", *LEAN, timeout=300)
    result.assert_outcomes(passed=12)
    passed = set(re.findall(r"^PASSED test_mixed\.py::(\S+)", result.stdout.str(), re.M))
    assert passed == EXPECTED
    if workers != "0":
        result.stdout.fnmatch_lines([f"*{workers} workers*"])
