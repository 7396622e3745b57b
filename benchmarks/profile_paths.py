"""Where the time goes: cProfile of our hot paths, top costs and shares by package.

    python benchmarks/profile_paths.py [--what pytest|get|list|grpc|all] [--top 15]

- ``pytest``: a pytest run, in this process, of the per-test file of bench_pytest.py
  (fresh fake per test through ``yc_client``, six calls per test);
- ``get`` / ``list``: GET image / a 100-item List through ``fake.client()`` in-process;
- ``grpc``: the server side of SDK Create + wait (``_Face.unary`` in the server's
  threads, profiled call by call), with the gRPC extra installed.

cProfile inflates cheap, frequent calls; read the shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import os
import pstats
import statistics
import sys
import sysconfig
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _common import FOLDER, TOKEN
from _pytest_sources import OURS
from bench_fake import fill

from pytest_yc_images import FakeImageService

STDLIB = sysconfig.get_paths()["stdlib"]


def area(filename: str) -> str:
    """The package a function's file belongs to (our modules one by one)."""
    path = filename.replace(os.sep, "/")
    if "pytest_yc_images/" in path:
        return "pytest_yc_images/" + path.split("pytest_yc_images/", 1)[1]
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if path.startswith(STDLIB) or filename.startswith("<frozen"):
        return "stdlib"
    return "builtins" if filename == "~" else "other"


def where(filename: str, line: int) -> str:
    """A function's file, short: ``httpx/_urlparse.py:273``, ``stdlib/json/decoder.py:9``."""
    path = filename.replace(os.sep, "/")
    if filename == "~":
        return "builtin"
    for marker in ("site-packages/", "/work/main/"):
        if marker in path:
            return f"{path.split(marker, 1)[1]}:{line}"
    if path.startswith(STDLIB):
        return f"stdlib{path[len(STDLIB) :]}:{line}"
    return f"{path}:{line}"


def own_times(profile: cProfile.Profile) -> dict[tuple[str, int, str], tuple[float, int]]:
    """(file, line, function) -> (own seconds, calls)."""
    raw: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return {key: (entry[2], entry[1]) for key, entry in raw.items()}


def difference(
    ours: cProfile.Profile, bare: cProfile.Profile, title: str, top: int, per: int
) -> str:
    """The functions whose own time per call grew most from ``bare`` to ``ours``."""
    a, b = own_times(ours), own_times(bare)
    total_a, total_b = sum(v[0] for v in a.values()), sum(v[0] for v in b.values())
    extra = total_a - total_b
    rows = []
    for key in set(a) | set(b):
        (own_a, calls_a), (own_b, calls_b) = a.get(key, (0.0, 0)), b.get(key, (0.0, 0))
        rows.append((own_a - own_b, calls_a - calls_b, key))
    rows.sort(reverse=True)
    lines = [
        f"### {title}",
        "",
        f"profiled: ours {total_a * 1e6 / per:,.0f} µs, bare {total_b * 1e6 / per:,.0f} µs "
        f"per call; the difference, {extra * 1e6 / per:,.0f} µs, is made of:",
        "",
        "| extra own time | share of the difference | extra calls | function |",
        "|---:|---:|---:|---|",
    ]
    for grown, calls, (filename, line, name) in rows[:top]:
        lines.append(
            f"| {grown * 1e6 / per:,.1f} µs | {grown / extra:.1%} | {calls / per:+,.1f} "
            f"| `{name}` ({where(filename, line)}) |"
        )
    shares: dict[str, float] = defaultdict(float)
    for grown, _, (filename, _, _) in rows:
        shares[area(filename)] += grown
    lines += ["", "| package / our module | share of the difference |", "|---|---:|"]
    for name, grown in sorted(shares.items(), key=lambda item: item[1], reverse=True)[:top]:
        lines.append(f"| {name} | {grown / extra:.1%} |")
    return "\n".join(lines) + "\n"


