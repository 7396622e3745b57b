"""The command of docs/fuzzing.md that fuzzes any ImageService endpoint, run as written (in
a subprocess, from the files ``yc-images-fake contracts`` lists).

It passes against ``yc-images-fake serve --access FILE`` (a fake that refuses unknown
tokens, so every check applies, ``ignored_auth`` too); against a fake scripted to answer
every call with an INVALID_ARGUMENT that names no field, it fails on ``yc_errors``, which
shows that the command loads our checks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from pytest_yc_images import FakeImageService, LoopbackServer
from tests._cli import serve, stop_server

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "fuzzing.md"
TOKEN = "external-token"
FOLDER = "b1gexternal000000001"
LIMIT = 300  # seconds: a hard stop for a hung run


def documented_command() -> str:
    """The fenced line under docs/fuzzing.md's "Fuzzing any endpoint" that runs schemathesis."""
    section = PAGE.read_text("utf-8").split("## Fuzzing any endpoint\n")[1].split("\n## ")[0]
    (command,) = re.findall(r"```sh\n(SCHEMATHESIS_HOOKS=[^\n]+)\n```", section)
    return command


def _run(url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "YC_IMAGES_URL": url,
        "YC_TOKEN": TOKEN,
        "YC_FOLDER_ID": FOLDER,
        "YC_FUZZ_EXAMPLES": "3",
    }
    return subprocess.run(
        ["bash", "-c", documented_command()],
        cwd=ROOT.parent,  # outside the checkout: the files come from `contracts`
        env=env,
        capture_output=True,
        text=True,
        timeout=LIMIT,
    )


def test_the_command_takes_the_shipped_files_the_token_and_our_checks() -> None:
    command = documented_command()
    assert command.startswith("SCHEMATHESIS_HOOKS=pytest_yc_images.schemathesis_checks ")
    assert '--config-file "$(yc-images-fake contracts schemathesis-config)"' in command
    assert 'run "$(yc-images-fake contracts openapi-live)"' in command
    assert '-H "Authorization: Bearer $YC_TOKEN"' in command
    assert '--url "$YC_IMAGES_URL"' in command
    assert "--checks all" in command
    assert "ignored_auth" not in command  # on: the fake below refuses unknown tokens


def test_the_command_passes_against_serve_with_access(tmp_path: Path) -> None:
    access = tmp_path / "access.json"
    access.write_text(json.dumps({TOKEN: [FOLDER]}), "utf-8")
    proc, (url, control_token) = serve("--access", str(access), lines=2)
    try:
        run = _run(url)
        journal = httpx.get(
            f"{url}/_fake/journal",
            headers={"Authorization": f"Bearer {control_token}"},
            timeout=30,
        )
    finally:
        stop_server(proc)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert journal.status_code == 200, journal.text
    entries = journal.json()["entries"]
    # A call in that folder succeeded (the stateful phase may delete what it made).
    reached = [e for e in entries if e["code"] == 0 and e["request"].get("folderId") == FOLDER]
    assert reached, "the run never reached the folder YC_FOLDER_ID names"
    # Every phase's Creates go to that folder, the examples' and coverage's too (the
    # schema's example folder is not the token's: pinned only in map_body, they were 403).
    creates = [e for e in entries if e["method"] == "ImageService.Create"]
    denied = [e for e in creates if e["code"] == 7]  # PERMISSION_DENIED
    assert len(denied) * 10 <= len(creates), f"{len(denied)} of {len(creates)} Creates were 403"
    refused = [e for e in entries if e["code"] == 16]  # UNAUTHENTICATED: ignored_auth's probes
    assert refused, "no request with a wrong token reached the fake"


def test_the_command_runs_our_checks(
    loopback: Callable[[FakeImageService], LoopbackServer],
) -> None:
    fake = FakeImageService(seed="external", access={TOKEN: [FOLDER]})
    fake.fail_next("*", "INVALID_ARGUMENT", times=None, message="no field named")
    run = _run(loopback(fake).url)
    assert run.returncode != 0
    assert "yc_errors" in run.stdout
    assert "INVALID_ARGUMENT without a BadRequest naming a field" in run.stdout
