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
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

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
    free_port,
    hammer,
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
    size: int = 0
    httpx_rate: float = 0.0
    wrk: dict[int, WrkResult] = field(default_factory=dict)


def measure_call(server: str, call: Call, *, seconds: int, quick: bool) -> Row:
    with httpx.Client(base_url=call.url, headers=call.headers, timeout=30) as client:
        size = len(checked(client.request(call.method, call.path, content=call.content())).content)
    row = Row(server, call, size)
    row.httpx_rate = hammer(
        call.url,
        call.path,
        clients=1,
        seconds=1.0 if quick else 2.0,
        headers=call.headers,
        method=call.method,
        content=call.content(),
    )
    for connections in CONNECTIONS:
        row.wrk[connections] = run_wrk(
            call.url + call.path,
            connections=connections,
            seconds=seconds,
            headers=call.headers,
            method=call.method,
            body=call.body,
        )
    return row


@contextlib.contextmanager
def trivial_app(image_bytes: int, list_bytes: int, loop: str) -> Iterator[str]:
    """The trivial uvicorn app in a subprocess; yields its URL."""
    command = [sys.executable, str(HERE / "_trivial_app.py"), "--loop", loop]
    command += ["--image-bytes", str(image_bytes), "--list-bytes", str(list_bytes)]
    with background(command) as process:
        url = read_first_line(process, timeout=30)
        wait_until(lambda: httpx.get(url + "/image").status_code == 200, timeout=30, what=url)
        yield url


@contextlib.contextmanager
def moto_server(images: int) -> Iterator[tuple[str, str]]:
    """moto's server (no default AMIs) in a subprocess with ``images`` registered in it;
    yields its URL and the first image's ID."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    headers = {"Authorization": AWS_AUTH, "Content-Type": "application/x-www-form-urlencoded"}
    with background(command, env={"MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}):
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
        yield url, ids[0]


def our_rows(seconds: int, quick: bool) -> tuple[list[Row], int, int]:
    fake = FakeImageService(seed="bench")
    fake.journal.limit = 500  # a List entry holds its ~24 KB page, about 67 KB in all
    image_id = fill(fake, 120)[0]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with fake.serve() as server:
        calls = [
            Call("GET image", server.url, "/compute/v1/images/" + image_id, headers),
            Call(
                "List, pageSize=100",
                server.url,
                f"/compute/v1/images?folderId={FOLDER}&pageSize=100",
                headers,
            ),
        ]
        rows = [
            measure_call("ours (`fake.serve()`)", c, seconds=seconds, quick=quick) for c in calls
        ]
    return rows, rows[0].size, rows[1].size


def trivial_rows(image_bytes: int, list_bytes: int, seconds: int, quick: bool) -> list[Row]:
    rows = []
    for loop, paths in (("auto", ("/image", "/list")), ("asyncio", ("/image",))):
        name = "trivial uvicorn app" + (" (uvloop)" if loop == "auto" else ", asyncio loop")
        with trivial_app(image_bytes, list_bytes, loop) as url:
            for path, label in zip(paths, ("GET image", "List, pageSize=100"), strict=False):
                rows.append(
                    measure_call(name, Call(label, url, path, {}), seconds=seconds, quick=quick)
                )
    return rows


def moto_rows(seconds: int, quick: bool) -> list[Row]:
    headers = {"Authorization": AWS_AUTH, "Content-Type": "application/x-www-form-urlencoded"}
    with moto_server(images=100) as (url, image_id):
        describe = EC2.format(action="DescribeImages")
        calls = [
            Call(
                "DescribeImages ImageId.1=<one>",
                url,
                "/",
                headers,
                "POST",
                describe + f"&ImageId.1={image_id}",
            ),
            Call(
                "DescribeImages Owner.1=self (100)",
                url,
                "/",
                headers,
                "POST",
                describe + "&Owner.1=self",
            ),
        ]
        return [measure_call("moto server", c, seconds=seconds, quick=quick) for c in calls]


def measure(quick: bool) -> Section:
    seconds = 1 if quick else 3
    section = Section("Loopback servers, requests/s (keep-alive)")
    ours, image_bytes, list_bytes = our_rows(seconds, quick)
    rows = [*ours, *trivial_rows(image_bytes, list_bytes, seconds, quick)]
    have_moto = importlib.util.find_spec("moto") is not None
    if have_moto:
        rows += moto_rows(seconds, quick)
    section.table(
        ["server", "call", "body B", "1 httpx.Client", *(f"wrk -t1 -c{c}" for c in CONNECTIONS)],
        [
            [
                r.server,
                r.call.label,
                f"{r.size:,}",
                f"{r.httpx_rate:,.0f}",
                *(r.wrk[c].cell() for c in CONNECTIONS),
            ]
            for r in rows
        ],
        right=2,
    )
    section.add(
        f"Each wrk run lasts {seconds} s, each httpx run {1 if quick else 2} s; the httpx "
        "client runs in this script's process, which for ours is also the server's "
        "(as in a test run). Our fake's journal is limited to 500 entries here. The trivial "
        "app answers fixed bodies of our sizes; moto's server runs without default AMIs, "
        "with 100 images registered, and is sent an unsigned AWS4 Authorization header "
        "(it reads the service from it and does not check the signature).",
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
