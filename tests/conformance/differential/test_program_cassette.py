"""Programs and steps as JSON; cassettes written and read back, and the errors of reading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance.differential import CassetteError, Program, Step, record
from pytest_yc_images.conformance.differential.cassette import FORMAT, read, writer
from pytest_yc_images.conformance.differential.machine import Transcript

CREATE = Step(
    "ImageService.Create",
    body={
        "folderId": "<folder>",
        "name": "ycc-<run>-a",
        "imageId": "<source-image>",
        "labels": {"k": ""},
        "minDiskSize": "4398046511104",
    },
    key="key#1",
    note="create from image",
)
LIST = Step("ImageService.List", query={"folderId": "<folder>", "pageSize": "2"}, pages=True)
CANCEL = Step("OperationService.Cancel", path={"operationId": "<op#1>"}, verb="POST")
UNAUTHENTICATED = Step("ImageService.Get", path={"imageId": "<image#1>"}, auth="none")
WAIT_STEP = Step("wait", path={"operationId": "<op#1>"})
STEPS = [CREATE, LIST, CANCEL, UNAUTHENTICATED, WAIT_STEP]


# --- Step and Program as JSON ------------------------------------------------------------
@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.rpc)
def test_a_step_survives_json(step: Step) -> None:
    text = json.dumps(step.to_json())
    assert Step.from_json(json.loads(text)) == step


def test_a_step_writes_only_what_is_not_its_default() -> None:
    assert Step("ImageService.Get", path={"imageId": "<image#1>"}).to_json() == {
        "rpc": "ImageService.Get",
        "path": {"imageId": "<image#1>"},
        "auth": "token",
    }


def test_a_program_survives_json() -> None:
    program = Program(STEPS, label="program 7")
    again = Program.from_json(json.loads(json.dumps(program.to_json())), label="program 7")
    assert again == program
    assert again.render() == program.render()


def test_a_step_names_its_symbols() -> None:
    assert CREATE.symbols() == {"folder", "run", "source-image", "key#1"}
    assert CANCEL.symbols() == {"op#1"}


def test_a_rendered_step_shows_symbols_and_extras() -> None:
    line = Step("ImageService.Get", path={"imageId": "<image#1>"}, auth="none").render()
    assert line == "Get imageId=<image#1> [auth=none]"
    assert "[Idempotency-Key=key#1]" in CREATE.render()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("ImageService.Get", "a step is a JSON object with an 'rpc', not 'ImageService.Get'"),
        ([{"rpc": "ImageService.Get"}], "a step is a JSON object with an 'rpc'"),
        ({"path": {}}, "a step is a JSON object with an 'rpc'"),
        ({"rpc": "ImageService.Get", "header": "x"}, "a step has no field 'header' (known: rpc,"),
        (
            {"rpc": "ImageService.Get", "auth": "basic"},
            "auth must be one of token, none, malformed, not 'basic'",
        ),
        ({"rpc": "ImageService.Fly"}, "not 'ImageService.Fly'"),
        ({"rpc": "ImageService.Get", "path": "fd8"}, "path must be an object of strings"),
        (
            {"rpc": "ImageService.List", "query": {"pageSize": 2}},
            'query must be an object of strings, not {"pageSize": 2}',
        ),
        ({"rpc": "ImageService.List", "pages": "yes"}, 'pages must be true or false, not "yes"'),
        ({"rpc": "OperationService.Cancel"}, "a step's path must give operationId, not {}"),
        ({"rpc": "wait", "path": {}}, "a step's path must give operationId, not {}"),
        (
            {"rpc": "ImageService.Get", "path": {"nope": "x"}},
            """a step's path must give imageId, not {"nope": "x"}""",
        ),
        ({"rpc": "ImageService.List", "path": {"imageId": "x"}}, "must give nothing"),
    ],
    ids=[
        "a-string",
        "a-list",
        "no-rpc",
        "unknown-field",
        "bad-auth",
        "unknown-rpc",
        "path-not-object",
        "query-number",
        "pages-string",
        "cancel-without-operation",
        "wait-without-operation",
        "get-with-another-parameter",
        "list-with-a-path-parameter",
    ],
)
def test_a_step_that_is_not_one_is_refused_with_what_is_wrong(data: Any, words: str) -> None:
    with pytest.raises(ValueError, match="a step") as raised:
        Step.from_json(data)
    assert words in str(raised.value)


def test_a_program_is_a_list() -> None:
    with pytest.raises(ValueError, match="a program is a JSON list of steps"):
        Program.from_json({"rpc": "ImageService.Get"})


# --- cassettes -----------------------------------------------------------------------------
def _transcript() -> Transcript:
    created = {
        "http": 200,
        "body": {"id": "<op#1>", "done": False, "metadata": {"imageId": "<image#1>"}},
    }
    return Transcript(
        Program([CREATE, LIST, WAIT_STEP]),
        [
            [
                created,
                {"http": 200, "pages": [[]], "order": "by id asc"},
                {"http": 200, "body": {"id": "<op#1>", "done": True}},
            ]
        ],
        [[], [["<op#1>", "Create", "<image#1>", []]], []],
    )


