"""How long create + ``wait_operation_and_get_result`` takes through the SDK (reported only).

    python -m pytest tests/grpc/test_grpc_round_trip.py -q -s

prints the median, minimum and maximum over ROUNDS; nothing here asserts a time.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

from yandex.cloud.compute.v1.image_pb2 import Image
from yandex.cloud.compute.v1.image_service_pb2 import (
    CreateImageMetadata,
    CreateImageRequest,
)

from pytest_yc_images import YcGrpc

ROUNDS = 50
SOURCE = "https://storage.yandexcloud.net/builds/app.qcow2"


def test_create_and_wait_round_trip(
    yc_grpc: YcGrpc, images: Any, yc_folder_id: str, record_property: Any
) -> None:
    timings: list[float] = []
    for i in range(ROUNDS + 1):
        request = CreateImageRequest(folder_id=yc_folder_id, name=f"rt-{i}", uri=SOURCE)
        started = time.perf_counter()
        result = yc_grpc.sdk.wait_operation_and_get_result(
            images.Create(request), response_type=Image, meta_type=CreateImageMetadata
        )
        elapsed = time.perf_counter() - started
        assert result.response.status == Image.READY
        if i:  # the first round pays for discovery and the TLS handshakes
            timings.append(elapsed)
    median = statistics.median(timings) * 1000
    record_property("create_wait_median_ms", round(median, 3))
    print(
        f"\ncreate + wait_operation_and_get_result over gRPC: median {median:.2f} ms, "
        f"min {min(timings) * 1000:.2f} ms, max {max(timings) * 1000:.2f} ms "
        f"({ROUNDS} rounds, on-poll completion)"
    )
