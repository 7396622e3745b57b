"""yc-images-conformance record / replay / diff: usage errors, exit statuses, what they print
and write, and that the token never appears in any of it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance.cli import main
from pytest_yc_images.conformance.differential import DiffResult, Divergence, Program, Step
from pytest_yc_images.conformance.differential import report as render
from pytest_yc_images.conformance.differential.machine import Transcript
from pytest_yc_images.faces import rest

from .mutant_server import running

SECRET = "t0ken-differential-7c1e-never-shown"
FOLDER = "b1gdifferentialcli01"
REMOTE = "https://compute.example.com"  # never contacted: every run stops before


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``main(args)`` in-process: (exit status, stdout, stderr)."""
    try:
        status = main(list(args))
    except SystemExit as exc:  # argparse's own usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(autouse=True)
def _no_tokens_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YC_IAM_TOKEN", raising=False)
    monkeypatch.delenv("YC_AGAINST_IAM_TOKEN", raising=False)


@pytest.fixture(scope="module")
def mutant_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A loopback server of the fake with the bug ``token-not-required``."""
    log = tmp_path_factory.mktemp("mutant") / "server.log"
    with running("token-not-required", log=log) as url:
        assert url.startswith("http://127.0.0.1:"), f"the mutant server said {url!r}"
        yield url


# --- usage errors ---------------------------------------------------------------------------
def _garbage(tmp_path: Path) -> str:
    path = tmp_path / "garbage.jsonl"
    path.write_text("this is not a cassette\n")
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "--against-fake"], "give --endpoint URL or --grpc-endpoint HOST:PORT"),
        (["record", "--out", "{tmp}/c.jsonl"], "give --endpoint URL or --grpc-endpoint"),
        (["diff", "--fake", "--endpoint", "http://127.0.0.1:1", "--against-fake"],
         "give only one of --fake, --endpoint and --grpc-endpoint, not --fake and --endpoint"),
        (["diff", "--fake", "--against-fake", "--against", "http://127.0.0.1:1"],
         "only one of --against-fake, --against and --against-grpc-endpoint"),
        (["diff", "--fake"], "give --against URL or --against-grpc-endpoint HOST:PORT"),
        (["diff", "--fake", "--against", "http://127.0.0.1:1", "--against-token", SECRET],
         "--against-folder-id is required with --against"),
        (["diff", "--fake", "--against", "http://127.0.0.1:1", "--against-folder-id", FOLDER],
         "no token: pass --against-token or set $YC_AGAINST_IAM_TOKEN"),
        (["record", "--endpoint", REMOTE, "--folder-id", FOLDER, "--token", SECRET, "--out",
          "{tmp}/c.jsonl"], "pass --allow-mutations"),
        (["diff", "--fake", "--against", REMOTE, "--against-folder-id", FOLDER,
          "--against-token", SECRET], "pass --against-allow-mutations"),
        (["replay", "{tmp}/none.jsonl", "--endpoint", REMOTE, "--folder-id", FOLDER],
         "none.jsonl: cannot read it"),
        (["replay", "{garbage}", "--fake"], "garbage.jsonl:1: not JSON"),
        (["record", "--fake"], "the following arguments are required: --out"),
        (["diff", "--endpoint", "http://127.0.0.1:1", "--folder-id", FOLDER, "--token", SECRET,
          "--completion", "immediate", "--against-fake"], "--completion is for --fake"),
        (["diff", "--fake", "--against-fake", "--programs", "0"], "--programs and --steps"),
        (["diff", "--fake", "--against-fake", "--against-profile", "beta"], "invalid choice"),
        (["replay", "{garbage}", "--fake", "--against-fake"], "unrecognized arguments"),
        (["diff", "--fake", "--max-images", "-1", "--against-fake"],
         "--max-images is for a target, not --fake"),
        (["diff", "--fake", "--folder-id", FOLDER, "--against-fake"],
         "--folder-id is for a target, not --fake"),
        (["diff", "--fake", "--against-fake", "--against-token", SECRET],
         "--against-token is for a target, not --against-fake"),
        (["record", "--fake", "--source-image-id", "fd8x", "--out", "{tmp}/c.jsonl"],
         "--source-image-id is for a target, not --fake"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    given = [a.format(tmp=tmp_path, garbage=_garbage(tmp_path)) for a in args]
    status, out, err = _run(capsys, *given)
    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert out == ""
    assert SECRET not in err


def test_a_target_that_does_not_answer_fails_the_preflight(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Port 9 (discard) on loopback: nothing listens; side B's pre-flight says so."""
    status, out, err = _run(capsys, "diff", "--fake", "--against", "http://127.0.0.1:9",
                            "--against-folder-id", FOLDER, "--against-token", SECRET)  # fmt: skip
    assert status == 2
    assert err.startswith("yc-images-conformance: error: side B: cannot connect to 127.0.0.1:9")
    assert len(err.strip().splitlines()) == 1
    assert out == ""


