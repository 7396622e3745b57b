"""Our loopback server beside a trivial uvicorn JSON app and moto's server, in one run.

    python benchmarks/bench_servers.py [--quick]

For each server, GET image and a 100-item List: requests/s of one keep-alive
``httpx.Client`` and of ``wrk -t1`` with 8 and 32 connections, for a bounded time.
Everything binds 127.0.0.1; the subprocesses are stopped at the end, even on error.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from _common import (
    FOLDER,
    HERE,
    TOKEN,
    Check,
    Section,
    WrkResult,
    background,
    checked,
    cpu_split,
    free_port,
    hammer,
    pinned,
    print_report,
    ratio,
    read_first_line,
    run_wrk,
    wait_until,
)
from bench_fake import fill

from pytest_yc_images import FakeImageService

CONNECTIONS = (8, 32)
# moto takes the service from the credential scope; it does not check the signature.
AWS_AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, Signature=0"
)
EC2 = "Action={action}&Version=2016-11-15"


@dataclass(frozen=True)
class Call:
    """One request to time: where, how, and what comes back."""

    label: str
    url: str  # base URL
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: str | None = None

    def content(self) -> bytes | None:
        return None if self.body is None else self.body.encode()


@dataclass
class Row:
    server: str
    call: Call
    pid: int | None  # the server's process; None: this one (ours runs in a thread here)
    size: int = 0
    httpx_rate: float = 0.0
    wrk: dict[int, WrkResult] = field(default_factory=dict)
    cpu_us: float | None = None  # the server's CPU time per request under wrk -c8

    def add_round(self, *, seconds: int, quick: bool, cpus: set[int] | None) -> None:
        """One more measurement of every cell; each keeps its best (noise only ever slows
        a run down, so the best is the closest to the server's own speed)."""
        call = self.call
        if not self.size:
            with httpx.Client(base_url=call.url, headers=call.headers, timeout=30) as client:
                reply = client.request(call.method, call.path, content=call.content())
                self.size = len(checked(reply).content)
        rate = hammer(
            call.url,
            call.path,
            clients=1,
            seconds=1.0 if quick else 2.0,
            headers=call.headers,
            method=call.method,
            content=call.content(),
            cpus=cpus,
        )
        self.httpx_rate = max(self.httpx_rate, rate)
        for connections in CONNECTIONS:
            before = cpu_seconds(self.pid)
            result = run_wrk(
                call.url + call.path,
                connections=connections,
                seconds=seconds,
                headers=call.headers,
                method=call.method,
                body=call.body,
                cpus=cpus,
            )
            after = cpu_seconds(self.pid)
            best = self.wrk.get(connections)
            if best is None or best.rate is None or (result.rate or 0) > best.rate:
                self.wrk[connections] = result
            if connections == 8 and result.rate and before is not None and after is not None:
                per_request = (after - before) / (result.rate * seconds) * 1e6
                self.cpu_us = min(self.cpu_us or per_request, per_request)


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of process ``pid`` (None: this one, all its threads);
    None where the system does not say (another process's, off Linux)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def trivial_app(image_bytes: int, list_bytes: int, loop: str) -> Iterator[tuple[str, int]]:
    """The trivial uvicorn app in a subprocess; yields its URL and process ID."""
    command = [sys.executable, str(HERE / "_trivial_app.py"), "--loop", loop]
    command += ["--image-bytes", str(image_bytes), "--list-bytes", str(list_bytes)]
    with background(command) as process:
        url = read_first_line(process, timeout=30)
        wait_until(lambda: httpx.get(url + "/image").status_code == 200, timeout=30, what=url)
        yield url, process.pid


@contextlib.contextmanager
def moto_server(images: int) -> Iterator[tuple[str, str, int]]:
    """moto's server (no default AMIs) in a subprocess with ``images`` registered in it;
    yields its URL, the first image's ID and its process ID."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    headers = {"Authorization": AWS_AUTH, "Content-Type": "application/x-www-form-urlencoded"}
    with background(command, env={"MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}) as process:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            describe = EC2.format(action="DescribeImages") + "&Owner.1=self"
            wait_until(
                lambda: client.post("/", content=describe).status_code == 200,
                timeout=60,
                what="moto_server",
            )
            ids = []
            for i in range(images):
                register = EC2.format(action="RegisterImage")
                register += f"&Name=img-{i:06d}&RootDeviceName=%2Fdev%2Fsda1"
                reply = checked(client.post("/", content=register)).text
                match = re.search(r"<imageId>(ami-[0-9a-f]+)</imageId>", reply)
                if match is None:
                    raise RuntimeError(f"moto RegisterImage gave no image ID: {reply[:300]}")
                ids.append(match.group(1))
        yield url, ids[0], process.pid


def our_rows(stack: contextlib.ExitStack) -> list[Row]:
    fake = FakeImageService(seed="bench")
    fake.journal.limit = 500  # a List entry holds its ~24 KB page, about 67 KB in all
    image_id = fill(fake, 120)[0]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    server = stack.enter_context(fake.serve())
    name = "ours (`fake.serve()`)"
    return [
        Row(name, Call("GET image", server.url, "/compute/v1/images/" + image_id, headers), None),
        Row(
            name,
            Call(
                "List, pageSize=100",
                server.url,
                f"/compute/v1/images?folderId={FOLDER}&pageSize=100",
                headers,
            ),
            None,
        ),
    ]


def trivial_rows(stack: contextlib.ExitStack, image_bytes: int, list_bytes: int) -> list[Row]:
    rows = []
    for loop, paths in (("auto", ("/image", "/list")), ("asyncio", ("/image",))):
        name = "trivial uvicorn app" + (" (uvloop)" if loop == "auto" else ", asyncio loop")
        url, pid = stack.enter_context(trivial_app(image_bytes, list_bytes, loop))
        for path, label in zip(paths, ("GET image", "List, pageSize=100"), strict=False):
            rows.append(Row(name, Call(label, url, path, {}), pid))
    return rows


def moto_rows(stack: contextlib.ExitStack) -> list[Row]:
    headers = {"Authorization": AWS_AUTH, "Content-Type": "application/x-www-form-urlencoded"}
    url, image_id, pid = stack.enter_context(moto_server(images=100))
    describe = EC2.format(action="DescribeImages")
    one = Call(
        "DescribeImages ImageId.1=<one>",
        url,
        "/",
        headers,
        "POST",
        describe + f"&ImageId.1={image_id}",
    )
    many = Call(
        "DescribeImages Owner.1=self (100)", url, "/", headers, "POST", describe + "&Owner.1=self"
    )
    return [Row("moto server", one, pid), Row("moto server", many, pid)]


def measure(quick: bool) -> Section:
    seconds, rounds = (1, 2) if quick else (2, 3)
    section = Section("Loopback servers, requests/s (keep-alive)")
    have_moto = importlib.util.find_spec("moto") is not None
    split = cpu_split()
    servers_cpus, clients_cpus = split or (None, None)
    # Servers (ours in its thread, the others in processes started from here) on one CPU,
    # wrk and the httpx clients on the others: they no longer take turns on a CPU at the
    # scheduler's whim, which made rates swing by a third between runs.
    with pinned(servers_cpus), contextlib.ExitStack() as stack:
        ours = our_rows(stack)
        for row in ours:  # the sizes the trivial app answers with
            row.add_round(seconds=seconds, quick=quick, cpus=clients_cpus)
        rows = [*ours, *trivial_rows(stack, ours[0].size, ours[1].size)]
        if have_moto:
            rows += moto_rows(stack)
        for round_ in range(rounds):
            for row in rows:
                if round_ or row not in ours:  # ours had its first round above
                    row.add_round(seconds=seconds, quick=quick, cpus=clients_cpus)
    section.table(
        [
            "server",
            "call",
            "body B",
            "1 httpx.Client",
            *(f"wrk -t1 -c{c}" for c in CONNECTIONS),
            "server CPU µs/request (wrk -c8)",
        ],
        [
            [
                r.server,
                r.call.label,
                f"{r.size:,}",
                f"{r.httpx_rate:,.0f}",
                *(r.wrk[c].cell() for c in CONNECTIONS),
                "" if r.cpu_us is None else f"{r.cpu_us:,.1f}",
            ]
            for r in rows
        ],
        right=2,
    )
    pinning = (
        f"Servers run on CPU {sorted(servers_cpus)}, wrk and the httpx clients on CPU "
        f"{sorted(clients_cpus)}."
        if servers_cpus and clients_cpus
        else "CPUs are not pinned (fewer than 2, or not Linux)."
    )
    section.add(
        f"All servers run at once and are measured in {rounds} interleaved rounds (so a "
        "busy moment of the machine falls on all of them alike); each cell is the best "
        f"round. {pinning} Each wrk run lasts {seconds} s, each httpx run "
        f"{1 if quick else 2} s; the httpx client runs in this script's process, which for "
        "ours is also the server's (as in a test run). Server CPU per request: the server "
        "process's user + system time over the wrk -c8 run divided by its requests (the "
        "least of the rounds). Our fake's journal is limited to 500 entries here. The "
        "trivial app answers fixed bodies of our sizes; moto's server runs without default "
        "AMIs, with 100 images registered, and is sent an unsigned AWS4 Authorization "
        "header (it reads the service from it and does not check the signature).",
        "",
    )
    ours_c8 = ours[0].wrk[8].rate
    trivial_c8 = rows[2].wrk[8].rate
    name = "loopback GET image, wrk -c8, vs trivial uvicorn app"
    if ours_c8 is None or trivial_c8 is None:
        section.skipped(name, "≥ 50%", ours[0].wrk[8].note or rows[2].wrk[8].note)
    else:
        share = ours_c8 / trivial_c8
        section.checks.append(
            Check(
                name,
                f"{share:.0%} ({ours_c8:,.0f} vs {trivial_c8:,.0f} req/s)",
                "≥ 50%",
                share >= 0.5,
            )
        )
    name = "loopback GET image, wrk -c8, vs moto server DescribeImages"
    moto_c8 = rows[-2].wrk[8].rate if have_moto else None
    if ours_c8 is None or moto_c8 is None:
        section.skipped(name, "≥ 50x", "moto not installed" if not have_moto else "no wrk result")
    else:
        section.checks.append(
            Check(
                name,
                f"{ratio(ours_c8 / moto_c8)} ({ours_c8:,.0f} vs {moto_c8:,.0f} req/s)",
                "≥ 50x",
                ours_c8 / moto_c8 >= 50,
            )
        )
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 s per measurement instead of 3")
    print_report("bench_servers", parser.parse_args().quick, [measure(parser.parse_args().quick)])


if __name__ == "__main__":
    main()
