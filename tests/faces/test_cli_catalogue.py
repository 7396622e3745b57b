"""``yc-images-fake serve`` (no options) serves today's public families: the latest
``ubuntu-2404-lts`` of ``standard-images``, as a new user asks for it; ``--profile seed``
serves the same image without the newer fields."""

from __future__ import annotations

import httpx
import pytest

from tests._cli import serve, stop_server

LATEST = "/compute/v1/images:latestByFamily"
QUERY = {"folderId": "standard-images", "family": "ubuntu-2404-lts"}


@pytest.mark.parametrize("args", [(), ("--profile", "seed")], ids=["default", "seed"])
def test_serve_answers_the_latest_ubuntu_2404(args: tuple[str, ...]) -> None:
    proc, [url] = serve(*args)
    try:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}) as client:
            reply = client.get(LATEST, params=QUERY)
    finally:
        stop_server(proc)
    assert reply.status_code == 200, reply.text
    image = reply.json()
    assert image["family"] == "ubuntu-2404-lts"
    assert image["name"].startswith("ubuntu-24-04-lts-v")
    assert image["status"] == "READY"
    assert ("hardwareGeneration" in image) == (args == ())  # live (the default) shows it
