"""Helpers the benchmark scripts share: timing loops, wrk, subprocesses, result rows.

Not a test module and not part of the package: the scripts in this folder import it as
a sibling (``python benchmarks/<script>.py`` puts this folder on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

FOLDER = "b1gbenchfolder0000000"
TOKEN = "bench-token"
HERE = Path(__file__).resolve().parent


# --- results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One target of the issue: what was measured, against what, and whether it holds.

    ``met`` is None when the measurement was skipped (``measured`` then says why).
    """

    name: str
    measured: str
    target: str
    met: bool | None


@dataclass
class Section:
    """What one benchmark prints (Markdown lines) and the targets it checks."""

    title: str
    lines: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, head: Sequence[str], rows: Sequence[Sequence[str]], right: int = 1) -> None:
        """A Markdown table; columns from ``right`` on are right-aligned."""
        align = ["---" if i < right else "---:" for i in range(len(head))]
        self.add("| " + " | ".join(head) + " |", "|" + "|".join(align) + "|")
        self.add(*("| " + " | ".join(row) + " |" for row in rows))
        self.add("")

    def skipped(self, name: str, target: str, why: str) -> None:
        self.checks.append(Check(name, f"skipped: {why}", target, None))

    def render(self) -> str:
        return "\n".join([f"## {self.title}", "", *self.lines]).rstrip() + "\n"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "skipped"}[met]


def checks_table(checks: Sequence[Check]) -> str:
    rows = [f"| {c.name} | {c.measured} | {c.target} | {verdict(c.met)} |" for c in checks]
    return "\n".join(["| what | measured | target | result |", "|---|---:|---|---|", *rows])


def machine_lines(title: str, quick: bool) -> list[str]:
    """The heading every report starts with: when, where, how loaded."""
    lines = [
        f"# {title}{' --quick' if quick else ''}",
        "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
        f"- python: {platform.python_implementation()} {platform.python_version()}",
        f"- httpx {httpx.__version__}",
    ]
    if hasattr(os, "getloadavg"):
        lines.append(f"- load average at start: {load_average()} (busy machines inflate times)")
    return [*lines, ""]


def load_average() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def print_report(title: str, quick: bool, sections: Sequence[Section]) -> None:
    """What a script run on its own prints: heading, its sections, its targets."""
    print("\n".join(machine_lines(title, quick)))
    for section in sections:
        print(section.render())
    checks = [c for s in sections for c in s.checks]
    if checks:
        print(checks_table(checks))


# --- timing ------------------------------------------------------------------------------
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


def paired_per_call_us(
    first: Callable[[], Any], second: Callable[[], Any], *, calls: int, repeats: int, warmup: int
) -> tuple[float, float]:
    """The least mean cost of ``calls`` calls of each, in microseconds, the repeats of the
    two interleaved so that load on a shared machine falls on both alike (noise only
    ever adds time, so the least is the best estimate of each one's own cost)."""
    for _ in range(warmup):
        first()
        second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for call, out in ((first, samples[0]), (second, samples[1])):
            start = time.perf_counter()
            for _ in range(calls):
                call()
            out.append((time.perf_counter() - start) / calls * 1e6)
    return min(samples[0]), min(samples[1])


def checked(response: httpx.Response, status: int = 200) -> httpx.Response:
    if response.status_code != status:
        raise RuntimeError(f"unexpected {response.status_code}: {response.text[:300]}")
    return response


def hammer(
    url: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    content: bytes | None = None,
    cpus: set[int] | None = None,
) -> float:
    """Requests/s of ``clients`` threads, each with one keep-alive client, for ``seconds``
    (the threads on ``cpus`` where given)."""
    counts = [0] * clients
    start_line = threading.Barrier(clients + 1, timeout=30)
    stop = threading.Event()

    def worker(slot: int) -> None:
        if cpus:
            os.sched_setaffinity(0, cpus)  # Linux: 0 is this thread
        with httpx.Client(base_url=url, headers=headers or {}, timeout=30) as client:
            checked(client.request(method, path, content=content))  # connect before the clock
            start_line.wait()
            done = 0
            while not stop.is_set():
                client.request(method, path, content=content)
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


