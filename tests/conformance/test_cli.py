"""yc-images-conformance end to end: in-process, against loopback servers, its safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance import RUN_LABEL, plugin
from pytest_yc_images.conformance.api import Api
from pytest_yc_images.conformance.cli import suite_path as plugin_suite
from pytest_yc_images.conformance.safety import Budget, RunIdentity
from pytest_yc_images.conformance.target import Target
from pytest_yc_images.faces import rest

from .slow_server import SlowServer

FOLDER = "b1gconformancecli0001"
SECRET = "t0ken-that-must-never-leak-7f3a"


def _cli(
    *args: str, token: str | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "YC_IAM_TOKEN"}
    if token:
        env["YC_IAM_TOKEN"] = token
    command = [sys.executable, "-m", "pytest_yc_images.conformance.cli", *args]
    kwargs.setdefault("cwd", tempfile.mkdtemp())  # the default report goes to the cwd
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=240,
                          check=False, **kwargs)  # type: ignore[call-overload]  # fmt: skip


def _labelled(fake: FakeImageService) -> list[str]:
    return [i["id"] for i in fake.images(FOLDER) if RUN_LABEL in i.get("labels", {})]


def test_passes_against_the_fake_in_process(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    done = _cli("--fake", "--report", str(report), "--", "-q")
    assert done.returncode == 0, done.stdout[-3000:]
    text = report.read_text()
    assert "profile: **live**" in text  # the default profile
    assert "0 failed" in text
    assert "## Uncovered rules" in text
    assert "GetImageRequest.imageId.required" in text


def test_passes_against_the_loopback_server_and_leaves_nothing(tmp_path: Path) -> None:
    fake = FakeImageService()
    with fake.serve() as server:
        junit = str(tmp_path / "j.xml")
        done = _cli("--endpoint", server.url, "--folder-id", FOLDER, "--allow-mutations",
                    "--junitxml", junit, "--", "-q", "-n", "2", token=SECRET)  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:]
        assert fake.images(FOLDER) == []
    assert "CreateImageRequest.name.pattern" in (tmp_path / "j.xml").read_text()


def test_the_token_never_appears_in_output_reports_or_junit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken server that echoes the token into its errors: the failures are reported,
    the token is redacted everywhere."""
    original = rest.RestRouter.handle

    def echo(self: rest.RestRouter, request: rest.HttpRequest) -> rest.HttpResponse:
        response = original(self, request)
        if response.status == 404:
            token = request.headers.get("authorization", "")
            body = response.body.replace(b'"message":"', f'"message":"{token} '.encode(), 1)
            return rest.HttpResponse(400, body, response.headers)
        return response

    monkeypatch.setattr(rest.RestRouter, "handle", echo)
    report, junit = tmp_path / "r.md", tmp_path / "j.xml"
    with FakeImageService().serve() as server:
        done = _cli("--endpoint", server.url, "--folder-id", FOLDER, "--report", str(report),
                    "--junitxml", str(junit), "--", "-k", "not_found or delete", "-l", "-vv",
                    token=SECRET)  # fmt: skip
    assert done.returncode == 1, done.stdout[-2000:]
    texts = [done.stdout, done.stderr, report.read_text(), junit.read_text()]
    assert all(SECRET not in text for text in texts)
    assert "<redacted>" in report.read_text()