# --- diff -----------------------------------------------------------------------------------
def test_diff_of_two_completion_modes_finds_no_divergence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "diff.md"
    status, out, err = _run(capsys, "diff", "--fake", "--against-fake", "--against-completion",
                            "immediate", "--programs", "8", "--seed", "1", "--report",
                            str(report))  # fmt: skip
    assert (status, err) == (0, ""), out
    lines = out.splitlines()
    assert lines[0].startswith("diff: ")
    assert lines[0].endswith(", seed 1")
    assert " program(s) run, " in lines[0]
    assert lines[1:3] == ["  A: the in-process fake (live, on-poll)",
                          "  B: the in-process fake (live, immediate)"]  # fmt: skip
    assert "no divergence" in lines
    assert lines[-2] == (
        "reproduce: yc-images-conformance diff --fake --against-fake --against-completion "
        f"immediate --programs 8 --report {report} --seed 1"
    )
    text = report.read_text()
    assert text.startswith("# Differential conformance: diff\n")
    assert "- result: **no divergence**" in text


def test_diff_without_a_seed_prints_the_one_it_drew(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, "diff", "--fake", "--against-fake", "--programs", "1",
                          "--steps", "2")  # fmt: skip
    assert status == 0
    seed = out.splitlines()[0].rpartition(", seed ")[2]
    assert seed.isdigit()
    assert out.rstrip().endswith(f"--programs 1 --steps 2 --seed {seed}")


def test_diff_against_a_mutant_reports_the_program_and_both_transcripts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mutant_url: str
) -> None:
    report = tmp_path / "diff.md"
    status, out, err = _run(capsys, "diff", "--fake", "--against", mutant_url,
                            "--against-folder-id", FOLDER, "--against-token", SECRET,
                            "--programs", "10", "--steps", "5", "--seed", "1",
                            "--report", str(report))  # fmt: skip
    assert (status, err) == (1, ""), out
    lines = out.splitlines()
    assert lines[2] == f"  B: {mutant_url}, folder {FOLDER}"
    assert lines[3].startswith("DIVERGENCE at step ")
    start = lines.index("Program:") + 1
    steps = lines[start : lines.index("", start)]
    assert 1 <= len(steps) <= 5
    marked = [n for n, line in enumerate(lines) if line.endswith("<- diverges")]
    assert len(marked) == 1
    at = marked[0]
    assert lines[at + 1].startswith("       A  HTTP 401 ")  # the fake: no token, no entry
    assert lines[at + 2].startswith("       B  HTTP 200")  # the mutant lets it in
    assert "  - HTTP 401 | HTTP 200" in lines
    text = report.read_text()
    assert "- result: **divergence**" in text
    assert "| # | step | A \\| B |" not in text  # the header's pipes separate columns
    rows = [row for row in text.splitlines() if row.startswith("| ")]
    assert rows[0] == "| # | step | A | B |"
    assert len(rows) == len(steps) + 1
    assert "(diverges)**" in rows[-1]
    assert "`HTTP 401 | HTTP 200`" in text  # the differences, as a list
    assert all(SECRET not in t for t in (out, err, text))


