"""``yc-images-fake serve`` with no options, as a user starts it: today's Create (issue 16):
a URI source with generation 2 is taken, a Create with no source refused; a ``--seed``
file describes a file's sizes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests._cli import serve, stop_server

AUTH = {"Authorization": "Bearer t"}
URI = "https://storage.yandexcloud.net/builds/app.qcow2"


def test_serve_takes_generation_2_from_a_uri_and_refuses_no_source() -> None:
    proc, [url] = serve()
    try:
        with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
            body = {"folderId": "b1gcli", "uri": URI,
                    "hardwareGeneration": {"generation2Features": {}}}  # fmt: skip
            op = client.post("/compute/v1/images", json=body)
            assert op.status_code == 200, op.text
            done = client.get(f"/operations/{op.json()['id']}").json()
            assert done["response"]["hardwareGeneration"] == {"generation2Features": {}}

            none = client.post("/compute/v1/images", json={"folderId": "b1gcli"})
            assert none.status_code == 400
            assert none.json()["code"] == 3
            [bad] = [d for d in none.json()["details"] if "BadRequest" in d["@type"]]
            named = [v["field"] for v in bad["fieldViolations"]]
            assert named == ["imageId", "diskId", "snapshotId", "uri"]
    finally:
        stop_server(proc)


def test_a_seed_file_gives_a_files_sizes(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"objects": [{"uri": URI, "size": "10737418240"}]}))
    proc, [url] = serve("--seed", str(seed))
    try:
        with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
            body = {"folderId": "b1gcli", "uri": URI, "minDiskSize": "4194304"}
            op = client.post("/compute/v1/images", json=body).json()
            done = client.get(f"/operations/{op['id']}").json()
            assert done["error"]["code"] == 3  # the 10 GiB file does not fit 4 MiB
    finally:
        stop_server(proc)
