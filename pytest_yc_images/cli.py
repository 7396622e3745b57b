"""``yc-images-fake``: run the fake as a server for clients in any language."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._control_routes import control_routes
from ._fake import FakeImageService
from .errors import ServiceError
from .faces.server import LOOPBACK_HOSTS, bind, uvicorn_config

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yc-images-fake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the REST face on a loopback port")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; anything else is reachable from other machines)",
    )
    serve.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    serve.add_argument(
        "--grpc-port",
        type=int,
        default=None,
        metavar="PORT",
        help="also serve the gRPC face (TLS; what the official SDKs call) on this port "
        "(0: a free one); prints its endpoint and the path of its CA certificate (PEM) "
        "on the two lines after the URL. Needs pip install 'pytest-yc-images[grpc]'",
    )
    serve.add_argument(
        "--seed",
        type=Path,
        metavar="FILE",
        help='JSON file of state to start with: {"images": [...], '
        '"disks": [...], "snapshots": [...]} (images in the JSON mapping)',
    )
    serve.add_argument("--id-seed", default=None, help="make generated IDs reproducible")
    serve.add_argument(
        "--completion",
        default="on-poll",
        choices=["on-poll", "immediate", "manual", "clock"],
        help="when operations finish (default on-poll)",
    )
    serve.add_argument(
        "--controls",
        choices=["auto", "on", "off"],
        default="auto",
        help="the /_fake/ control endpoints: auto = on for loopback only",
    )
    return parser


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _load_seed(fake: FakeImageService, path: Path) -> None:
    data: Any = json.loads(path.read_text("utf-8"))
    if isinstance(data, list):
        data = {"images": data}
    for image in data.get("images", []):
        fake.put_image(**image)
    actions = control_routes().actions  # the checks and meaning of POST /_fake/disks
    for disk in data.get("disks", []):
        actions["add_disk"].run(fake.controls, disk)
    for snapshot in data.get("snapshots", []):
        actions["add_snapshot"].run(fake.controls, snapshot)


def _serve_grpc(
    fake: FakeImageService, host: str, port: int, log: Callable[[str], None]
) -> tuple[Any, str]:
    """Start the gRPC face beside REST; its CA certificate goes to a fresh directory."""
    try:
        import pytest_yc_images.faces.grpc  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"pip install 'pytest-yc-images[grpc]' ({exc})") from None
    with warnings.catch_warnings():  # beyond loopback: main() prints its own warning
        warnings.simplefilter("ignore", RuntimeWarning)
        server = fake.serve_grpc(host=host, port=port, log=log)
    ca_dir = tempfile.mkdtemp(prefix="yc-images-fake-")
    server.write_ca(Path(ca_dir, "ca.pem"))
    return server, ca_dir


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    import uvicorn

    loopback = args.host in LOOPBACK_HOSTS
    controls = args.controls == "on" or (args.controls == "auto" and loopback)
    fake = FakeImageService(seed=args.id_seed, completion=args.completion, http_controls=controls)
    if args.seed:
        try:
            _load_seed(fake, args.seed)
        except (OSError, ValueError, TypeError, ServiceError) as exc:
            print(f"yc-images-fake: cannot load {args.seed}: {exc}", file=sys.stderr)
            return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"yc-images-fake: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    grpc_server: Any = None
    ca_dir: str | None = None
    if args.grpc_port is not None:
        try:
            grpc_server, ca_dir = _serve_grpc(fake, args.host, args.grpc_port, _log)
        except (ImportError, OSError) as exc:
            sock.close()
            print(f"yc-images-fake: cannot serve gRPC: {exc}", file=sys.stderr)
            return 2
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"http://{host}:{port}", flush=True)
    if grpc_server is not None and ca_dir is not None:
        print(grpc_server.endpoint, flush=True)
        print(Path(ca_dir, "ca.pem"), flush=True)
    if not loopback:
        print(
            f"WARNING: serving on {args.host}, beyond loopback: anyone who can reach it can "
            "read and change the fake's state",
            file=sys.stderr,
            flush=True,
        )
    if not controls:
        print("the /_fake/ control endpoints are off", file=sys.stderr, flush=True)

    config = uvicorn_config(fake.asgi_app(log=_log))
    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            # Ctrl-C and SIGTERM are how this server is meant to stop: shut down
            # gracefully and exit 0, instead of re-raising the signal afterwards.
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    try:
        Server(config).run(sockets=[sock])
    finally:
        if grpc_server is not None:
            grpc_server.stop(0)
        if ca_dir is not None:
            shutil.rmtree(ca_dir, ignore_errors=True)
    print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
