"""``yc-images-fake``: run the fake as a server for clients in any language (``serve``), or
list the contract files the package ships, for tools such as schemathesis (``contracts``)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._contracts import PROFILES, contracts_path
from ._core.access import AccessConfigError, parse_access
from ._fake import FakeImageService
from ._state import StateError
from ._state_file import read_state_file
from .faces.server import (
    LOOPBACK_HOSTS,
    SHUTDOWN_GRACE,
    bind,
    controls_enabled,
    uvicorn_config,
)

__all__ = ["OPENAPI_FILES", "contract_files", "main"]

# The OpenAPI document of each API profile, in the contracts folder. The live one $refs the
# files under schemas/; the seed one is bundled (self-contained), because schemas/seed/
# holds merge patches of the live messages, not messages a $ref could name. It is
# openapi_document(profile="seed", bundled=True) written out (tests/fuzz/test_contracts_command.py
# says how to write it again).
OPENAPI_FILES = {"live": "openapi.yaml", "seed": "openapi.seed.json"}


def contract_files() -> dict[str, Path]:
    """What ``yc-images-fake contracts`` lists: name -> path, in the wheel or a checkout."""
    root = contracts_path()
    return {
        **{f"openapi-{profile}": root / OPENAPI_FILES[profile] for profile in PROFILES},
        "controls": root / "controls.yaml",
        "schemas": root / "schemas",
        "schemathesis-config": root / "schemathesis.toml",
        "hooks": Path(__file__).with_name("schemathesis_checks.py"),
    }


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
        help="a state file to start from (contracts/state.schema.json; a file of "
        '{"images": [...], "disks": [...], "snapshots": [...]} is one); it is read, never '
        "written. Not the ID source's seed: that is --id-seed",
    )
    serve.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="the state file to keep: loaded at start if it exists (else --seed), saved "
        "atomically on SIGTERM, Ctrl-C and POST /_fake/state:save",
    )
    serve.add_argument(
        "--id-seed",
        default=None,
        metavar="SEED",
        help="the ID source's seed: the same seed gives the same IDs (a state file's ID "
        "source, when it has one, goes on from where it was instead)",
    )
    serve.add_argument(
        "--access",
        type=Path,
        metavar="FILE",
        help='JSON file of token -> folders ({"t1": ["b1gfolder"]}) or -> {"folders": [...], '
        '"subject": {"id": ..., "type": "userAccount"}, "groups": '
        '["group:organization:<id>:users"]} (the subject that access bindings name; by '
        "default a userAccount derived from the token): other tokens get 401, other folders "
        "403 (their images 404 unless a binding shares them), and /_fake/ takes only the "
        "control token (default: any token, any folder)",
    )
    serve.add_argument(
        "--control-token",
        default=None,
        metavar="TOKEN",
        help="the bearer token /_fake/ takes when --access is set (default: a random one); "
        "printed on the line after the URL (and after the gRPC lines)",
    )
    serve.add_argument(
        "--profile",
        default="live",
        choices=["live", "seed"],
        help="the API to serve: live (today's ImageService, the default) or seed (the seed "
        "documentation's older service exactly)",
    )
    serve.add_argument(
        "--completion",
        default=None,
        choices=["on-poll", "immediate", "manual", "clock"],
        help="when operations finish (default: the state file's, else on-poll)",
    )
    serve.add_argument(
        "--controls",
        choices=["auto", "on", "off"],
        default="auto",
        help="the /_fake/ control endpoints: auto = on for loopback only",
    )
    contracts = commands.add_parser(
        "contracts",
        help="print where the shipped contract files are, one 'name: path' a line: the "
        "OpenAPI document of each API profile, the controls' document, the schemas folder, "
        "the schemathesis config and the hooks module (pytest_yc_images.schemathesis_checks)",
    )
    contracts.add_argument(
        "name", nargs="?", choices=list(contract_files()), help="print only this one's path"
    )
    return parser


def _contracts(name: str | None) -> int:
    files = contract_files()
    if name is not None:
        print(files[name])
    else:
        for key, path in files.items():
            print(f"{key}: {path}")
    return 0


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _fail(line: str) -> int:
    """Refuse to start: one line on stderr, exit status 2."""
    print("yc-images-fake: " + " ".join(line.split()), file=sys.stderr, flush=True)
    return 2


def _read_access(path: Path) -> dict[str, Any]:
    """``--access FILE``: a JSON object of token -> folder IDs or {"folders", "subject",
    "groups"}, checked as ``access=`` is (the error names the token's entry and field)."""
    data = read_state_file(path)  # the same JSON reading, errors as one StateError
    if not isinstance(data, dict):
        raise StateError("(top level)", "must be a JSON object of token -> [folder IDs]")
    try:
        parse_access(data)
    except AccessConfigError as exc:
        raise StateError(exc.field, exc.problem) from None
    return data


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


def _setup(args: argparse.Namespace, controls: bool) -> FakeImageService:
    """The fake the flags describe, its state loaded; StateError names a bad file."""
    access = None
    if args.access is not None:
        try:
            access = _read_access(args.access)
        except StateError as exc:
            raise StateError(str(args.access), str(exc)) from None
    fake = FakeImageService(
        seed=args.id_seed,
        completion=args.completion or "on-poll",
        http_controls=controls,
        access=access,
        control_token=args.control_token,
        state_file=args.state,
        profile=args.profile,
    )
    if args.state is not None and not args.state.parent.is_dir():
        raise StateError(str(args.state), "its folder does not exist")
    source = args.state if args.state is not None and args.state.exists() else args.seed
    if source is not None:
        try:
            fake.load_state(source)
        except StateError as exc:
            raise StateError(str(source), str(exc)) from None
        if args.completion is not None:  # the flag wins over the file's
            fake.completion = args.completion
    return fake


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "contracts":
        return _contracts(args.name)
    import uvicorn

    loopback = args.host in LOOPBACK_HOSTS
    controls = controls_enabled(args.host, args.controls)
    try:
        fake = _setup(args, controls)
    except StateError as exc:
        return _fail(f"cannot load {exc.field}: {exc.problem}")
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot bind {args.host}:{args.port}: {exc}")
    port = sock.getsockname()[1]
    grpc_server: Any = None
    ca_dir: str | None = None
    if args.grpc_port is not None:
        try:
            grpc_server, ca_dir = _serve_grpc(fake, args.host, args.grpc_port, _log)
        except (ImportError, OSError) as exc:
            sock.close()
            return _fail(f"cannot serve gRPC: {exc}")
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"http://{host}:{port}", flush=True)
    if grpc_server is not None and ca_dir is not None:
        print(grpc_server.endpoint, flush=True)
        print(Path(ca_dir, "ca.pem"), flush=True)
    if controls and args.access is not None:  # after the lines scripts already read
        print(fake.control_token, flush=True)
        _log("the /_fake/ controls take the control token printed last (Authorization: Bearer)")
    if not loopback:
        print(
            f"WARNING: serving on {args.host}, beyond loopback: anyone who can reach it can "
            "read and change the fake's state",
            file=sys.stderr,
            flush=True,
        )
    if not controls:
        print("the /_fake/ control endpoints are off", file=sys.stderr, flush=True)

    app = fake.asgi_app(log=_log)
    config = uvicorn_config(app)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            # Ctrl-C and SIGTERM are how this server is meant to stop: shut down
            # gracefully and exit 0, instead of re-raising the signal afterwards.
            app.stopping = True  # replies held by latency faults answer now
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    status = 0
    try:
        Server(config).run(sockets=[sock])
    finally:
        if grpc_server is not None:
            grpc_server.stop(SHUTDOWN_GRACE)
        if ca_dir is not None:
            shutil.rmtree(ca_dir, ignore_errors=True)
        if args.state is not None:
            try:
                _log(f"state saved to {fake.save_state()}")
            except OSError as exc:
                print(f"yc-images-fake: cannot save {args.state}: {exc}", file=sys.stderr)
                status = 1
    print("stopped", file=sys.stderr, flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
