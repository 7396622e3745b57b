"""Every fixture, used the way a downstream test suite uses it, through ``pytester``."""

from __future__ import annotations

import pytest

from tests._downstream import STRICT_INI

FIXTURES_FILE = """
from __future__ import annotations

import asyncio

import httpx
import pytest

IMAGES = "/compute/v1/images"


def test_yc_fake_is_a_fresh_fake(yc_fake, yc_folder_id):
    assert yc_fake.images(yc_folder_id) == []
    assert len(yc_fake.journal) == 0
    assert yc_fake.completion == "on-poll"
    image = yc_fake.put_image(folderId=yc_folder_id, name="direct", family="fam")
    assert [i["id"] for i in yc_fake.images(yc_folder_id)] == [image["id"]]
    reply = yc_fake.call("Get", {"imageId": image["id"]})
    assert reply["name"] == "direct"


def test_yc_folder_id_looks_like_a_folder(yc_folder_id):
    assert yc_folder_id.startswith("b1g")
    assert len(yc_folder_id) == 20


def test_yc_client_create_poll_get_list_delete(yc_client, yc_fake, yc_folder_id):
    assert str(yc_client.base_url).startswith("https://compute.api.cloud.yandex.net")
    created = yc_client.post(IMAGES, json={
        "folderId": yc_folder_id, "name": "web", "family": "web",
        "uri": "https://storage.yandexcloud.net/b/web.qcow2",
    })
    assert created.status_code == 200, created.text
    operation = created.json()
    assert operation["done"] is False
    image_id = operation["metadata"]["imageId"]
    assert yc_client.get(f"{IMAGES}/{image_id}").json()["status"] == "CREATING"

    done = yc_client.get(f"/operations/{operation['id']}").json()
    assert done["done"] is True
    assert done["response"]["id"] == image_id

    image = yc_client.get(f"{IMAGES}/{image_id}").json()
    assert image["status"] == "READY"
    assert image["family"] == "web"

    yc_client.post(
        IMAGES,
        json={"folderId": yc_folder_id, "uri": "https://storage.example/a.qcow2", "name": "other"},
    )
    listed = yc_client.get(IMAGES, params={"folderId": yc_folder_id, "filter": 'name="web"'})
    assert [i["id"] for i in listed.json()["images"]] == [image_id]

    deleting = yc_client.delete(f"{IMAGES}/{image_id}").json()
    assert yc_client.get(f"/operations/{deleting['id']}").json()["done"] is True
    assert yc_client.get(f"{IMAGES}/{image_id}").status_code == 404
    assert [c.method for c in yc_fake.journal.calls("Delete")] == ["ImageService.Delete"]


def test_yc_async_client_in_a_sync_test(yc_async_client, yc_folder_id):
    async def scenario():
        created = await yc_async_client.post(
            IMAGES,
            json={"folderId": yc_folder_id, "uri": "https://storage.example/a.qcow2", "name": "a"},
        )
        operation = created.json()
        done = await yc_async_client.get(f"/operations/{operation['id']}")
        listed = await yc_async_client.get(IMAGES, params={"folderId": yc_folder_id})
        return done.json(), listed.json()

    done, listed = asyncio.run(scenario())
    assert done["done"] is True
    assert [i["name"] for i in listed["images"]] == ["a"]


def test_yc_images_traits_and_family(yc_images, yc_client, yc_folder_id):
    windows = yc_images.create("windows", name="win")
    pooled = yc_images.create("pooled")
    creating = yc_images.create("creating")
    broken = yc_images.create("error")
    app = yc_images.family("app", versions=3)

    got = yc_client.get(f"{IMAGES}/{windows['id']}").json()
    assert got["os"]["type"] == "WINDOWS"
    assert got["productIds"]
    assert got["folderId"] == yc_folder_id
    assert yc_client.get(f"{IMAGES}/{pooled['id']}").json()["pooled"] is True
    assert yc_client.get(f"{IMAGES}/{creating['id']}").json()["status"] == "CREATING"
    assert yc_client.get(f"{IMAGES}/{broken['id']}").json()["status"] == "ERROR"

    assert [i["name"] for i in app] == ["app-v1", "app-v2", "app-v3"]
    assert app[0]["createdAt"] < app[1]["createdAt"] < app[2]["createdAt"]
    latest = yc_client.get(
        f"{IMAGES}:latestByFamily", params={"folderId": yc_folder_id, "family": "app"}
    )
    assert latest.json()["id"] == app[-1]["id"]

    document = yc_images.build(name="not-stored")
    assert yc_client.get(f"{IMAGES}/{document['id']}").status_code == 404
    with pytest.raises(ValueError, match="unknown trait"):
        yc_images.create("no-such-trait")


def test_yc_requests_builds_valid_requests(yc_requests, yc_client, yc_folder_id):
    request = yc_requests.create_image(family="db-images")
    assert request["folderId"] == yc_folder_id
    operation = yc_client.post(IMAGES, json=request).json()
    image_id = operation["metadata"]["imageId"]
    yc_client.get(f"/operations/{operation['id']}")
    update = yc_requests.update_image(image_id, description="new", updateMask="description")
    assert update.pop("imageId") == image_id  # REST takes it in the path
    updating = yc_client.patch(f"{IMAGES}/{image_id}", json=update).json()
    assert yc_client.get(f"/operations/{updating['id']}").json()["response"]["description"] == "new"
    listed = yc_client.get(IMAGES, params=yc_requests.list_images(pageSize=10)).json()
    assert [i["name"] for i in listed["images"]] == [request["name"]]
    with pytest.raises(ValueError, match="not a valid CreateImageRequest"):
        yc_requests.create_image(name="UPPER")


def test_yc_server_over_a_real_socket(yc_server, yc_folder_id):
    assert yc_server.url.startswith("http://127.0.0.1:")
    headers = {"Authorization": f"Bearer {yc_server.token}"}
    with httpx.Client(base_url=yc_server.url, headers=headers, timeout=10) as client:
        operation = client.post(
            IMAGES,
            json={"folderId": yc_folder_id, "uri": "https://storage.example/a.qcow2", "name": "s"},
        ).json()
        assert client.get(f"/operations/{operation['id']}").json()["done"] is True
        listed = client.get(IMAGES, params={"folderId": yc_folder_id}).json()
    assert [i["name"] for i in listed["images"]] == ["s"]
    assert [i["name"] for i in yc_server.fake.images(yc_folder_id)] == ["s"]
    assert len(yc_server.fake.journal.calls("Create")) == 1


def test_yc_server_without_a_token_is_unauthenticated(yc_server_url, yc_folder_id):
    with httpx.Client(base_url=yc_server_url, timeout=10) as client:
        reply = client.get(IMAGES, params={"folderId": yc_folder_id})
    assert reply.status_code == 401
    assert reply.json()["code"] == 16


def test_yc_server_url_is_the_server_url(yc_server_url, yc_server):
    assert yc_server_url == yc_server.url
"""


