"""Speed and memory of the fake: in-process calls, the loopback server, and scale.

Run ``python benchmarks/bench_fake.py [--quick]``; it prints Markdown for the README.
Numbers are for reading, never for asserting: they depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import itertools
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx

from pytest_yc_images import FakeImageService
from pytest_yc_images._core.model import Image

FOLDER = "b1gbenchfolder0000000"
TOKEN = "bench-token"
FAMILIES = 10


def per_call_us(call: Callable[[], Any], *, calls: int, repeats: int, warmup: int) -> float:
    """Median over ``repeats`` of the mean cost of ``calls`` calls, in microseconds."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples)


def fill(fake: FakeImageService, count: int) -> list[str]:
    """``count`` READY images in FOLDER, in ``FAMILIES`` families; their IDs in creation order."""
    return [
        fake.put_image(
            folderId=FOLDER, name=f"img-{i:06d}", family=f"fam-{i % FAMILIES}", status="READY"
        )["id"]
        for i in range(count)
    ]


def fill_core(fake: FakeImageService, count: int) -> list[str]:
    """As :func:`fill`, straight into the core (no JSON on the way): 100,000 in seconds."""
    service = fake.service
    ids = []
    for i in range(count):
        image = Image(
            id=service.ids.new("fd8"),
            folder_id=FOLDER,
            created_at=service.stamp(),
            name=f"img-{i:06d}",
            family=f"fam-{i % FAMILIES}",
            storage_size=2 * 1024**3,
            min_disk_size=2 * 1024**3,
            os_type="LINUX",
        )
        ids.append(service.put_image(image).id)
    return ids


def checked(response: httpx.Response) -> httpx.Response:
    if response.status_code != 200:
        raise SystemExit(f"unexpected {response.status_code}: {response.text[:300]}")
    return response


