"""A hand-edited cassette cannot reach images or operations its program did not make."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance.differential import replay


def _cassette(path: Path, step: dict[str, object]) -> Path:
    lines = [{"cassette": 1, "profile": "live", "seed": 0, "programs": 1},
             {"program": 1, "steps": [step]},
             {"program": 1, "step": 1, "request": step, "response": {"http": 200, "body": {}},
              "running": []}]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rpc", "key"),
    [
        ("ImageService.Delete", "imageId"),
        ("ImageService.Update", "imageId"),
        ("OperationService.Cancel", "operationId"),
    ],
)
def test_a_literal_id_is_refused_and_nothing_changes(tmp_path: Path, rpc: str, key: str) -> None:
    fake = FakeImageService()
    other = fake.put_image(folderId="b1gsomeoneelse000001", name="theirs")
    step = {"rpc": rpc, "path": {key: other["id"]}}
    if rpc == "ImageService.Update":
        step["body"] = {"description": "mine now", "updateMask": "description"}
    result = replay(_cassette(tmp_path / "edited.jsonl", step), fake)
    assert result.status == 2
    assert "refusing to" in result.error
    assert "by a symbol" in result.error
    assert fake.images("b1gsomeoneelse000001") == [other]  # neither deleted nor changed


def test_a_symbol_of_an_image_the_program_did_not_create_is_refused(tmp_path: Path) -> None:
    fake = FakeImageService()
    # <source-image> is bound (the side's source), but this program did not create it
    step = {"rpc": "ImageService.Delete", "path": {"imageId": "<source-image>"}}
    result = replay(_cassette(tmp_path / "edited.jsonl", step), fake)
    assert result.status == 2
    assert "this program did not create it" in result.error


def test_a_cassette_of_one_profile_is_not_replayed_against_a_fake_of_another(
    tmp_path: Path,
) -> None:
    step = {"rpc": "ImageService.Get", "path": {"imageId": "<image#1>"}}
    result = replay(_cassette(tmp_path / "live.jsonl", step), FakeImageService(profile="seed"))
    assert result.status == 2
    assert result.error == (
        "the cassette was recorded in the live profile; the fake serves seed (--profile live)"
    )
    assert result.programs == 0