def test_every_fixture_works_in_a_downstream_suite(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_downstream=FIXTURES_FILE)
    result = pytester.runpytest()
    result.assert_outcomes(passed=FIXTURES_FILE.count("\ndef test_"))


def test_yc_token_option_reaches_the_clients(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        def test_token(yc_client, yc_server, yc_fake, yc_folder_id):
            assert yc_client.headers["Authorization"] == "Bearer my-token"
            assert yc_server.token == "my-token"
            yc_client.get("/compute/v1/images", params={"folderId": yc_folder_id})
            assert yc_fake.journal.calls("List")[0].ok
        """
    )
    result = pytester.runpytest("--yc-token=my-token")
    result.assert_outcomes(passed=1)


def test_fixture_errors_point_at_the_test(pytester: pytest.Pytester) -> None:
    """A failing downstream assertion is reported at the test, not inside the plugin."""
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        def test_wrong(yc_client, yc_folder_id):
            reply = yc_client.get("/compute/v1/images/fd8nosuchimage000000")
            assert reply.status_code == 200
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*assert 404 == 200*"])


def test_overridden_fixtures_are_the_ones_the_others_use(pytester: pytest.Pytester) -> None:
    """A suite that overrides yc_folder_id or yc_fake gets its own folder and fake
    everywhere: the marker's images, the factory, the clients, the server."""
    # yc_server answers from the overriding fake too: what the factory wrote is on the wire.
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        test_folder="""
        import httpx
        import pytest

        FOLDER = "b1gteamfolder0000001"


        @pytest.fixture
        def yc_folder_id():
            return FOLDER


        @pytest.mark.yc_images(images=[{"name": "seeded"}])
        def test_the_folder(yc_fake, yc_images, yc_client, yc_server):
            assert [i["name"] for i in yc_fake.images(FOLDER)] == ["seeded"]
            assert yc_images.create(name="made")["folderId"] == FOLDER
            listed = yc_client.get("/compute/v1/images", params={"folderId": FOLDER})
            assert sorted(i["name"] for i in listed.json()["images"]) == ["made", "seeded"]
            assert yc_server.fake is yc_fake
            with httpx.Client(base_url=yc_server.url, headers=yc_client.headers) as client:
                served = client.get("/compute/v1/images", params={"folderId": FOLDER})
            assert sorted(i["name"] for i in served.json()["images"]) == ["made", "seeded"]
        """,
        test_fake="""
        import httpx
        import pytest

        from pytest_yc_images import FakeImageService


        @pytest.fixture
        def yc_fake():
            return FakeImageService(seed=1, completion="immediate")


        def test_the_fake(yc_fake, yc_client, yc_folder_id):
            assert yc_client.headers["Authorization"] == "Bearer team-token"
            op = yc_client.post(
                "/compute/v1/images",
                json={"folderId": yc_folder_id, "uri": "https://storage.example/a.qcow2"},
            ).json()
            assert op["done"] is True  # this module's fake: completion="immediate"
            assert [i["id"] for i in yc_fake.images(yc_folder_id)] == [
                op["metadata"]["imageId"]
            ]


        def test_the_server(yc_fake, yc_server, yc_folder_id):
            headers = {"Authorization": f"Bearer {yc_server.token}"}
            body = {"folderId": yc_folder_id, "uri": "https://s.example/a"}
            op = httpx.post(f"{yc_server.url}/compute/v1/images", json=body, headers=headers)
            assert op.json()["done"] is True  # served from the overriding fake
            assert len(yc_fake.images(yc_folder_id)) == 1
        """,
    )
    result = pytester.runpytest("--yc-token=team-token")
    result.assert_outcomes(passed=3)


