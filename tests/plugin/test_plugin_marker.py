"""The ``yc_images`` marker configures the test's fake: completion, images, faults, seed."""

from __future__ import annotations

import pytest

from tests._downstream import STRICT_INI

MARKER_FILE = """
from __future__ import annotations

import httpx
import pytest

IMAGES = "/compute/v1/images"


@pytest.mark.yc_images(completion="manual")
def test_manual_completion_waits_for_the_test(yc_client, yc_fake, yc_folder_id):
    operation = yc_client.post(
        IMAGES,
        json={"folderId": yc_folder_id, "uri": "https://storage.example/a.qcow2", "name": "m"},
    ).json()
    for _ in range(3):
        assert yc_client.get(f"/operations/{operation['id']}").json()["done"] is False
    image_id = operation["metadata"]["imageId"]
    assert yc_client.get(f"{IMAGES}/{image_id}").json()["status"] == "CREATING"
    yc_fake.complete(operation["id"])
    assert yc_client.get(f"/operations/{operation['id']}").json()["done"] is True
    assert yc_client.get(f"{IMAGES}/{image_id}").json()["status"] == "READY"


@pytest.mark.yc_images(images=[
    {"name": "base", "family": "base-os"},
    {"name": "old", "family": "base-os", "status": "ERROR"},
])
def test_images_are_there_from_the_start(yc_client, yc_folder_id):
    listed = yc_client.get(IMAGES, params={"folderId": yc_folder_id}).json()
    assert sorted((i["name"], i["status"]) for i in listed["images"]) == [
        ("base", "READY"), ("old", "ERROR"),
    ]


@pytest.mark.yc_images(images=[{"name": "elsewhere", "folderId": "b1gotherfolder000001"}])
def test_images_may_name_their_folder(yc_fake, yc_folder_id):
    assert yc_fake.images(yc_folder_id) == []
    assert [i["name"] for i in yc_fake.images("b1gotherfolder000001")] == ["elsewhere"]


@pytest.mark.yc_images(faults=[{"method": "Create", "code": "UNAVAILABLE"}])
def test_faults_fail_the_first_create(yc_client, yc_fake, yc_folder_id):
    body = {"folderId": yc_folder_id, "name": "f", "uri": "https://storage.example/a.qcow2"}
    first = yc_client.post(IMAGES, json=body)
    assert first.status_code == 503
    assert first.json()["code"] == 14
    assert yc_client.post(IMAGES, json=body).status_code == 200
    assert [c.code for c in yc_fake.journal.calls("Create")] == [14, 0]


@pytest.mark.yc_images(faults=[{"kind": "lost_reply", "method": "Delete"}])
def test_faults_of_other_kinds(yc_client, yc_images):
    image = yc_images.create()
    assert yc_client.delete(f"{IMAGES}/{image['id']}").status_code == 503
    assert yc_client.get(f"{IMAGES}/{image['id']}").json()["status"] == "DELETING"


@pytest.mark.yc_images(
    faults=[{"method": "List", "code": "PERMISSION_DENIED"}],
    images=[{"name": "served"}],
    completion="immediate",
)
def test_marker_applies_to_the_server(yc_server, yc_folder_id):
    headers = {"Authorization": f"Bearer {yc_server.token}"}
    with httpx.Client(base_url=yc_server.url, headers=headers, timeout=10) as client:
        assert client.get(IMAGES, params={"folderId": yc_folder_id}).status_code == 403
        listed = client.get(IMAGES, params={"folderId": yc_folder_id}).json()
        created = client.post(
            IMAGES,
            json={"folderId": yc_folder_id, "uri": "https://s.example/a", "name": "now"},
        ).json()
    assert [i["name"] for i in listed["images"]] == ["served"]
    assert created["done"] is True


@pytest.mark.yc_images(completion="clock", durations={"Create": 5.0})
def test_clock_completion_and_durations(yc_client, yc_fake, yc_folder_id):
    operation = yc_client.post(
        IMAGES,
        json={"folderId": yc_folder_id, "uri": "https://storage.example/a.qcow2", "name": "c"},
    ).json()
    yc_fake.advance(4.0)
    assert yc_client.get(f"/operations/{operation['id']}").json()["done"] is False
    yc_fake.advance(1.0)
    assert yc_client.get(f"/operations/{operation['id']}").json()["done"] is True


@pytest.mark.yc_images(seed="fixed")
def test_seed_one(yc_fake, yc_folder_id):
    print("SEEDED", yc_fake.put_image(folderId=yc_folder_id, name="s")["id"])


@pytest.mark.yc_images(seed="fixed")
def test_seed_two(yc_fake, yc_folder_id):
    print("SEEDED", yc_fake.put_image(folderId=yc_folder_id, name="s")["id"])


@pytest.mark.yc_images(completion="manual")
class TestClassMarker:
    def test_inherits(self, yc_fake):
        assert yc_fake.completion == "manual"

    @pytest.mark.yc_images(completion="immediate")
    def test_closest_marker_wins(self, yc_fake):
        assert yc_fake.completion == "immediate"
"""


def test_marker_options_configure_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_marker=MARKER_FILE)
    result = pytester.runpytest("--strict-markers", "-s")
    result.assert_outcomes(passed=11)
    seeded = [line.split()[-1] for line in result.outlines if "SEEDED" in line]
    assert len(seeded) == 2
    assert seeded[0] == seeded[1]


def test_marker_is_registered_with_its_signature(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.yc_images(*, completion=None, images=(), *"])


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("yc_images(compleshun='manual')", "*unknown options [[]'compleshun'[]]*"),
        ("yc_images('manual')", "*takes keyword arguments only*"),
    ],
)
def test_a_misused_marker_is_a_usage_error(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_misused(yc_fake):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*UsageError*", message])


def test_a_bad_completion_in_the_marker_names_the_choices(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.yc_images(completion="eventually")
        def test_bad(yc_fake):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.yc_images(completion='eventually'): "
            "choose one of on-poll, immediate, manual, clock*"
        ]
    )