def test_diff_against_the_grpc_face(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Side B through the official SDK's stubs (--against-grpc-endpoint, --against-ca)."""
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    server = FakeImageService().serve_grpc()
    try:
        ca = tmp_path / "ca.pem"
        server.write_ca(str(ca))
        status, out, err = _run(capsys, "diff", "--fake", "--against-grpc-endpoint",
                                server.endpoint, "--against-ca", str(ca), "--against-folder-id",
                                FOLDER, "--against-token", SECRET, "--programs", "6",
                                "--steps", "6", "--seed", "1")  # fmt: skip
    finally:
        server.stop()
    assert (status, err) == (0, ""), out
    assert f"  B: gRPC {server.endpoint} (TLS, CA {ca}), folder {FOLDER}" in out.splitlines()
    assert "no divergence" in out.splitlines()


# --- record and replay ----------------------------------------------------------------------
def test_record_then_replay_with_the_console_script(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cassette = tmp_path / "fake.jsonl"
    status, out, err = _run(capsys, "record", "--fake", "--out", str(cassette), "--programs",
                            "4", "--seed", "3")  # fmt: skip
    assert (status, err) == (0, ""), out
    assert f"cassette: {cassette}" in out
    assert cassette.read_text().startswith('{"cassette": 1')
    script = Path(sys.executable).parent / "yc-images-conformance"
    report = tmp_path / "replay.md"
    done = subprocess.run([str(script), "replay", str(cassette), "--fake", "--report",
                           str(report)], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert "no divergence" in done.stdout.splitlines()
    assert "  replayed: the in-process fake (live, on-poll)" in done.stdout
    assert "- result: **no divergence**" in report.read_text()


def test_replay_against_a_mutant_reports_each_divergent_program(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mutant_url: str
) -> None:
    """Recorded from a loopback server of the fake (no disk or snapshot to create from, as
    the mutant's), replayed against the mutant."""
    cassette = tmp_path / "loopback.jsonl"
    with FakeImageService().serve() as server:
        recorded = _run(capsys, "record", "--endpoint", server.url, "--folder-id", FOLDER,
                        "--token", SECRET, "--out", str(cassette), "--programs", "12",
                        "--seed", "5")  # fmt: skip
    assert recorded[0] == 0, recorded
    assert SECRET not in cassette.read_text()
    report = tmp_path / "replay.md"
    status, out, err = _run(capsys, "replay", str(cassette), "--endpoint", mutant_url,
                            "--folder-id", FOLDER, "--token", SECRET, "--report",
                            str(report))  # fmt: skip
    assert (status, err) == (1, ""), out
    summary = [line for line in out.splitlines() if line.endswith("divergent program(s)")]
    assert len(summary) == 1
    count = int(summary[0].split()[0])
    assert count >= 1
    assert out.count("<- diverges") == count
    assert out.count(": DIVERGENCE at step ") == count
    text = report.read_text()
    assert text.count(": divergence at step ") == count
    assert text.count("### Transcripts") == count
    assert "| # | step | recorded | replayed |" in text
    assert all(SECRET not in t for t in (out, err, text))


# --- the token ------------------------------------------------------------------------------
class _Echo:
    """A router that answers every error with plain text quoting the Authorization header:
    a server that leaks what it was sent."""

    def __init__(self, router: rest.RestRouter) -> None:
        self.router = router

    def handle(self, request: rest.HttpRequest) -> rest.HttpResponse:
        reply = self.router.handle(request)
        if reply.status < 400:
            return reply
        said = f"denied: {request.headers.get('authorization', '(none)')}".encode()
        return rest.HttpResponse(reply.status, said, ((b"content-type", b"text/plain"),))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.router, name)


def test_the_token_never_appears_in_output_or_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Side A echoes its token into every error; the run diverges on one; the token is in
    the command line, the replies and the transcript, and is shown nowhere."""
    monkeypatch.setenv("YC_AGAINST_IAM_TOKEN", "unused-by-a-fake")
    fake = FakeImageService()
    report = tmp_path / "diff.md"
    with fake.serve() as server:
        server.app.router = _Echo(fake.router)  # type: ignore[assignment]  # duck-typed
        status, out, err = _run(capsys, "diff", "--endpoint", server.url, "--folder-id",
                                FOLDER, f"--token={SECRET}", "--against-fake", "--programs",
                                "10", "--steps", "4", "--seed", "2", "--report",
                                str(report))  # fmt: skip
    text = report.read_text()
    assert status == 1, out + err
    assert "<redacted>" in out  # the echo reached the transcript
    assert "<redacted>" in text
    for shown in (out, err, text):
        assert SECRET not in shown
        assert SECRET[:12] not in shown
    assert "--token" not in out
    assert os.environ.get("YC_IAM_TOKEN") is None  # the run put no token in the environment


# --- the rendering alone --------------------------------------------------------------------
def test_the_text_and_markdown_of_a_divergence() -> None:
    """A hand-made divergence: the program, the marked step, both sides' outcomes (short
    before, in full at it), pipes escaped in the table."""
    steps = [Step("ImageService.Create", body={"name": "a|b", "folderId": "<folder>"}),
             Step("ImageService.Get", path={"imageId": "<image#1>"})]  # fmt: skip
    created = {"http": 200, "body": {"id": "<op#1>", "createdAt": "<timestamp>",
               "metadata": {"@type": "type.googleapis.com/yandex.cloud.compute.v1.X"}}}  # fmt: skip
    image = {"id": "<image#1>", "status": "READY", "createdAt": "<timestamp>"}
    got_a = {"http": 200, "body": image}
    got_b = {"http": 404, "body": {"code": 5, "message": "<text>"}}
    transcript = Transcript(Program(steps), [[created, got_a], [created, got_b]])
    found = Divergence(transcript, 1, ["HTTP 200 | HTTP 404"], ("A", "B"))
    result = DiffResult(("fake one", "fake two"), 7, 30, 1.25, found)
    how = render.Run("yc-images-conformance diff --fake --against-fake --seed 9", 9)
    lines = render.diff_text(result, how).splitlines()
    assert lines[:4] == [
        "diff: 7 program(s) run, 30 call(s), 1.2 s, seed 9",
        "  A: fake one",
        "  B: fake two",
        "DIVERGENCE at step 2 of a program of 2 step(s) (shrunk)",
    ]
    at = lines.index("  > 2. Get imageId=<image#1>   <- diverges")
    assert lines[at - 2] == '       A  HTTP 200 {"id": "<op#1>", "metadata": {"@type": "X"}}'
    assert lines[at + 1] == ('       A  HTTP 200 {"createdAt": "<timestamp>", "id": '
                             '"<image#1>", "status": "READY"}')  # fmt: skip
    assert lines[at + 2] == '       B  HTTP 404 {"code": 5, "message": "<text>"}'
    assert lines[-1] == "reproduce: yc-images-conformance diff --fake --against-fake --seed 9"
    markdown = render.diff_markdown(result, how)
    assert '| 1 | `Create {"folderId": "<folder>", "name": "a\\|b"}` |' in markdown
    assert "| **2 (diverges)** | `Get imageId=<image#1>` |" in markdown
    assert "- `HTTP 200 | HTTP 404`" in markdown