def test_fixtures_requested_at_run_time_share_the_marker_once(
    pytester: pytest.Pytester,
) -> None:
    """The marker's faults are scripted once, on the one fake every face serves, whether
    the test names yc_server as an argument or asks for it first with getfixturevalue."""
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        FAULT = {"kind": "error", "method": "Get", "code": "NOT_FOUND", "times": 1}


        def _fire(server):
            import httpx

            reply = httpx.get(
                f"{server.url}/compute/v1/images/fd8a1ejo4ucrhdihu5ge",
                headers={"Authorization": f"Bearer {server.token}"},
            )
            assert reply.status_code == 404


        @pytest.mark.yc_images(faults=[FAULT])
        def test_server_first(request):
            server = request.getfixturevalue("yc_server")
            fake = request.getfixturevalue("yc_fake")
            assert server.fake is fake
            assert len(fake.faults) == 1
            _fire(server)


        @pytest.mark.yc_images(faults=[FAULT])
        def test_as_arguments(yc_fake, yc_server):
            assert yc_server.fake is yc_fake
            assert len(yc_fake.faults) == 1
            _fire(yc_server)


        @pytest.mark.yc_images(bogus=1)
        def test_a_folder_alone_reads_no_marker(yc_folder_id, yc_requests):
            assert yc_requests.list_images()["folderId"] == yc_folder_id
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)
