"""Per-test overhead of the plugin's fresh-fake fixture, under pytest.

Writes a test file of N identical tests (each: create an image through ``yc_client``,
poll its operation, get it, list with a filter, delete it and poll that operation) and
runs pytest on it twice, with N and with N/10 tests; the marginal cost per test is the
difference in wall time divided by the difference in test count, so pytest's start-up
and collection of the plugin are not counted.

    python benchmarks/bench_pytest.py [--tests 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEST = """
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


def run(count: int, folder: Path) -> float:
    path = folder / f"test_bench_{count}.py"
    path.write_text(TEST.format(count=count))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            str(path),
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"pytest failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000)
    args = parser.parse_args()
    small = max(1, args.tests // 10)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "pytest.ini").write_text("[pytest]\n")
        run(small, folder)  # warm the file system and bytecode caches
        base = min(run(small, folder) for _ in range(2))
        full = min(run(args.tests, folder) for _ in range(2))
    marginal = (full - base) / (args.tests - small) * 1000
    print("| tests | wall s | marginal ms/test |\n|---|---|---|")
    print(f"| {small} | {base:.2f} | |")
    print(f"| {args.tests} | {full:.2f} | **{marginal:.2f}** |")


if __name__ == "__main__":
    main()