def _written(path: Path, programs: int = 2) -> list[str]:
    with writer(path, {"profile": "live", "seed": 3, "programs": programs}) as add:
        for _ in range(programs):
            add(_transcript())
    return path.read_text(encoding="utf-8").splitlines()


def test_a_written_cassette_reads_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    lines = _written(path)
    assert len(lines) == 1 + 2 * 4  # the header, then a program line and three step lines
    cassette = read(path)
    assert cassette.header["cassette"] == FORMAT
    assert (cassette.header["seed"], cassette.profile) == (3, "live")
    assert len(cassette.programs) == 2
    original = _transcript()
    for recorded in cassette.programs:
        assert recorded.program.steps == original.program.steps
        assert recorded.outcomes == original.outcomes[0]
        assert recorded.running == original.running


def test_a_recorded_cassette_reads_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "fake.jsonl"
    result = record(FakeImageService(), path, programs=4, seed=11)
    assert result.error == ""
    cassette = read(path)
    assert cassette.header["seed"] == 11
    assert cassette.header["programs"] == 4
    assert len(cassette.programs) == result.programs >= 1
    assert sum(len(r.program.steps) for r in cassette.programs) == result.steps
    for recorded in cassette.programs:
        assert len(recorded.outcomes) == len(recorded.program.steps)
        assert all("http" in o or "skipped" in o for o in recorded.outcomes)


def _broken(tmp_path: Path, edit: Any) -> Path:
    """A good cassette with its lines edited by ``edit(lines) -> lines``."""
    path = tmp_path / "c.jsonl"
    lines = edit(_written(path))
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _set(line: str, **fields: Any) -> str:
    return json.dumps({**json.loads(line), **fields})


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (lambda ls: [*ls[:3], "{not json", *ls[4:]], 4, "not JSON"),
        (lambda ls: [*ls[:3], "[1, 2]", *ls[4:]], 4, "a line is a JSON object"),
        (lambda ls: ls[1:], 1, 'not a cassette of format 1 (its first line is {"cassette": 1'),
        (lambda ls: [_set(ls[0], cassette=2), *ls[1:]], 1, "not a cassette of format 1"),
        (lambda ls: [ls[0], *ls[2:]], 2, "a step line comes after its program line"),
        (
            lambda ls: [*ls[:3], _set(ls[3], request=CANCEL.to_json()), *ls[4:]],
            4,
            "step 2 is not the program's",
        ),
        (lambda ls: [*ls[:2], _set(ls[2], request={"rpc": "Nope"}), *ls[3:]], 3, "not 'Nope'"),
        (
            lambda ls: [*ls[:2], _set(ls[2], response=[1]), *ls[3:]],
            3,
            "response must be a JSON object",
        ),
        (lambda ls: [*ls[:4], *ls[5:]], 5, "program 1 ends after 2 of its 3 steps"),
        (lambda ls: [*ls[:5], ls[4], *ls[5:]], 6, "program 1 has 3 steps; this is one more"),
        (lambda ls: ls[:-1], 8, "program 2 ends after 2 of its 3 steps (a truncated file?)"),
        (lambda ls: [*ls[:-1], ls[-1][:40]], 9, "not JSON"),
        (lambda ls: [_set(ls[0], profile="mars"), *ls[1:]], 1, "profile must be one of"),
        (lambda ls: ls[:1], 1, "holds no program"),
        (
            lambda ls: [*ls[:3], _set(ls[3], running=[["<op#1>"]]), *ls[4:]],
            4,
            'running must be a list of [operation, method, image, [mask]], not [["<op#1>"]]',
        ),
        (lambda ls: [*ls[:3], _set(ls[3], running="no"), *ls[4:]], 4, "running must be a list"),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "no-header",
        "wrong-format",
        "step-before-program",
        "another-step",
        "unknown-rpc",
        "response-not-object",
        "program-cut-short",
        "one-step-too-many",
        "truncated-at-a-line",
        "truncated-in-a-line",
        "unknown-profile",
        "no-programs",
        "running-row-short",
        "running-not-a-list",
    ],
)
def test_reading_a_broken_cassette_names_the_file_and_line(
    tmp_path: Path, edit: Any, where: int, words: str
) -> None:
    path = _broken(tmp_path, edit)
    with pytest.raises(CassetteError) as raised:
        read(path)
    assert str(raised.value).startswith(f"{path}:{where}: ")
    assert words in str(raised.value)


def test_an_empty_file_is_not_a_cassette(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CassetteError, match=r"empty\.jsonl:1: not a cassette"):
        read(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=r"nothing\.jsonl: cannot read it"):
        read(tmp_path / "nothing.jsonl")


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029", "\x0b", "\r"])
def test_a_line_separator_inside_a_string_stays_in_its_line(tmp_path: Path, separator: str) -> None:
    """Generated bodies hold any character; str.splitlines() breaks a line at U+0085."""
    step = Step("ImageService.Create", body={"description": f"a{separator}b"})
    outcome = {"http": 400, "body": {"code": 3, "echo": f"x{separator}y"}}
    path = tmp_path / "c.jsonl"
    with writer(path, {"profile": "live"}) as add:
        add(Transcript(Program([step]), [[outcome]], [[]]))
    (recorded,) = read(path).programs
    assert recorded.program.steps == [step]
    assert recorded.outcomes == [outcome]
