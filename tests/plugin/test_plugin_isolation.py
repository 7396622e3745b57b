"""Each test gets a fake of its own: nothing leaks between tests, whatever their order."""

from __future__ import annotations

import re

import pytest

from tests._downstream import STRICT_INI

# Every test writes the same names into the same folder; each passes only if it starts
# from an empty fake. Each prints the IDs it got, to show they do not depend on order.
ISOLATION_FILE = """
from __future__ import annotations

import httpx

IMAGES = "/compute/v1/images"
SHARED = "b1gsharedfolder00001"


def _create_on_server(yc_server, name):
    headers = {"Authorization": f"Bearer {yc_server.token}"}
    with httpx.Client(base_url=yc_server.url, headers=headers, timeout=10) as client:
        assert client.get(IMAGES, params={"folderId": SHARED}).json() == {}
        created = client.post(
            IMAGES,
            json={"folderId": SHARED, "uri": "https://storage.example/a.qcow2", "name": name},
        )
        assert created.status_code == 200, created.text
        operation = created.json()
        assert client.get(f"/operations/{operation['id']}").json()["done"] is True
        return operation["metadata"]["imageId"]


def test_server_first_writer(yc_server):
    print("ID", "server_first", _create_on_server(yc_server, "same-name"))


def test_server_second_writer(yc_server):
    print("ID", "server_second", _create_on_server(yc_server, "same-name"))
    assert len(yc_server.fake.journal.calls("Create")) == 1


def _fake_writer(yc_fake, yc_client):
    assert yc_fake.images(SHARED) == []
    assert yc_fake.operations() == []
    assert len(yc_fake.journal) == 0
    assert yc_fake.faults == []
    operation = yc_client.post(
        IMAGES,
        json={"folderId": SHARED, "uri": "https://storage.example/a.qcow2", "name": "same-name"},
    ).json()
    yc_fake.fail_next("Get", "INTERNAL")
    assert yc_client.get(f"{IMAGES}/{operation['metadata']['imageId']}").status_code == 500
    yc_fake.completion = "manual"
    return operation["metadata"]["imageId"]


def test_fake_first_writer(yc_fake, yc_client):
    print("ID", "fake_first", _fake_writer(yc_fake, yc_client))


def test_fake_second_writer(yc_fake, yc_client):
    print("ID", "fake_second", _fake_writer(yc_fake, yc_client))
    assert yc_fake.completion == "manual"


def test_fake_sees_default_completion(yc_fake):
    assert yc_fake.completion == "on-poll"
"""

REVERSE_CONFTEST = """
def pytest_collection_modifyitems(items):
    items.reverse()
"""


def _ids(result: pytest.RunResult) -> dict[str, str]:
    return dict(re.findall(r"\bID (\w+) (fd8[a-z0-9]{17})\b", result.stdout.str()))


def _run(pytester: pytest.Pytester, *, reverse: bool) -> pytest.RunResult:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_isolation=ISOLATION_FILE)
    if reverse:
        pytester.makeconftest(REVERSE_CONFTEST)
    result = pytester.runpytest("-p", "no:randomly", "-s", "-v")
    result.assert_outcomes(passed=5)
    return result


def test_tests_share_nothing_in_either_order(pytester: pytest.Pytester) -> None:
    forward = _run(pytester, reverse=False)
    forward.stdout.fnmatch_lines(["*test_server_first_writer*", "*test_fake_sees_default*"])
    backward = _run(pytester, reverse=True)
    backward.stdout.fnmatch_lines(["*test_fake_sees_default*", "*test_server_first_writer*"])
    ids = _ids(forward)
    assert len(ids) == 4
    assert _ids(backward) == ids
    # Same name, same folder, different tests: the per-test seed gives different IDs.
    assert ids["server_first"] != ids["server_second"]
    assert ids["fake_first"] != ids["fake_second"]
