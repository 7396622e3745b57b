"""``serve --seed FILE``: its disks and snapshots go through the controls' checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.cli import main

GIB = 1024**3


def _seed(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data))
    return path


def test_seeded_disks_and_snapshots_are_sources(tmp_path: Path) -> None:
    fake = FakeImageService()
    seed = {
        "disks": [{"id": "d1", "folderId": "b1gseeded", "size": str(5 * GIB)}],
        "snapshots": [{"id": "s1", "folderId": "b1gseeded", "diskSize": 6 * GIB}],
    }
    fake.load_state(_seed(tmp_path, seed))
    from_disk = fake.call("Create", {"folderId": "b1gseeded", "diskId": "d1"})
    from_snapshot = fake.call("Create", {"folderId": "b1gseeded", "snapshotId": "s1"})
    images = {i["id"]: i for i in fake.images("b1gseeded")}
    assert images[from_disk["metadata"]["imageId"]]["storageSize"] == str(5 * GIB)
    assert images[from_snapshot["metadata"]["imageId"]]["minDiskSize"] == str(6 * GIB)


@pytest.mark.parametrize(
    ("seed", "field"),
    [
        ({"disks": [{"id": "d1", "folderId": "f", "size": "huge"}]}, "size"),
        ({"disks": [{"folderId": "f"}]}, "id"),
        ({"snapshots": [{"id": "s1", "folderId": "f", "osType": 1}]}, "osType"),
    ],
)
def test_a_bad_disk_or_snapshot_stops_the_server_from_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: dict[str, Any], field: str
) -> None:
    assert main(["serve", "--seed", str(_seed(tmp_path, seed))]) == 2
    err = capsys.readouterr().err
    assert "cannot load" in err
    assert field in err