def test_read_only_against_a_remote_endpoint(tmp_path: Path) -> None:
    """Plain pytest on the suite, the pre-flight skipped (192.0.2.1 never answers): a
    mutating contract is not run, and the report says why."""
    suite = plugin_suite()
    report = tmp_path / "r.md"
    env = {k: v for k, v in os.environ.items() if k != "YC_IAM_TOKEN"} | {"YC_IAM_TOKEN": SECRET}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(suite), "-c", str(suite / "pytest.ini"),
         "--rootdir", str(suite), "-p", "pytest_yc_images.conformance.plugin",
         "--yc-endpoint", "http://192.0.2.1:9", "--yc-folder-id", FOLDER,
         "--yc-skip-preflight", "--yc-conformance-report", str(report), "-q",
         "-k", "test_create_polls"],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    text = report.read_text()
    assert "read-only run" in text
    assert "not run" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --endpoint URL or --grpc-endpoint HOST:PORT (with --folder-id), or --fake"),
        (["--endpoint", "http://127.0.0.1:1"], "--folder-id is required"),
        (["--endpoint", "ftp://x", "--folder-id", "f"], "must be an http(s) URL"),
        (["--fake", "--endpoint", "http://127.0.0.1:1"], "only one of --fake, --endpoint"),
        (["--fake", "--max-images", "-1"], "--max-images must be at least 1"),
        (["--fake", "--profile", "beta"], "invalid choice"),
        (["--endpoint", "http://127.0.0.1:1", "--folder-id", "f"], "no token"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    done = _cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_sweep_deletes_only_labelled_leftovers() -> None:
    fake = FakeImageService()
    left = fake.put_image(folderId=FOLDER, name="ycc-crashed", labels={RUN_LABEL: "crashed1"})
    kept = fake.put_image(folderId=FOLDER, name="precious", labels={"team": "a"})
    with fake.serve() as server:
        done = _cli("sweep", "--endpoint", server.url, "--folder-id", FOLDER, token=SECRET)
    assert done.returncode == 0, done.stderr
    assert left["id"] in done.stdout
    assert [i["id"] for i in fake.images(FOLDER)] == [kept["id"]]


def test_ctrl_c_still_deletes_what_the_run_created() -> None:
    with SlowServer(0.3) as slow:
        env = {**os.environ, "YC_IAM_TOKEN": SECRET}
        command = [sys.executable, "-m", "pytest_yc_images.conformance.cli", "--endpoint",
                   slow.url, "--folder-id", FOLDER, "--", "-q", "-k", "Create"]  # fmt: skip
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True,
                                   cwd=tempfile.mkdtemp())  # fmt: skip
        deadline = time.monotonic() + 60
        while not _labelled(slow.fake) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _labelled(slow.fake), "the run created nothing"
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)
        deadline = time.monotonic() + 10
        while _labelled(slow.fake) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _labelled(slow.fake) == []
        with httpx.Client(base_url=slow.url) as client:
            assert client.get("/compute/v1/images", params={"folderId": FOLDER}).status_code == 401


@pytest.mark.parametrize("worker", [True, False], ids=["xdist-worker", "controller"])
def test_only_the_controller_sweeps_the_run_label_when_a_session_ends(
    worker: bool, tmp_path: Path
) -> None:
    """xdist workers end at different times: one that swept the run's label deleted an image
    another worker was still updating. A worker deletes what it created; the controller,
    which ends after all of them, sweeps."""
    run_id = "sweep0ne"
    fake = FakeImageService()
    in_use = fake.put_image(folderId=FOLDER, name="ycc-in-use", labels={RUN_LABEL: run_id})
    with fake.serve() as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("YC_IAM_TOKEN", SECRET)
        target = Target.from_options(endpoint=server.url, folder_id=FOLDER)
        config = SimpleNamespace(stash=pytest.Stash(), getoption=lambda name: None)
        if worker:
            config.workerinput = {"yc_run_id": run_id}
        config.stash[plugin._TARGET] = target
        config.stash[plugin._RUN] = RunIdentity(run_id)
        config.stash[plugin._BUDGET] = budget = Budget(run_id, 5, folder=tmp_path / "budget")
        config.stash[plugin._API] = Api(target, RunIdentity(run_id), budget)
        plugin.pytest_sessionfinish(SimpleNamespace(config=config), 0)  # type: ignore[arg-type]
    left = [i["id"] for i in fake.images(FOLDER)]
    assert left == ([in_use["id"]] if worker else [])
