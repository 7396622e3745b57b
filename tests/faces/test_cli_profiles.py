"""``yc-images-fake serve`` as a user starts it: with no options it serves today's
ImageService (the live profile); ``--profile seed`` serves the seed's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests._cli import serve, stop_server

FOLDER = "b1gcliprofile0000001"
# A pre-signed Object Storage link, as live/image_service.proto asks of `uri`.
URI = "https://storage.yandexcloud.net/bucket/image.qcow2?X-Amz-Signature=abc"


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    proc, (url,) = serve()
    try:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}, timeout=10) as c:
            yield c
    finally:
        stop_server(proc)


def test_serve_with_no_options_says_it_serves_live(live: httpx.Client) -> None:
    assert live.get("/_fake/settings").json()["profile"] == "live"


def test_a_create_from_a_uri_takes_generation2_features(live: httpx.Client) -> None:
    reply = live.post(
        "/compute/v1/images",
        json={
            "folderId": FOLDER,
            "name": "gen2-from-uri",
            "uri": URI,
            "hardwareGeneration": {"generation2Features": {}},
        },
    )
    assert reply.status_code == 200, reply.text
    image_id = reply.json()["metadata"]["imageId"]
    op = live.get(f"/operations/{reply.json()['id']}").json()
    assert op["done"] is True, op
    image = live.get(f"/compute/v1/images/{image_id}").json()
    assert image["hardwareGeneration"] == {"generation2Features": {}}


def test_list_takes_order_by_created_at_desc(live: httpx.Client) -> None:
    for name in ("first", "second", "third"):
        created = live.post(
            "/compute/v1/images", json={"folderId": FOLDER, "name": f"order-{name}", "uri": URI}
        )
        assert created.status_code == 200, created.text
    reply = live.get(
        "/compute/v1/images",
        params={"folderId": FOLDER, "orderBy": "createdAt desc", "filter": 'name != "x"'},
    )
    assert reply.status_code == 200, reply.text
    stamps = [datetime.fromisoformat(i["createdAt"]) for i in reply.json()["images"]]
    assert len(stamps) >= 3
    assert stamps == sorted(stamps, reverse=True)


def test_latest_ubuntu_2404_lts_is_public(live: httpx.Client) -> None:
    reply = live.get(
        "/compute/v1/images:latestByFamily",
        params={"folderId": "standard-images", "family": "ubuntu-2404-lts"},
    )
    assert reply.status_code == 200, reply.text
    image = reply.json()
    assert image["family"] == "ubuntu-2404-lts"
    assert image["folderId"] == "standard-images"
    assert image["status"] == "READY"


@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_both_verbs_of_cancel_answer(live: httpx.Client, verb: str) -> None:
    created = live.post(
        "/compute/v1/images",
        json={"folderId": FOLDER, "name": f"cancel-{verb.lower()}", "uri": URI},
    )
    assert created.status_code == 200, created.text
    op_id = created.json()["id"]
    reply = live.request(verb, f"/operations/{op_id}:cancel")
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] == op_id
    assert reply.json()["done"] is True
    assert reply.json()["error"]["code"] == 1  # CANCELLED


def test_a_create_with_no_source_is_refused_naming_the_source(live: httpx.Client) -> None:
    reply = live.post("/compute/v1/images", json={"folderId": FOLDER, "name": "no-source"})
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["code"] == 3
    fields = {v["field"] for d in body["details"] for v in d.get("fieldViolations", [])}
    assert fields & {"imageId", "diskId", "snapshotId", "uri"}, body


def test_serve_profile_seed_refuses_what_only_live_has() -> None:
    proc, (url,) = serve("--profile", "seed")
    try:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}, timeout=10) as c:
            assert c.get("/_fake/settings").json()["profile"] == "seed"
            listed = c.get("/compute/v1/images", params={"folderId": FOLDER, "orderBy": "id"})
            assert listed.status_code == 400, listed.text
            assert listed.json()["details"][0]["fieldViolations"][0]["field"] == "orderBy"
    finally:
        stop_server(proc)


def test_serve_refuses_an_unknown_profile_with_exit_2() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "pytest_yc_images.cli", "serve", "--profile", "today"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "invalid choice: 'today'" in done.stderr
    assert "'live', 'seed'" in done.stderr