def report(profile: cProfile.Profile, title: str, top: int, per: int = 1) -> str:
    """Top functions by own time and the share of each package; ``per`` divides times."""
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1e-9
    lines = [f"### {title}", "", f"total profiled: {total * 1e6 / per:,.0f} µs per unit", ""]
    lines += ["| own time | share | cumulative | calls | function |", "|---:|---:|---:|---:|---|"]
    ranked = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)
    for (filename, line, name), (_, calls, own, cumulative, _) in ranked[:top]:
        lines.append(
            f"| {own * 1e6 / per:,.1f} µs | {own / total:.1%} | {cumulative * 1e6 / per:,.1f} µs "
            f"| {calls / per:,.1f} | `{name}` ({where(filename, line)}) |"
        )
    ours = [item for item in raw.items() if "pytest_yc_images/" in item[0][0]]
    ours.sort(key=lambda item: item[1][3], reverse=True)
    lines += ["", "| our function | cumulative | share | calls |", "|---|---:|---:|---:|"]
    for (filename, line, name), (_, calls, _, cumulative, _) in ours[:top]:
        lines.append(
            f"| `{name}` ({where(filename, line)}) | {cumulative * 1e6 / per:,.1f} µs "
            f"| {cumulative / total:.1%} | {calls / per:,.1f} |"
        )
    shares: dict[str, float] = defaultdict(float)
    for (filename, _, _), entry in raw.items():
        shares[area(filename)] += entry[2]
    lines += ["", "| package / our module | share of own time |", "|---|---:|"]
    for name, own in sorted(shares.items(), key=lambda item: item[1], reverse=True)[:top]:
        lines.append(f"| {name} | {own / total:.1%} |")
    return "\n".join(lines) + "\n"


