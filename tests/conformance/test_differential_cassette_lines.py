"""A cassette's lines end at "\\n" only: a string of a request or a reply may hold a
character Python also counts as a line break (U+0085, U+2028, U+2029, \\x1c), written raw."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_yc_images.conformance.differential import Program, Step, cassette
from pytest_yc_images.conformance.differential.machine import Transcript

BREAKS = "a\x85b\u2028c\u2029d\x1ce"


@pytest.mark.parametrize("end", ["\n", ""], ids=["newline at the end", "none"])
def test_a_string_with_a_line_break_character_round_trips(tmp_path: Path, end: str) -> None:
    step = Step("ImageService.Create", body={"folderId": "<folder>", "description": BREAKS})
    reply = {"http": 400, "body": {"code": 3, "message": BREAKS}}
    path = tmp_path / "c.jsonl"
    with cassette.writer(path, {"profile": "live"}) as add:
        add(Transcript(Program([step]), [[reply]], [[]]))
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") == 3  # the header, the program, its one step
    path.write_text(text.removesuffix("\n") + end, encoding="utf-8")

    tape = cassette.read(path)

    assert len(tape.programs) == 1
    assert tape.programs[0].program.steps[0].body["description"] == BREAKS
    assert tape.programs[0].outcomes == [reply]
