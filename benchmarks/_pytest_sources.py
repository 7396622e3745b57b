"""The test modules and conftests ``bench_pytest.py`` generates, and the floor's replies.

Each is a ``str.format`` template: ``{count}`` is the number of tests, other fields are
named where they are used. Kept apart from the measuring code, which writes them to a
scratch folder and runs pytest on them.
"""

from __future__ import annotations

from pytest_yc_images import FakeImageService

OURS = """
import pytest


@pytest.mark.parametrize("n", range({count}))
def test_image_round_trip(yc_client, yc_folder_id, n):
    op = yc_client.post("/compute/v1/images", json={{
        "folderId": yc_folder_id, "name": f"image-{{n}}",
        "uri": "https://storage.yandexcloud.net/b/disk.qcow2"}}).json()
    done = yc_client.get(f"/operations/{{op['id']}}").json()
    assert done.get("done")
    image_id = op["metadata"]["imageId"]
    assert yc_client.get(f"/compute/v1/images/{{image_id}}").json()["status"] == "READY"
    page = yc_client.get("/compute/v1/images", params={{
        "folderId": yc_folder_id, "filter": f'name="image-{{n}}"'}}).json()
    assert [i["id"] for i in page["images"]] == [image_id]
    op = yc_client.delete(f"/compute/v1/images/{{image_id}}").json()
    assert yc_client.get(f"/operations/{{op['id']}}").json().get("done")
"""

MOTO = """
import boto3
import pytest
from moto import mock_aws


@pytest.fixture(scope="{scope}")
def ec2():
    with mock_aws({config}):
        yield boto3.client("ec2", region_name="us-east-1")


@pytest.mark.parametrize("n", range({count}))
def test_image_round_trip(ec2, n):
    image_id = ec2.register_image(Name=f"image-{{n}}", RootDeviceName="/dev/sda1")["ImageId"]
    named = [{{"Name": "name", "Values": [f"image-{{n}}"]}}]
    assert [i["ImageId"] for i in ec2.describe_images(Filters=named)["Images"]] == [image_id]
    ec2.deregister_image(ImageId=image_id)
"""

# Times the test loop from the start of the second test to the end: the first test's
# one-off costs (moto's first mock_aws, a module fixture, lazy imports) drop out of both
# runs, so the difference of two runs is the steady cost of the extra tests.
CONFTEST = """
import os
import time

import pytest

_started = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    _started.append(time.perf_counter())


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    try:
        return (yield)
    finally:
        with open(os.environ["BENCH_LOOP_FILE"], "w") as handle:
            handle.write(repr(time.perf_counter() - _started[1]))
"""

# References for reading ours: pytest's own cost per test, and our fixtures without calls.
EMPTY = """
import pytest


@pytest.mark.parametrize("n", range({count}))
def test_nothing(n):
    pass
"""

# The floor: the same six requests (Authorization header included, as ``yc_client`` sends
# it) answered by a bare ``httpx.MockTransport`` with fixed bytes, each the reply our fake
# gives to that call (same size and headers; see ``floor_replies``), picked by method and
# path, as in the in-process benchmark.
BARE = """
import httpx
import pytest

REPLIES = {replies}
JSON = {{"content-type": "application/json"}}


def answer(request, started=["POST"]):
    path = request.url.path
    if request.method != "GET":
        kind = started[0] = request.method
    elif path.startswith("/operations/"):
        kind = "DONE " + started[0]
    else:
        kind = "LIST" if path == "/compute/v1/images" else "GET"
    return httpx.Response(200, content=REPLIES[kind], headers=JSON)


@pytest.fixture
def client():
    transport = httpx.MockTransport(answer)
    with httpx.Client(base_url="https://compute.api.cloud.yandex.net", transport=transport,
                      headers={{"Authorization": "Bearer fake-iam-token"}}) as c:
        yield c


@pytest.mark.parametrize("n", range({count}))
def test_same_calls_on_a_fixed_body(client, n):
    op = client.post("/compute/v1/images", json={{
        "folderId": "b1gfolder", "name": f"image-{{n}}",
        "uri": "https://storage.yandexcloud.net/b/disk.qcow2"}}).json()
    client.get(f"/operations/{{op['id']}}").json()
    client.get(f"/compute/v1/images/{{op['metadata']['imageId']}}").json()
    client.get("/compute/v1/images", params={{
        "folderId": "b1gfolder", "filter": f'name="image-{{n}}"'}}).json()
    op = client.delete(f"/compute/v1/images/{{op['metadata']['imageId']}}").json()
    client.get(f"/operations/{{op['id']}}").json()
"""


def floor_replies() -> dict[str, bytes]:
    """Our fake's reply bytes to each of the six calls, keyed as the floor's handler picks
    them (a poll by the operation it follows)."""
    with FakeImageService().client() as client:
        create = client.post("/compute/v1/images", json={
            "folderId": "b1gfolder", "name": "image-0",
            "uri": "https://storage.yandexcloud.net/b/disk.qcow2"})  # fmt: skip
        image_id = create.json()["metadata"]["imageId"]
        created = client.get(f"/operations/{create.json()['id']}")
        got = client.get(f"/compute/v1/images/{image_id}")
        listed = client.get(
            "/compute/v1/images", params={"folderId": "b1gfolder", "filter": 'name="image-0"'}
        )
        delete = client.delete(f"/compute/v1/images/{image_id}")
        deleted = client.get(f"/operations/{delete.json()['id']}")
    replies = {"POST": create, "GET": got, "LIST": listed, "DELETE": delete}
    replies |= {"DONE POST": created, "DONE DELETE": deleted}
    if len(replies) != 6 or any(r.status_code != 200 for r in replies.values()):
        statuses = [(kind, reply.status_code) for kind, reply in replies.items()]
        raise RuntimeError(f"the floor's replies: {statuses}")
    return {kind: reply.content for kind, reply in replies.items()}


FIXTURES_ONLY = """
import pytest


@pytest.mark.parametrize("n", range({count}))
def test_fixtures_only(yc_client, yc_folder_id, n):
    pass
"""

# One session, every kind in turn: each test's own time (setup, call, teardown and their
# reports) from a ``pytest_runtest_protocol`` wrapper. A turn runs one test of each kind,
# starting one kind further on each turn, so no kind always follows the same other.
INTERLEAVED_CONFTEST = """
import json
import os
import time

import pytest

KINDS = {kinds!r}
_times = {{kind: [] for kind in KINDS}}


def pytest_collection_modifyitems(items):
    groups = [[item for item in items if item.originalname == kind] for kind in KINDS]
    ordered = []
    for i, turn in enumerate(zip(*groups)):
        start = i % len(turn)
        ordered += turn[start:] + turn[:start]
    items[:] = ordered


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        _times[item.originalname].append(time.perf_counter() - started)


def pytest_unconfigure(config):
    with open(os.environ["BENCH_TIMES_FILE"], "w") as handle:
        json.dump(_times, handle)
"""