# --- CPUs --------------------------------------------------------------------------------
def cpu_split() -> tuple[set[int], set[int]] | None:
    """(server CPUs, client CPUs): the first CPU this process may use for servers, the
    others for load generators; None where that cannot be set (not Linux, one CPU)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    return {allowed[0]}, set(allowed[1:])


@contextlib.contextmanager
def pinned(cpus: set[int] | None) -> Iterator[None]:
    """This thread on ``cpus`` for the block (threads and processes it starts inherit
    that); as before afterwards."""
    if not cpus:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


# --- wrk ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class WrkResult:
    rate: float | None  # requests/s; None when wrk did not run or gave no number
    note: str = ""  # why not, or how many non-2xx / socket errors

    def cell(self) -> str:
        if self.rate is None:
            return self.note
        return f"{self.rate:,.0f}" + (f" ({self.note})" if self.note else "")


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(
    url: str,
    *,
    connections: int,
    seconds: int,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: str | None = None,
    cpus: set[int] | None = None,
) -> WrkResult:
    """``wrk -t1 -c<connections> -d<seconds>s`` with headers (and a body) set from Lua,
    on ``cpus`` where given."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return WrkResult(None, "wrk not on PATH (apt-get install wrk): skipped")
    lua = [f"wrk.method = {_lua_string(method)}"]
    lua += [f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or {}).items()]
    if body is not None:
        lua.append(f"wrk.body = {_lua_string(body)}")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp, "request.lua")
        script.write_text("\n".join(lua) + "\n")
        command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        if cpus:  # set from here: a preexec_fn is unsafe in a process with threads
            os.sched_setaffinity(process.pid, cpus)
        try:
            out, err = process.communicate(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return WrkResult(None, "wrk timed out")
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if match is None:
        return WrkResult(None, "wrk gave no result: " + (out + err).strip()[-200:])
    notes = []
    if errors := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        notes.append(f"{int(errors.group(1)):,} non-2xx")
    if socket_errors := re.search(r"Socket errors: (.*)", out):
        notes.append("socket errors: " + socket_errors.group(1).strip())
    return WrkResult(float(match.group(1)), "; ".join(notes))


# --- subprocesses ------------------------------------------------------------------------
def free_port() -> int:
    """A port free on 127.0.0.1 right now (for servers that take a port, not a socket)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[Any], timeout: float = 5.0) -> None:
    """Stop a process this script started: SIGTERM, then SIGKILL after ``timeout``."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(timeout)


@contextlib.contextmanager
def background(
    command: Sequence[str], *, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Run ``command`` for the duration of the ``with`` block; stopped even on error."""
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        yield process
    finally:
        stop_process(process)
        if process.stdout is not None:
            process.stdout.close()


def wait_until(ready: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``ready`` every 50 ms until it is true; RuntimeError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, OSError):
            if ready():
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} was not ready in {timeout:.0f} s")


def read_first_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first line the process prints (its URL), or RuntimeError after ``timeout`` s."""
    assert process.stdout is not None
    line: list[str] = []
    reader = threading.Thread(
        target=lambda: line.append(process.stdout.readline() if process.stdout else ""),
        daemon=True,
    )
    reader.start()
    reader.join(timeout)
    if not line or not line[0].strip():
        raise RuntimeError(f"{process.args!r} printed no first line in {timeout:.0f} s")
    return line[0].strip()


def script_command(name: str) -> list[str] | None:
    """How to run a console script of this environment (``yc-images-conformance``...)."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    return [found] if found else None


def ms(value: float) -> str:
    return f"{value:,.2f} ms" if value < 100 else f"{value:,.0f} ms"


def ratio(value: float) -> str:
    return f"{value:,.1f}x" if value < 100 else f"{value:,.0f}x"
