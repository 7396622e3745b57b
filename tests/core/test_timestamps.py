"""Issue 16, row 11: every timestamp the fake writes is canonical proto3 JSON, as
protobuf's own encoder writes it: UTC, ``Z``, and 0, 3, 6 or 9 fraction digits.

The oracle is ``google.protobuf.Timestamp.ToJsonString()`` of the time rounded to the
microsecond (the fake keeps times as floats: no finer), computed with exact fractions.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pytest_yc_images import FakeImageService
from pytest_yc_images._wire import encode_time, parse_time

timestamp_pb2 = pytest.importorskip("google.protobuf.timestamp_pb2")

FIRST = -62_135_596_800  # 0001-01-01T00:00:00Z
LAST = 253_402_300_799  # 9999-12-31T23:59:59Z
FOLDER = "b1gtimesfolder000001"


def protobuf_json(when: float) -> str:
    """What protobuf writes for ``when`` rounded to the microsecond (ties to even)."""
    micros = round(Fraction(when) * 1_000_000)
    stamp = timestamp_pb2.Timestamp()
    stamp.FromMicroseconds(micros)
    return str(stamp.ToJsonString())


DOCUMENTED = [
    (0.0, "1970-01-01T00:00:00Z"),
    (0.5, "1970-01-01T00:00:00.500Z"),
    (12.25, "1970-01-01T00:00:12.250Z"),
    (1_767_225_600.000001, "2026-01-01T00:00:00.000001Z"),
    (-0.5, "1969-12-31T23:59:59.500Z"),
    (float(FIRST), "0001-01-01T00:00:00Z"),
    (float(LAST), "9999-12-31T23:59:59Z"),
]


def test_the_documented_forms() -> None:
    written = [(encode_time(when), protobuf_json(when)) for when, _ in DOCUMENTED]
    assert written == [(text, text) for _, text in DOCUMENTED]


@given(
    seconds=st.integers(FIRST, LAST - 1),
    millis=st.integers(0, 999),
    micros=st.integers(0, 999_999),
)
@example(seconds=0, millis=500, micros=0)
@example(seconds=-1, millis=0, micros=999_999)
@example(seconds=LAST - 1, millis=999, micros=999_999)
def test_every_time_is_written_as_protobuf_writes_it(
    seconds: int, millis: int, micros: int
) -> None:
    for when in (seconds + millis / 1000, seconds + micros / 1_000_000, float(seconds)):
        text = encode_time(when)
        assert text == protobuf_json(when), when
        fraction = text[20:-1] if "." in text else ""
        assert len(fraction) in (0, 3, 6, 9)
        assert abs(parse_time(text) - when) <= 5e-7 + abs(when) * 2**-52


@given(st.floats(FIRST, LAST - 1, allow_nan=False, allow_infinity=False))
def test_any_float_time_is_written_as_protobuf_writes_it(when: float) -> None:
    assert encode_time(when) == protobuf_json(when)


@pytest.mark.parametrize("profile", ["live", "seed"])
def test_resources_and_operations_carry_canonical_times(profile: str, tmp_path: Path) -> None:
    fake = FakeImageService(profile=profile)
    fake.advance(0.5)
    with fake.client() as client:
        body = {"folderId": FOLDER, "name": "t", "uri": "https://storage.example/a.qcow2"}
        created = client.post("/compute/v1/images", json=body).json()
        fake.advance(0.25)
        done = client.get(f"/operations/{created['id']}").json()
        image = client.get(f"/compute/v1/images/{created['metadata']['imageId']}").json()
    assert created["createdAt"] == "2026-01-01T00:00:00.500Z"
    assert done["modifiedAt"] == "2026-01-01T00:00:00.750Z"
    assert image["createdAt"] == created["createdAt"]
    assert done["response"]["createdAt"] == image["createdAt"]
    saved = fake.save_state(tmp_path / "state.json").read_text()
    assert '"createdAt": "2026-01-01T00:00:00.500Z"' in saved
