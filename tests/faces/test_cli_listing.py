"""``yc-images-fake serve`` with no options answers List with ``orderBy`` (the live
profile, the default); ``--profile seed`` refuses it, as the seed has no such field."""

from __future__ import annotations

from datetime import datetime

import httpx

from tests._cli import serve, stop_server

PUBLIC = "standard-images"


def _created(image: dict[str, str]) -> datetime:
    return datetime.fromisoformat(image["createdAt"].replace("Z", "+00:00"))


def test_serve_orders_by_created_at_desc_in_live_only() -> None:
    proc, [url] = serve()
    try:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}) as client:
            reply = client.get(f"/compute/v1/images?folderId={PUBLIC}&orderBy=createdAt%20desc")
            assert reply.status_code == 200, reply.text
            images = reply.json()["images"]
            assert len(images) > 1
            times = [_created(image) for image in images]
            assert times == sorted(times, reverse=True)
            bad = client.get("/compute/v1/images", params={"folderId": PUBLIC, "orderBy": "x"})
            assert bad.status_code == 400
    finally:
        stop_server(proc)
    proc, [url] = serve("--profile", "seed")
    try:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}) as client:
            reply = client.get(f"/compute/v1/images?folderId={PUBLIC}&orderBy=createdAt%20desc")
            assert reply.status_code == 400
            [detail] = [d for d in reply.json()["details"] if "fieldViolations" in d]
            assert [v["field"] for v in detail["fieldViolations"]] == ["orderBy"]
            plain = client.get("/compute/v1/images", params={"folderId": PUBLIC})
            ids = [image["id"] for image in plain.json()["images"]]
            assert ids == sorted(ids)
    finally:
        stop_server(proc)
