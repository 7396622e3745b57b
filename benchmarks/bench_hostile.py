"""The worst bodies of issue 15 (item 1) against the loopback server, and a GET meanwhile.

    python benchmarks/bench_hostile.py [--quick]

Each body is as large as fits under the 1 MiB request cap: label keys that break the key
rule, unknown fields, over-long and short productIds, unknown fields nested in ``os``, and
deep nesting. For each: the time to its answer (the least of a few tries; it must be a 400),
and the latency of GETs of one image sent from another client meanwhile. Everything binds
127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from _common import FOLDER, TOKEN, Check, Section, ms, print_report

from pytest_yc_images import FakeImageService
from pytest_yc_images.faces.rest import MAX_BODY

TARGET = "body just under the cap, invalid label keys, answered"
GET_TARGET = "concurrent GET during the worst body"

Make = Callable[[int], Any]
BODIES: dict[str, Make] = {
    "invalid label keys": lambda n: {
        "folderId": FOLDER,
        "labels": {f"K{i}": "V" for i in range(n)},
    },
    "unknown fields": lambda n: {"folderId": FOLDER, **{f"x{i}": 1 for i in range(n)}},
    "over-long productIds": lambda n: {"folderId": FOLDER, "productIds": ["p" * 51] * n},
    "short productIds, bad folderId": lambda n: {"folderId": "", "productIds": ["p"] * n},
    "unknown fields in os": lambda n: {"folderId": FOLDER, "os": {f"x{i}": 1 for i in range(n)}},
}
DEEP = {  # raw bodies: nesting json.loads refuses, and the deepest it takes
    "nesting 500k deep (arrays)": b"[" * 500_000 + b"]" * 500_000,
    "nesting 900 deep in labels": b'{"folderId": "x", "labels": '
    + b'{"a": ' * 900
    + b'"v"'
    + b"}" * 901,
}


def under_the_cap(make: Make) -> bytes:
    """The largest body ``make(n)`` gives within MAX_BODY."""
    low, high = 1, 1 << 20
    while low < high:
        middle = (low + high + 1) // 2
        if len(json.dumps(make(middle)).encode()) <= MAX_BODY:
            low = middle
        else:
            high = middle - 1
    return json.dumps(make(low)).encode()


class Prober:
    """GETs of one image from a client of its own, one after another, while ``running``."""

    def __init__(self, url: str, path: str) -> None:
        self.client = httpx.Client(base_url=url, headers=_auth(), timeout=30)
        self.path = path
        self.samples: list[float] = []
        self.running = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            if not self.running.wait(0.05):
                continue
            started = time.perf_counter()
            self.client.get(self.path).raise_for_status()
            if self.running.is_set():
                self.samples.append((time.perf_counter() - started) * 1000)
            time.sleep(0.002)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(30)
        self.client.close()


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def measure(quick: bool) -> Section:
    tries = 2 if quick else 5
    section = Section("Hostile bodies: answer time and a concurrent GET (bench_hostile.py)")
    fake = FakeImageService(seed="bench", access={TOKEN: [FOLDER]})
    image = fake.put_image(folderId=FOLDER, name="probe")
    before = fake.images()
    bodies = {name: under_the_cap(make) for name, make in BODIES.items()} | DEEP
    rows: list[list[str]] = []
    worst_answer = worst_get = 0.0
    with (
        fake.serve() as server,
        httpx.Client(base_url=server.url, headers=_auth(), timeout=60) as client,
    ):
        prober = Prober(server.url, f"/compute/v1/images/{image['id']}")
        try:
            for name, body in bodies.items():
                answers: list[float] = []
                prober.samples.clear()
                for _ in range(tries):
                    prober.running.set()
                    started = time.perf_counter()
                    reply = client.post("/compute/v1/images", content=body)
                    answers.append((time.perf_counter() - started) * 1000)
                    prober.running.clear()
                    if reply.status_code != 400:
                        raise RuntimeError(f"{name}: {reply.status_code} {reply.text[:200]}")
                gets = prober.samples or [0.0]
                answer = min(answers)
                if name == "invalid label keys":
                    worst_answer = answer
                worst_get = max(worst_get, max(gets))
                rows.append(
                    [
                        name,
                        f"{len(body) / 1024:,.0f} KiB",
                        ms(answer),
                        f"{len(reply.content):,} B",
                        f"{len(prober.samples)}",
                        ms(statistics.median(gets)),
                        ms(max(gets)),
                    ]
                )
        finally:
            prober.close()
    if fake.images() != before:
        raise RuntimeError("a refused body changed the fake's state")
    section.add(
        f"Each body {tries} times (the least answer time shown); GETs of one image from "
        "another client while each body was in flight.",
        "",
    )
    head = ["body", "size", "answer", "reply", "GETs", "GET median", "GET max"]
    section.table(head, rows)
    section.checks.append(Check(TARGET, ms(worst_answer), "< 1 s", worst_answer < 1000))
    section.checks.append(Check(GET_TARGET, ms(worst_get), "< 100 ms", worst_get < 100))
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tries of each body")
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    print_report("bench_hostile", args.quick, [measure(args.quick)])


if __name__ == "__main__":
    main()