def profile_calls(call: Callable[[], Any], count: int) -> cProfile.Profile:
    for _ in range(max(10, count // 10)):
        call()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        call()
    profile.disable()
    return profile


def in_process(kind: str, count: int, top: int) -> str:
    """Our call profiled, then what it costs beyond the bare MockTransport call."""
    from bench_fake import bare_client

    fake = FakeImageService(seed="profile")
    image_id = fill(fake, 120)[0]
    client = fake.client(token=TOKEN)
    params: dict[str, str | int]
    path, params = "/compute/v1/images/" + image_id, {}
    if kind != "get":
        path, params = "/compute/v1/images", {"folderId": FOLDER, "pageSize": 100}
    bare = bare_client(client.get(path, params=params).content)

    def call() -> None:
        client.get(path, params=params)
        fake.journal.clear()

    def call_bare() -> None:
        bare.get(path, params=params)
        fake.journal.clear()

    ours, theirs = profile_calls(call, count), profile_calls(call_bare, count)
    client.close()
    bare.close()
    label = "GET image" if kind == "get" else "List, pageSize=100"
    return (
        report(ours, f"In-process {label} through `fake.client()`, per call", top, count)
        + "\n"
        + difference(
            ours, theirs, f"In-process {label}: ours beyond the bare MockTransport", top, count
        )
    )


def layers(count: int) -> str:
    """GET image peeled layer by layer, without a profiler: µs per call of each layer."""
    import httpx
    from _common import per_call_us
    from bench_fake import bare_client

    from pytest_yc_images import _contracts
    from pytest_yc_images._wire import encode_image
    from pytest_yc_images.faces.rest import HttpRequest

    fake = FakeImageService(seed="profile")
    image_id = fill(fake, 120)[0]
    client = fake.client(token=TOKEN)
    path = "/compute/v1/images/" + image_id
    bare = bare_client(client.get(path).content)
    transport = fake.transport()
    request = client.build_request("GET", path)
    http_request = HttpRequest("GET", path, "", {"authorization": f"Bearer {TOKEN}"}, b"")
    rpc, service = fake._rpc, fake.service
    caller = service.access.authenticate(TOKEN)
    message = {"imageId": image_id}
    check = _contracts.validator("GetImageRequest")
    journal = fake.journal
    steps: dict[str, Callable[[], Any]] = {
        "client.get, ours (everything)": lambda: client.get(path),
        "client.get, bare MockTransport": lambda: bare.get(path),
        "transport.handle_request(prebuilt request)": lambda: transport.handle_request(request),
        "router.handle(HttpRequest)": lambda: fake.router.handle(http_request),
        "Rpc.call('ImageService.Get')": lambda: rpc.call("ImageService.Get", message, token=TOKEN),
        "  of which: validator.iter_errors(GetImageRequest)": lambda: list(
            check.iter_errors(message)
        ),
        "  of which: service.get_image + encode_image": lambda: encode_image(
            service.get_image(caller, image_id=image_id)
        ),
        "httpx.Response(200, headers, 229 B)": lambda: httpx.Response(
            200, headers={"content-type": "application/json"}, content=b"x" * 229
        ),
    }
    app = fake.asgi_app()
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {TOKEN}".encode())],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        del message

    async def asgi_calls(n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            await app(scope, receive, send)
            journal.clear()
        return (time.perf_counter() - started) / n * 1e6

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(asgi_calls(50))
        asgi_us = statistics.median(loop.run_until_complete(asgi_calls(count)) for _ in range(5))
    finally:
        loop.close()
    lines = [
        "### In-process GET image, layer by layer (no profiler)",
        "",
        "| layer | µs per call |",
        "|---|---:|",
    ]
    for label, step in steps.items():

        def timed(step: Callable[[], Any] = step) -> None:
            step()
            journal.clear()

        lines.append(f"| {label} | {per_call_us(timed, calls=count, repeats=5, warmup=50):,.1f} |")
    lines.append(f"| the server's part: `AsgiApp(scope, receive, send)` | {asgi_us:,.1f} |")
    client.close()
    bare.close()
    return "\n".join(lines) + "\n"


class _LoopProfiler:
    """A pytest plugin that profiles the test loop only (not start-up or collection)."""

    def __init__(self) -> None:
        self.profile = cProfile.Profile()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: Any) -> Any:
        del session
        self.profile.enable()
        try:
            return (yield)
        finally:
            self.profile.disable()


def per_test(count: int, top: int) -> str:
    profiler = _LoopProfiler()
    with tempfile.TemporaryDirectory() as tmp:
        test = Path(tmp, "test_profile.py")
        test.write_text(OURS.format(count=count))
        Path(tmp, "pytest.ini").write_text("[pytest]\n")
        args = ["-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir", tmp, str(test)]
        with contextlib.redirect_stdout(io.StringIO()):
            status = pytest.main(args, plugins=[profiler])
    if status != 0:
        raise RuntimeError(f"pytest exited with {status}")
    title = f"pytest's test loop over {count} tests (fresh fake per test, 6 calls each), per test"
    return report(profiler.profile, title, top, count)


def grpc_server_side(count: int, top: int) -> str:
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import bench_grpc

        import pytest_yc_images.faces.grpc as face

        api = bench_grpc.load()
    except (ImportError, AttributeError) as exc:
        return f"### gRPC\n\nskipped: {exc}\n"
    profile = cProfile.Profile()
    unary = face._Face.unary

    def profiled(self: Any, method: str, request: Any, context: Any) -> Any:
        profile.enable()  # one client thread: calls never overlap
        try:
            return unary(self, method, request, context)
        finally:
            profile.disable()

    face._Face.unary = profiled  # type: ignore[method-assign]
    fake = FakeImageService(seed="profile")
    server = api["serve_grpc"](fake)
    try:
        sdk = api["SDK"](endpoint=server.endpoint, iam_token=TOKEN, root_certificates=server.ca_pem)
        stub = sdk.client(api["ImageServiceStub"])
        for n in range(count):
            request = api["CreateImageRequest"](
                folder_id="b1gprofilegrpc0000000", name=f"i-{n}", uri=bench_grpc.SOURCE
            )
            sdk.wait_operation_and_get_result(
                stub.Create(request),
                response_type=api["Image"],
                meta_type=api["CreateImageMetadata"],
            )
    finally:
        server.stop()
        face._Face.unary = unary  # type: ignore[method-assign]
    title = "Server side of SDK Create + wait (`_Face.unary`, Create and its polls), per round trip"
    return report(profile, title, top, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    choices = ("layers", "pytest", "get", "list", "grpc", "all")
    parser.add_argument("--what", choices=choices, default="all")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--count", type=int, default=300, help="tests, calls or round trips")
    args = parser.parse_args()
    sys.setrecursionlimit(10_000)
    jobs: dict[str, Callable[[], str]] = {
        "layers": lambda: layers(args.count * 2),
        "pytest": lambda: per_test(args.count, args.top),
        "get": lambda: in_process("get", args.count * 10, args.top),
        "list": lambda: in_process("list", args.count, args.top),
        "grpc": lambda: grpc_server_side(min(args.count, 100), args.top),
    }
    for name, job in jobs.items():
        if args.what in (name, "all"):
            print(job())


if __name__ == "__main__":
    main()