# --- 1. in-process transport -----------------------------------------------------------
def in_process(quick: bool) -> list[tuple[str, float, float]]:
    fake = FakeImageService(seed="bench")
    image_id = fill(fake, 120)[0]
    ours = fake.client(token=TOKEN)
    cases: dict[str, tuple[str, dict[str, str | int]]] = {
        "GET image": ("/compute/v1/images/" + image_id, {}),
        "List, pageSize=100": ("/compute/v1/images", {"folderId": FOLDER, "pageSize": 100}),
    }
    calls, repeats = (200, 5) if quick else (1000, 7)
    rows = []
    for label, (path, params) in cases.items():
        body = checked(ours.get(path, params=params)).content
        bare = httpx.Client(
            base_url="https://compute.api.cloud.yandex.net",
            headers={"Authorization": f"Bearer {TOKEN}"},
            transport=httpx.MockTransport(
                lambda request, body=body: httpx.Response(
                    200, content=body, headers={"content-type": "application/json"}
                )
            ),
        )

        def call_ours(path: str = path, params: dict[str, str | int] = params) -> None:
            ours.get(path, params=params)
            fake.journal.clear()  # keep the journal from growing across thousands of calls

        def call_bare(
            path: str = path, params: dict[str, str | int] = params, bare: httpx.Client = bare
        ) -> None:
            bare.get(path, params=params)
            fake.journal.clear()  # the same bookkeeping on both sides

        gc.collect()
        us_ours = per_call_us(call_ours, calls=calls, repeats=repeats, warmup=calls // 5)
        us_bare = per_call_us(call_bare, calls=calls, repeats=repeats, warmup=calls // 5)
        rows.append((f"{label} ({len(body):,} B body)", us_ours, us_bare))
        bare.close()
    ours.close()
    return rows


# --- 2. loopback server ----------------------------------------------------------------
def hammer(url: str, path: str, clients: int, seconds: float) -> float:
    """Requests/s of ``clients`` threads, each with one keep-alive client, for ``seconds``."""
    counts = [0] * clients
    start_line = threading.Barrier(clients + 1)
    stop = threading.Event()

    def worker(slot: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            checked(client.get(path))  # connect before the clock starts
            start_line.wait()
            done = 0
            while not stop.is_set():
                client.get(path)
                done += 1
            counts[slot] = done

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(30)
    return sum(counts) / (time.perf_counter() - began)


def run_wrk(url: str, seconds: int) -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "wrk not found on PATH: skipped"
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "auth.lua")
        with open(script, "w") as handle:
            handle.write(f'wrk.headers["Authorization"] = "Bearer {TOKEN}"\n')
        command = [wrk, "-t1", "-c8", f"-d{seconds}s", "-s", script, url]
        try:
            out = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds + 30, check=False
            ).stdout
        except subprocess.TimeoutExpired:
            return "wrk timed out"
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if match is None:
        return "wrk gave no result: " + out.strip()[-200:]
    note = f" ({errors.group(1)} non-2xx)" if errors else ""
    return f"{float(match.group(1)):,.0f} req/s{note}"


def loopback(quick: bool) -> tuple[list[tuple[int, float]], str]:
    fake = FakeImageService(seed="bench")
    image_id = fill(fake, 10)[0]
    path = "/compute/v1/images/" + image_id
    seconds = 1.0 if quick else 2.0
    server = fake.serve()
    try:
        rows = []
        for clients in (1, 8):
            rows.append((clients, hammer(server.url, path, clients, seconds)))
            fake.journal.clear()
        wrk = run_wrk(server.url + path, 1 if quick else 2)
    finally:
        server.stop()
    return rows, wrk


# --- 3. scale --------------------------------------------------------------------------
class ScalePoint:
    """A fake holding ``count`` images in one folder, and the calls to time on it."""

    def __init__(self, count: int) -> None:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        self.fake = fake = FakeImageService(seed="bench", standard=False)
        started = time.perf_counter()
        ids = fill_core(fake, count)
        self.fill_s = time.perf_counter() - started
        gc.collect()
        self.bytes_per_image = (tracemalloc.get_traced_memory()[0] - before) / count
        tracemalloc.stop()

        self.client = client = fake.client(token=TOKEN)
        # The token of the page that ends in the middle: walk there page by page.
        step = 100 if count < 20_000 else 1000
        middle_token, seen = "", 0
        while seen < count // 2:
            page = checked(
                client.get(
                    "/compute/v1/images",
                    params={"folderId": FOLDER, "pageSize": step, "pageToken": middle_token},
                )
            ).json()
            seen += len(page["images"])
            middle_token = page["nextPageToken"]
        first: dict[str, str | int] = {"folderId": FOLDER, "pageSize": 100}
        middle: dict[str, str | int] = {**first, "pageToken": middle_token}
        latest: dict[str, str] = {"folderId": FOLDER, "family": f"fam-{(count - 1) % FAMILIES}"}
        got = checked(client.get("/compute/v1/images:latestByFamily", params=latest)).json()
        if got["id"] != ids[-1]:
            raise SystemExit(f"GetLatestByFamily gave {got['id']}, not the newest {ids[-1]}")

        service = fake.service
        caller = service.authenticate(TOKEN)
        after = service.tokens.read(f"images\x00{FOLDER}\x00", middle_token)
        self.cases: dict[str, Callable[[], Any]] = {
            "List, first page": lambda: client.get("/compute/v1/images", params=first),
            "List, middle page": lambda: client.get("/compute/v1/images", params=middle),
            "GetLatestByFamily": lambda: client.get(
                "/compute/v1/images:latestByFamily", params=latest
            ),
            "core list_images, middle page": lambda: service.list_images(
                caller, folder_id=FOLDER, page_size=100, page_token=middle_token
            ),
            "core get_latest_by_family": lambda: service.get_latest_by_family(
                caller, folder_id=FOLDER, family=latest["family"]
            ),
            "core images_after, 100 items": lambda: list(
                itertools.islice(service.store.images_after(FOLDER, after), 100)
            ),
        }

    def once(self, label: str, calls: int) -> float:
        """Mean µs of ``calls`` calls of one case (the journal emptied after each)."""
        call, journal = self.cases[label], self.fake.journal
        start = time.perf_counter()
        for _ in range(calls):
            call()
            journal.clear()
        return (time.perf_counter() - start) / calls * 1e6


def scale(
    small: int, large: int, quick: bool
) -> tuple[ScalePoint, ScalePoint, dict[str, tuple[float, float]]]:
    """Median µs per call at both sizes; the repeats alternate sizes so drift hits both."""
    a, b = ScalePoint(small), ScalePoint(large)
    budget, repeats = (0.03, 5) if quick else (0.1, 9)  # seconds per sample, samples
    results = {}
    for label in a.cases:
        # Warm up, and size each sample to the budget (at most 200 calls, at least 3).
        sizes = [max(3, min(200, int(budget * 1e6 / p.once(label, 10)))) for p in (a, b)]
        samples: tuple[list[float], list[float]] = ([], [])
        for _ in range(repeats):
            samples[0].append(a.once(label, sizes[0]))
            samples[1].append(b.once(label, sizes[1]))
        results[label] = (statistics.median(samples[0]), statistics.median(samples[1]))
    return a, b, results


def journal_bytes_per_list(calls: int = 50) -> float:
    """What the journal keeps per List call of a 100-image page (it is never trimmed)."""
    fake = FakeImageService(seed="bench", standard=False)
    fill(fake, 150)
    client = fake.client(token=TOKEN)
    params: dict[str, str | int] = {"folderId": FOLDER, "pageSize": 100}
    client.get("/compute/v1/images", params=params)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(calls):
        client.get("/compute/v1/images", params=params)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    client.close()
    return grown / calls


# --- report ----------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, 10,000 images")
    quick = parser.parse_args().quick
    small, large = 1_000, (10_000 if quick else 100_000)
    began = time.perf_counter()

    print(f"# bench_fake{' --quick' if quick else ''}\n")
    print(f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"- python: {platform.python_implementation()} {platform.python_version()}")
    if hasattr(os, "getloadavg"):
        print(f"- load average at start: {os.getloadavg()[0]:.1f} (busy machines inflate µs)")
    print(f"- httpx {httpx.__version__}\n")

    print("## In-process transport (`fake.client()`), µs per call\n")
    print("| call | ours | bare `httpx.MockTransport` | ours/bare |")
    print("|---|---:|---:|---:|")
    for label, ours, bare in in_process(quick):
        print(f"| {label} | {ours:,.0f} | {bare:,.0f} | {ours / bare:.1f}x |")

    print("\n## Loopback server (`fake.serve()`), GET image, keep-alive\n")
    print("| clients | requests/s |")
    print("|---|---:|")
    rows, wrk = loopback(quick)
    for clients, rate in rows:
        print(f"| {clients} httpx.Client thread{'s' if clients > 1 else ''} | {rate:,.0f} |")
    print(f"| wrk -t1 -c8 | {wrk} |")

    print(f"\n## Scale: one folder of {small:,} vs {large:,} images, µs per call\n")
    a, b, results = scale(small, large, quick)
    print(f"| call | {small:,} | {large:,} | ratio |")
    print("|---|---:|---:|---:|")
    for label, (at_small, at_large) in results.items():
        print(f"| {label} | {at_small:,.1f} | {at_large:,.1f} | {at_large / at_small:.2f} |")
    print(
        f"| memory per stored image (tracemalloc) | {a.bytes_per_image:,.0f} B "
        f"| {b.bytes_per_image:,.0f} B | {b.bytes_per_image / a.bytes_per_image:.2f} |"
    )
    print(
        f"| core `put_image` fill time (under tracemalloc) | {a.fill_s:.2f} s | {b.fill_s:.2f} s "
        f"| {b.fill_s / a.fill_s:.0f} |"
    )
    a.client.close()
    b.client.close()
    print(f"\nJournal growth per List call (100 images): {journal_bytes_per_list():,.0f} B")
    print(f"\nTotal run time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
