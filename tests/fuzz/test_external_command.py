"""The README's command for fuzzing any ImageService endpoint, run as written against the
loopback server (a fake with ``access=`` set, so every check applies), in a subprocess.

It passes against the fake; against the same fake scripted to answer every call with an
INVALID_ARGUMENT that names no field, it fails on ``yc_errors``, which shows that the
command loads our checks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pytest_yc_images import FakeImageService, LoopbackServer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "external-token"
FOLDER = "b1gexternal000000001"
LIMIT = 300  # seconds: a hard stop for a hung run


def readme_command() -> str:
    """The fenced line in README's "Fuzzing an external endpoint" that runs schemathesis."""
    section = (ROOT / "README.md").read_text("utf-8").split("### Fuzzing an external endpoint")[1]
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
        ["bash", "-c", readme_command()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=LIMIT,
    )


def _fake() -> FakeImageService:
    return FakeImageService(seed="external", access={TOKEN: [FOLDER]})


def test_the_readme_command_names_the_token_the_folder_and_our_checks() -> None:
    command = readme_command()
    assert "SCHEMATHESIS_HOOKS=pytest_yc_images.schemathesis_checks" in command
    assert '-H "Authorization: Bearer $YC_TOKEN"' in command
    assert '--url "$YC_IMAGES_URL"' in command
    assert "--checks all" in command


def test_the_readme_command_passes_against_the_loopback_server(
    loopback: Callable[[FakeImageService], LoopbackServer],
) -> None:
    fake = _fake()
    run = _run(loopback(fake).url)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    # A call in that folder succeeded (the stateful phase may delete what it made).
    reached = [e for e in fake.journal.entries if e.ok and e.request.get("folderId") == FOLDER]
    assert reached, "the run never reached the folder YC_FOLDER_ID names"


def test_the_readme_command_runs_our_checks(
    loopback: Callable[[FakeImageService], LoopbackServer],
) -> None:
    fake = _fake()
    fake.fail_next("*", "INVALID_ARGUMENT", times=None, message="no field named")
    run = _run(loopback(fake).url)
    assert run.returncode != 0
    assert "yc_errors" in run.stdout
    assert "INVALID_ARGUMENT without a BadRequest naming a field" in run.stdout
