"""Speed and memory of the fake in-process: calls through its httpx transport, a fresh
fake (what each test pays), and scale.

Run ``python benchmarks/bench_fake.py [--quick]``; it prints Markdown for the README.
Numbers are for reading, never for asserting: they depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
from _common import (
    FOLDER,
    TOKEN,
    Check,
    Section,
    checked,
    paired_per_call_us,
    print_report,
    ratio,
)

from pytest_yc_images import FakeImageService
from pytest_yc_images._core.journal import DEFAULT_LIMIT
from pytest_yc_images._core.model import Image

FAMILIES = 10


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


def bare_client(body: bytes) -> httpx.Client:
    """An ``httpx.Client`` on ``httpx.MockTransport`` answering ``body`` to everything."""
    return httpx.Client(
        base_url="https://compute.api.cloud.yandex.net",
        headers={"Authorization": f"Bearer {TOKEN}"},
        transport=httpx.MockTransport(
            lambda request: httpx.Response(
                200, content=body, headers={"content-type": "application/json"}
            )
        ),
    )


# --- 1. in-process transport -----------------------------------------------------------
def in_process_rows(quick: bool) -> list[tuple[str, int, float, float]]:
    """(call, body bytes, µs ours, µs bare MockTransport) for GET image and a 100-item List."""
    fake = FakeImageService(seed="bench")
    image_id = fill(fake, 120)[0]
    ours = fake.client(token=TOKEN)
    cases: dict[str, tuple[str, dict[str, str | int]]] = {
        "GET image": ("/compute/v1/images/" + image_id, {}),
        "List, pageSize=100": ("/compute/v1/images", {"folderId": FOLDER, "pageSize": 100}),
    }
    # Many short batches: the least of them is a stretch the machine left alone.
    calls, repeats = (100, 30) if quick else (100, 100)
    rows = []
    for label, (path, params) in cases.items():
        body = checked(ours.get(path, params=params)).content
        bare = bare_client(body)

        def call_ours(path: str = path, params: dict[str, str | int] = params) -> None:
            ours.get(path, params=params)
            fake.journal.clear()  # keep the journal from growing across thousands of calls

        def call_bare(
            path: str = path, params: dict[str, str | int] = params, bare: httpx.Client = bare
        ) -> None:
            bare.get(path, params=params)
            fake.journal.clear()  # the same bookkeeping on both sides

        gc.collect()
        us_ours, us_bare = paired_per_call_us(
            call_ours, call_bare, calls=calls, repeats=repeats, warmup=200
        )
        rows.append((label, len(body), us_ours, us_bare))
        bare.close()
    ours.close()
    return rows


def measure_in_process(quick: bool) -> Section:
    section = Section("In-process transport (`fake.client()`), µs per call")
    rows = in_process_rows(quick)
    section.table(
        ["call", "ours", "bare `httpx.MockTransport`", "ours/bare"],
        [
            [f"{label} ({size:,} B body)", f"{ours:,.0f}", f"{bare:,.0f}", ratio(ours / bare)]
            for label, size, ours, bare in rows
        ],
    )
    _, _, ours, bare = rows[0]
    section.checks.append(
        Check(
            "in-process GET image vs bare MockTransport",
            f"{ratio(ours / bare)} ({ours:,.0f} vs {bare:,.0f} µs)",
            "≤ 1.5x",
            ours / bare <= 1.5,
        )
    )
    return section


# --- 2. scale --------------------------------------------------------------------------
# Every order List offers (the fake's columns, both directions; "" is the default, id asc).
ORDERS = ("", "id desc", "name", "name desc", "createdAt", "createdAt desc")


def _order_label(order: str) -> str:
    return order or "default (id asc)"


class ScalePoint:
    """A fake holding ``count`` images in one folder, and the calls to time on it."""

    def __init__(self, count: int) -> None:
        self.count = count
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
        service = fake.service
        caller = service.access.authenticate(TOKEN)
        latest: dict[str, str] = {"folderId": FOLDER, "family": f"fam-{(count - 1) % FAMILIES}"}
        got = checked(client.get("/compute/v1/images:latestByFamily", params=latest)).json()
        if got["id"] != ids[-1]:
            raise RuntimeError(f"GetLatestByFamily gave {got['id']}, not the newest {ids[-1]}")
        # Three names spread over the folder: an IN filter answered from the name index.
        chosen = [f"img-{i:06d}" for i in (0, count // 2, count - 1)]
        wanted = "name IN (" + ", ".join(f'"{n}"' for n in chosen) + ")"
        self.cases: dict[str, Callable[[], Any]] = {}
        for order in ORDERS:
            # The token of the page that ends in the middle: walk there page by page.
            token, step = "", 1000 if count >= 20_000 else 500
            for _ in range(count // 2 // step):
                _, token = service.list_images(
                    caller, folder_id=FOLDER, page_size=step, page_token=token, order_by=order
                )
            first: dict[str, str | int] = {"folderId": FOLDER, "pageSize": 100, "orderBy": order}
            deep = {**first, "pageToken": token}
            checked(client.get("/compute/v1/images", params=deep))
            label = _order_label(order)
            self.cases[f"List, first page, {label}"] = partial(
                client.get, "/compute/v1/images", params=first
            )
            self.cases[f"List, middle page, {label}"] = partial(
                client.get, "/compute/v1/images", params=deep
            )
        in_filter = {"folderId": FOLDER, "filter": wanted, "orderBy": "createdAt desc"}
        if len(checked(client.get("/compute/v1/images", params=in_filter)).json()["images"]) != 3:
            raise RuntimeError(f"{wanted} did not find its three images")
        self.cases["List, `name IN` 3 names, createdAt desc"] = partial(
            client.get, "/compute/v1/images", params=in_filter
        )
        self.cases["GetLatestByFamily"] = partial(
            client.get, "/compute/v1/images:latestByFamily", params=latest
        )
        self.cases["core list_images, middle page, createdAt desc"] = partial(
            service.list_images, caller, folder_id=FOLDER, page_size=100,
            page_token=token, order_by="createdAt desc",
        )  # fmt: skip
        self.cases["core get_latest_by_family"] = partial(
            service.get_latest_by_family, caller, folder_id=FOLDER, family=latest["family"]
        )

    def once(self, label: str, calls: int) -> float:
        """Mean µs of ``calls`` calls of one case (the journal emptied after each)."""
        call, journal = self.cases[label], self.fake.journal
        start = time.perf_counter()
        for _ in range(calls):
            call()
            journal.clear()
        return (time.perf_counter() - start) / calls * 1e6


def scale_sizes(quick: bool) -> tuple[int, ...]:
    return (1_000, 3_000, 10_000) if quick else (1_000, 10_000, 100_000)


def scale(sizes: tuple[int, ...], quick: bool) -> tuple[list[ScalePoint], dict[str, list[float]]]:
    """Median µs per call at each size; the repeats alternate sizes so drift hits all alike."""
    points = [ScalePoint(size) for size in sizes]
    budget, repeats = (0.03, 5) if quick else (0.1, 9)  # seconds per sample, samples
    results = {}
    for label in points[0].cases:
        # Warm up, and size each sample to the budget (at most 200 calls, at least 3).
        calls = [max(3, min(200, int(budget * 1e6 / p.once(label, 10)))) for p in points]
        samples: list[list[float]] = [[] for _ in points]
        for _ in range(repeats):
            for point, n, sample in zip(points, calls, samples, strict=True):
                sample.append(point.once(label, n))
        results[label] = [statistics.median(sample) for sample in samples]
    return points, results


def journal_bytes_per_list(calls: int = 50) -> float:
    """What the journal keeps per List call of a 100-image page (up to its limit)."""
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


def journal_lists_kept(calls: int = 2 * DEFAULT_LIMIT) -> int:
    """How many such List calls the journal holds at most (its entry and byte limits)."""
    fake = FakeImageService(seed="bench", standard=False)
    fill(fake, 150)
    with fake.client(token=TOKEN) as client:
        for _ in range(calls):
            client.get("/compute/v1/images", params={"folderId": FOLDER, "pageSize": 100})
    return len(fake.journal.entries)


def measure_scale(quick: bool) -> Section:
    sizes = scale_sizes(quick)
    small, large = sizes[0], sizes[-1]
    section = Section(
        f"Scale: one folder of {', '.join(f'{s:,}' for s in sizes)} images, µs per call"
    )
    points, results = scale(sizes, quick)
    rows = [
        [label, *(f"{v:,.1f}" for v in values), f"{values[-1] / values[0]:.2f}"]
        for label, values in results.items()
    ]
    rows.append(
        [
            "memory per stored image (tracemalloc)",
            *(f"{p.bytes_per_image:,.0f} B" for p in points),
            f"{points[-1].bytes_per_image / points[0].bytes_per_image:.2f}",
        ]
    )
    rows.append(
        [
            "core `put_image` fill time (under tracemalloc)",
            *(f"{p.fill_s:.2f} s" for p in points),
            f"{points[-1].fill_s / points[0].fill_s:.0f}",
        ]
    )
    section.table(["call", *(f"{s:,}" for s in sizes), f"{large:,}/{small:,}"], rows)
    for point in points:
        point.client.close()
    journal, kept = journal_bytes_per_list(), journal_lists_kept()
    # getattr: ab.py runs this file against older checkouts, whose journal had no budget.
    budget = getattr(FakeImageService(standard=False).journal, "max_bytes", None)
    limits = f"{DEFAULT_LIMIT:,} calls" + (
        f", {budget / 2**20:,.0f} MiB as it weighs them" if budget else ""
    )
    section.add(
        f"Journal growth per List call (100 images): {journal:,.0f} B; within its limits "
        f"({limits}) "
        f"it keeps {kept:,} such calls, so a server answering only such Lists holds up to "
        f"~{journal * kept / 2**20:,.0f} MiB of journal.",
        "",
    )
    sizes_note = f"{large:,} vs {small:,}"
    pages = {
        label: values[-1] / values[0]
        for label, values in results.items()
        if label.startswith("List, ") and "IN" not in label
    }
    worst = max(pages, key=pages.__getitem__)
    section.checks.append(
        Check(
            f"List page in every order (first and middle page), {sizes_note} images",
            f"{pages[worst]:.2f}x (the worst: {worst.removeprefix('List, ')})",
            "≤ 1.5x",
            pages[worst] <= 1.5,
        )
    )
    in_filter = results["List, `name IN` 3 names, createdAt desc"]
    section.checks.append(
        Check(
            f"List with `name IN (3 names)`, {sizes_note} images",
            f"{in_filter[-1] / in_filter[0]:.2f}x",
            "≤ 1.5x",
            in_filter[-1] / in_filter[0] <= 1.5,
        )
    )
    latest = results["GetLatestByFamily"]
    section.checks.append(
        Check(
            f"GetLatestByFamily, {sizes_note} images",
            f"{latest[-1] / latest[0]:.2f}x",
            "≤ 1.5x",
            latest[-1] / latest[0] <= 1.5,
        )
    )
    memory = points[-1].bytes_per_image
    section.checks.append(
        Check(
            f"memory per stored image at {large:,}", f"{memory:,.0f} B", "≤ 2,048 B", memory <= 2048
        )
    )
    return section


# --- 3. a fresh fake --------------------------------------------------------------------
def _least_us(make: Callable[[], object], number: int, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        for _ in range(number):
            make()
        best = min(best, (time.perf_counter() - began) / number)
    return best * 1e6


def _bytes_per_fake(count: int = 200, **options: Any) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [FakeImageService(**options) for _ in range(count)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return (after - before) / count


def measure_fresh_fake(quick: bool) -> Section:
    """What every test pays for its fake: the public catalogue is shared, not copied."""
    section = Section("A fresh fake: construction, snapshot and memory")
    number = 300 if quick else 2000
    FakeImageService()  # the catalogue is read once per process: not in the timings
    catalogue = len(FakeImageService().images("standard-images"))
    bare = _least_us(lambda: FakeImageService(standard=False), number)
    full = _least_us(FakeImageService, number)
    fresh = FakeImageService()
    snapshot = _least_us(fresh.snapshot, max(number // 10, 20))
    memory, memory_bare = _bytes_per_fake(), _bytes_per_fake(standard=False)
    section.table(
        ["", f"with the catalogue ({catalogue} images)", "without (`standard=False`)"],
        [
            ["`FakeImageService()`, µs", f"{full:,.1f}", f"{bare:,.1f}"],
            ["memory per fake, B", f"{memory:,.0f}", f"{memory_bare:,.0f}"],
            ["`fake.snapshot()` of a fresh fake, µs", f"{snapshot:,.1f}", ""],
        ],
    )
    section.checks.append(
        Check(
            "a fresh fake with the catalogue vs without",
            f"{ratio(full / bare)} ({full:,.1f} vs {bare:,.1f} µs)",
            "≤ 1.5x",
            full / bare <= 1.5,
        )
    )
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, at most 10,000 images")
    quick = parser.parse_args().quick
    began = time.perf_counter()
    sections = [measure_in_process(quick), measure_fresh_fake(quick), measure_scale(quick)]
    print_report("bench_fake", quick, sections)
    print(f"\nTotal run time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
