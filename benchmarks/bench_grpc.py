"""The gRPC face through the official SDK (``yandexcloud``): round trips and calls/s.

    python benchmarks/bench_grpc.py [--quick]

Starts ``fake.serve_grpc()`` on 127.0.0.1 (TLS, the fake's own CA) and builds the SDK on
it as the ``yc_grpc`` fixture does; skips, saying why, without the ``grpc`` extra or if
the face's API is not the one this script knows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from typing import Any

from _common import TOKEN, Check, Section, ms, print_report

from pytest_yc_images import FakeImageService

# grpc logs a GOAWAY line per channel when the server stops; set before grpc is imported.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

TARGET = "SDK create + wait_operation_and_get_result"
SOURCE = "https://storage.yandexcloud.net/builds/web.qcow2"


def load() -> dict[str, Any]:
    """What this benchmark needs from the face and the SDK (ImportError if missing)."""
    import yandexcloud
    from yandex.cloud.compute.v1.image_pb2 import Image
    from yandex.cloud.compute.v1.image_service_pb2 import (
        CreateImageMetadata,
        CreateImageRequest,
        GetImageRequest,
    )
    from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

    import pytest_yc_images.faces.grpc as face

    if hasattr(FakeImageService, "serve_grpc"):  # fake.serve_grpc(), as the fixture does

        def serve_grpc(fake: FakeImageService) -> Any:
            return fake.serve_grpc()

    elif hasattr(face, "serve_grpc"):  # the face's own function, in earlier versions
        serve_grpc = face.serve_grpc
    else:
        raise AttributeError("neither FakeImageService.serve_grpc nor faces.grpc.serve_grpc")
    return {
        "SDK": yandexcloud.SDK,
        "Image": Image,
        "CreateImageMetadata": CreateImageMetadata,
        "CreateImageRequest": CreateImageRequest,
        "GetImageRequest": GetImageRequest,
        "ImageServiceStub": ImageServiceStub,
        "serve_grpc": serve_grpc,
    }


def run(api: dict[str, Any], quick: bool) -> tuple[list[float], float, float]:
    """Create+wait round trips (ms each), GetImage calls/s, and the first call's ms."""
    fake = FakeImageService(seed="bench")
    folder = "b1gbenchgrpc000000000"
    server = api["serve_grpc"](fake)
    try:
        sdk = api["SDK"](endpoint=server.endpoint, iam_token=TOKEN, root_certificates=server.ca_pem)
        stub = sdk.client(api["ImageServiceStub"])

        def create(n: int) -> Any:
            request = api["CreateImageRequest"](folder_id=folder, name=f"img-{n}", uri=SOURCE)
            operation = stub.Create(request)
            return sdk.wait_operation_and_get_result(
                operation, response_type=api["Image"], meta_type=api["CreateImageMetadata"]
            ).response

        started = time.perf_counter()
        image = create(0)  # the first: TLS handshake and discovery
        first_ms = (time.perf_counter() - started) * 1000
        rounds, times = (20, []) if quick else (200, [])
        for n in range(1, rounds + 1):
            started = time.perf_counter()
            create(n)
            times.append((time.perf_counter() - started) * 1000)
            if n % 50 == 0:
                fake.journal.clear()
        get = api["GetImageRequest"](image_id=image.id)
        for _ in range(20):
            stub.Get(get)
        seconds, calls = (1.0 if quick else 3.0), 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            stub.Get(get)
            calls += 1
            if calls % 1000 == 0:
                fake.journal.clear()
        rate = calls / (time.perf_counter() - started)
    finally:
        server.stop()
    return times, rate, first_ms


def measure(quick: bool) -> Section:
    section = Section("gRPC face through the official SDK")
    try:
        api = load()
    except ImportError as exc:
        section.add(f"Skipped: the gRPC face or the SDK is not importable ({exc}).", "")
        section.skipped(TARGET, "≤ 5 ms", f"not importable: {exc}")
        return section
    except AttributeError as exc:
        section.add(f"Skipped: the face's API is not what this script knows ({exc}).", "")
        section.skipped(TARGET, "≤ 5 ms", f"face API differs: {exc}")
        return section
    try:
        with warnings.catch_warnings():
            # The SDK's waiter builds a RetryInterceptor the SDK itself deprecated.
            warnings.simplefilter("ignore", DeprecationWarning)
            times, rate, first_ms = run(api, quick)
    except (AttributeError, TypeError) as exc:
        section.add(f"Skipped: the face's API is not what this script knows ({exc!r}).", "")
        section.skipped(TARGET, "≤ 5 ms", f"face API differs: {exc}")
        return section
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    section.table(
        ["measure", "value"],
        [
            [f"create + wait, median of {len(times)}", ms(median)],
            ["create + wait, 90th percentile", ms(p90)],
            ["first create + wait (TLS handshake, discovery)", ms(first_ms)],
            ["GetImage through the SDK stub, 1 thread", f"{rate:,.0f} calls/s"],
        ],
    )
    section.checks.append(Check(TARGET, f"{ms(median)} (median)", "≤ 5 ms", median <= 5))
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 round trips, 1 s of GetImage")
    quick = parser.parse_args().quick
    print_report("bench_grpc", quick, [measure(quick)])


if __name__ == "__main__":
    main()
