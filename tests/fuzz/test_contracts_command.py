"""``yc-images-fake contracts``: where the shipped contract files are, in a checkout and in
the wheel; and the seed profile's OpenAPI document, shipped pre-generated, is the one
``openapi_document(profile="seed", bundled=True)`` gives.

The seed document ships as a file (not written by the command) so that ``contracts`` only
prints paths: it works in a read-only site-packages, and every path it prints is part of
the installed package. Its drift from the schemas is caught here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from pytest_yc_images import openapi_document
from pytest_yc_images._contracts import PROFILES
from pytest_yc_images.cli import OPENAPI_FILES, contract_files

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "openapi-live",
    "openapi-seed",
    "controls",
    "schemas",
    "schemathesis-config",
    "hooks",
]
REWRITE_SEED = (
    "python -c 'import json; from pytest_yc_images import openapi_document as o; "
    'print(json.dumps(o(profile="seed", bundled=True), indent=2, ensure_ascii=False))\' '
    "> contracts/openapi.seed.json"
)


def _contracts(*args: str, pythonpath: Path | None = None) -> str:
    env = None if pythonpath is None else {"PYTHONPATH": str(pythonpath), "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "pytest_yc_images.cli", "contracts", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=pythonpath or ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _listed(out: str) -> dict[str, Path]:
    pairs = [line.split(": ", 1) for line in out.splitlines()]
    assert all(len(pair) == 2 for pair in pairs), out
    return {name: Path(path) for name, path in pairs}


def test_every_profile_has_a_shipped_openapi_document() -> None:
    assert set(OPENAPI_FILES) == set(PROFILES)


def test_the_shipped_seed_document_is_the_bundled_seed_document() -> None:
    shipped = json.loads((ROOT / "contracts" / OPENAPI_FILES["seed"]).read_text("utf-8"))
    assert shipped == openapi_document(profile="seed", bundled=True), (
        f"contracts/openapi.seed.json is stale; write it again from a checkout: {REWRITE_SEED}"
    )


def test_the_live_document_is_the_contract_as_written() -> None:
    text = contract_files()["openapi-live"].read_text("utf-8")
    assert yaml.safe_load(text) == openapi_document(profile="live")


def test_contracts_prints_a_name_and_an_existing_path_per_line() -> None:
    listed = _listed(_contracts())
    assert list(listed) == NAMES
    for name, path in listed.items():
        assert path.is_absolute(), (name, path)
        assert path.exists(), (name, path)
    assert listed["schemas"].is_dir()
    assert (listed["schemas"] / "Image.json").is_file()
    assert listed["hooks"].name == "schemathesis_checks.py"
    assert "[checks]" in listed["schemathesis-config"].read_text("utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_contracts_with_a_name_prints_only_that_path(name: str) -> None:
    assert _contracts(name) == f"{contract_files()[name]}\n"


def test_an_unknown_name_is_refused_with_the_choices() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest_yc_images.cli", "contracts", "openapi-beta"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "invalid choice: 'openapi-beta'" in done.stderr
    assert "openapi-seed" in done.stderr


def test_every_listed_path_is_in_the_built_wheel(tmp_path: Path) -> None:
    """Build the wheel and run ``contracts`` from it, unpacked (as site-packages holds it):
    every path it prints is inside the unpacked wheel and exists."""
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp_path, ROOT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    listed = _listed(_contracts(pythonpath=site))
    assert list(listed) == NAMES
    for name, path in listed.items():
        assert path.is_relative_to(site / "pytest_yc_images"), (name, path)
        assert path.exists(), (name, path)
    config = tomllib.loads(listed["schemathesis-config"].read_text("utf-8"))
    assert config["checks"]["enabled"] is True
    assert json.loads(listed["openapi-seed"].read_text("utf-8"))["paths"]
