"""Replies are compact UTF-8 JSON, whatever is in them."""

from __future__ import annotations

import json

import pytest

from pytest_yc_images.faces.rest import encode_json


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "fd8abc", "labels": {"a": "b"}, "minDiskSize": "4194304"},
        {"description": "образ для тестов ✓"},
        {"big": 2**70},  # orjson refuses integers beyond 64 bits
        {"text": "\ud800"},  # nor will it encode a lone surrogate
        [],
    ],
    ids=["plain", "non-ascii", "huge-int", "lone-surrogate", "empty-list"],
)
def test_encode_json_round_trips(payload: object) -> None:
    body = encode_json(payload)
    assert isinstance(body, bytes)
    assert json.loads(body) == payload
    assert b": " not in body  # compact separators
    assert b", " not in body


def test_non_ascii_is_sent_as_utf8_not_escaped() -> None:
    assert encode_json({"d": "ё"}) == '{"d":"ё"}'.encode()
