"""Memory over a long run: RSS before and after many creates and deletes, and after many
failed megabyte requests. Reported, never asserted (tests assert the counts).

    python benchmarks/bench_memory.py [--quick]

Each scenario runs in a fresh interpreter, so one's garbage is not the next one's
baseline. RSS is the process's resident set (``/proc/self/statm``; the peak from
``getrusage`` elsewhere); the Python heap is ``tracemalloc``'s count of live blocks,
which, unlike RSS, falls again when objects are freed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
import uuid
from typing import Any

from _common import TOKEN, Section, print_report

from pytest_yc_images import FakeImageService

FOLDER = "b1gbenchmemory000001"
MB = 1024 * 1024
COUNTED = ("images", "operations", "keys")


def rss() -> int:
    """Resident bytes now (Linux), or the peak so far (elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def _counts(fake: FakeImageService) -> dict[str, int]:
    service = fake.service
    return {
        "images": len(service.store.images),
        "operations": len(service.store.operations),
        "keys": len(service.idempotency),
        "journal": len(service.journal),
    }


def creates_and_deletes(cycles: int) -> dict[str, Any]:
    """``cycles`` keyed creates and deletes through the request path (completion
    immediate: each Delete removes its image at once); RSS at the start and each quarter."""
    fake = FakeImageService(seed="bench-memory", completion="immediate")
    call = fake._rpc.call
    gc.collect()
    points = [("start", rss(), _counts(fake))]
    started = time.perf_counter()
    for i in range(1, cycles + 1):
        created = call(
            "ImageService.Create",
            {"folderId": FOLDER, "name": f"img-{i}", "uri": "https://storage.example/a.qcow2"},
            token=TOKEN,
            idempotency_key=str(uuid.UUID(int=2 * i)),
        )
        call(
            "ImageService.Delete",
            {"imageId": created.body["metadata"]["imageId"]},
            token=TOKEN,
            idempotency_key=str(uuid.UUID(int=2 * i + 1)),
        )
        if i % (cycles // 4) == 0:
            gc.collect()
            points.append((f"after {i:,}", rss(), _counts(fake)))
    return {"points": points, "seconds": time.perf_counter() - started}


def failed_big_requests(count: int, size: int) -> dict[str, Any]:
    """``count`` Creates of ``size`` bytes, each refused (a description far too long),
    through the in-process REST client; RSS and the Python heap before and after."""
    fake = FakeImageService(seed="bench-memory")
    body = json.dumps({"folderId": FOLDER, "description": "x" * size}).encode()
    headers = {"Content-Type": "application/json"}
    with fake.client(token=TOKEN) as client:
        client.post("/compute/v1/images", content=body, headers=headers)  # warm-up
        gc.collect()
        tracemalloc.start()
        heap, points = tracemalloc.get_traced_memory()[0], [("start", rss(), _counts(fake))]
        for _ in range(count):
            assert client.post("/compute/v1/images", content=body, headers=headers).status_code
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - heap
        tracemalloc.stop()
        points.append((f"after {count}", rss(), _counts(fake)))
    return {"points": points, "heap_grown": grown}


SCENARIOS = {"cycles": creates_and_deletes, "big": failed_big_requests}


def child(name: str, quick: bool) -> dict[str, Any]:
    """Run one scenario in a fresh interpreter; its result as JSON."""
    argv = [sys.executable, __file__, "--child", name, *(["--quick"] if quick else [])]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(quick: bool) -> Section:
    section = Section("Memory over a long run")
    cycles = child("cycles", quick)
    rows = [
        [what, f"{size / MB:,.1f} MB", *(f"{counts[k]:,}" for k in COUNTED)]
        for what, size, counts in cycles["points"]
    ]
    section.add(
        f"Keyed Create + Delete through the request path, completion `immediate` "
        f"({cycles['seconds']:.1f} s):",
        "",
    )
    section.table(["point", "RSS", "images", "operations", "idempotency keys"], rows)
    big = child("big", quick)
    rows = [
        [what, f"{size / MB:,.1f} MB", f"{counts['journal']:,}"]
        for what, size, counts in big["points"]
    ]
    section.add("Refused 1 MB Creates (a description too long) through `fake.client()`:", "")
    section.table(["point", "RSS", "journal entries"], rows)
    section.add(f"Python heap grown over them (tracemalloc): {big['heap_grown'] / MB:,.1f} MB", "")
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 cycles, 10 big requests")
    parser.add_argument("--child", choices=sorted(SCENARIOS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "cycles":
        print(json.dumps(creates_and_deletes(20_000 if args.quick else 50_000)))
    elif args.child == "big":
        print(json.dumps(failed_big_requests(10 if args.quick else 40, 1_000_000)))
    else:
        print_report("bench_memory", args.quick, [measure(args.quick)])


if __name__ == "__main__":
    main()
