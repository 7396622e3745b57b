"""``yc-images-conformance``: run the conformance suite against a target, or sweep leftovers.

    yc-images-conformance --endpoint URL [--operation-endpoint URL] --folder-id ID
        [--token TOKEN] [--source-image-id ID] [--allow-mutations] [--max-images N]
        [--profile live|seed] [--junitxml PATH] [--report PATH]
        [--subject-id ID [--subject-type TYPE]]
        [--connect-timeout S] [--read-timeout S] [-- extra pytest args]
    yc-images-conformance --grpc-endpoint HOST:PORT [--operation-endpoint HOST:PORT]
        [--ca PATH] --folder-id ID [...the same options]
    yc-images-conformance --fake [--report PATH] [-- extra pytest args]
    yc-images-conformance sweep (--endpoint URL | --grpc-endpoint HOST:PORT) --folder-id ID
        [--token TOKEN] [--run-id ID]

Differential runs (generated programs of ImageService and OperationService calls):

    yc-images-conformance record TARGET --out CASSETTE [--programs N] [--seed S] [--steps N]
    yc-images-conformance replay CASSETTE (--fake [--profile P] | TARGET) [--report PATH]
    yc-images-conformance diff TARGET --against URL_B [--against-operation-endpoint URL]
        [--against-ca PATH] [--against-folder-id ID] [--against-token T] [--programs N]
        [--seed S] [--steps N] [--report PATH]

TARGET: (--endpoint URL [--operation-endpoint URL] | --grpc-endpoint HOST:PORT) [--ca PATH]
--folder-id ID [--token T] [--allow-mutations] [--max-images N] [--source-image-id ID]
[--source-disk-id ID] [--source-snapshot-id ID] [--profile P], or --fake [--profile P]
[--completion on-poll|immediate] for the in-process fake. Side B of diff takes the same
options named --against-*: --against URL (or --against-grpc-endpoint, or --against-fake),
--against-token (default: $YC_AGAINST_IAM_TOKEN), ... Each run creates and deletes images:
beyond loopback it needs --allow-mutations (side B: --against-allow-mutations) and a folder
that holds no images. record writes the programs and the normalised replies (no token) to
a JSON Lines cassette; replay sends them to a target and compares (--profile: the
cassette's by default); diff runs programs against both sides in lock-step and shrinks
the first divergence to a minimal program, printed with both transcripts side by side
(--report: the same as Markdown) and the command that reproduces it (with --seed, random
when not given; never the token). --steps: steps per program (10); --programs: 50 for
record, 100 for diff.

The access-binding contracts (profile live) bind a role to one account: --subject-id
(its --subject-type: userAccount by default, serviceAccount or federatedUser). In-process
and on loopback a made-up account serves; against a real cloud without --subject-id they
are reported not run. They bind only on images the run created, never allUsers or
allAuthenticatedUsers beyond loopback, and clear every binding before deleting the image.

With --grpc-endpoint the same contracts run through the official SDK's gRPC stubs (TLS;
--ca: the PEM file of the CA to trust, default the system's roots); a contract whose
request protobuf cannot carry is skipped, saying why.

Before any contract a pre-flight checks that the endpoint answers, that TLS verifies and
that the token is accepted for the folder; if not, one line says which and the exit status
is 2. The terminal shows a summary (what ran, what failed grouped by rule, the report's
path); the Markdown report (--report, default ./yc-images-conformance.md) and --junitxml
keep every failure in full. `-- -v` or `-- --tb=long` bring pytest's long output back.

Exit status: 0 every contract passed, 1 some failed, 2 a usage error or a failed pre-flight.
record, replay, diff: 0 no divergence, 1 divergences (each reported), 2 a usage or
pre-flight error, a side that failed or a cassette that cannot be read.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

__all__ = ["main", "suite_path"]

_TOKEN_ENV = "YC_IAM_TOKEN"
_AGAINST_TOKEN_ENV = "YC_AGAINST_IAM_TOKEN"
DEFAULT_REPORT = "yc-images-conformance.md"
# pytest options after which the user wants pytest's own long output, not the summary
_LONG_FORM = ("-v", "--verbose", "--tb", "-r", "-l", "--showlocals", "--full-trace")


def suite_path() -> Path:
    """Where the contracts are: ``contracts/conformance`` (in the wheel, under the package)."""
    from pytest_yc_images import contracts_path

    return contracts_path() / "conformance"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help="base URL serving /compute/v1/images...")
    parser.add_argument("--grpc-endpoint", metavar="HOST:PORT",
                        help="gRPC (TLS) serving ImageService, instead of --endpoint")  # fmt: skip
    parser.add_argument("--operation-endpoint", help="base URL (with --grpc-endpoint: "
                        "HOST:PORT) of OperationService (default: the endpoint)")  # fmt: skip
    parser.add_argument("--ca", metavar="PATH", help="PEM file of the CA to trust (default: "
                        "the system's roots)")  # fmt: skip
    parser.add_argument("--folder-id", help="the folder to work in")
    parser.add_argument("--token", help=f"IAM token (default: ${_TOKEN_ENV})")
    parser.add_argument("--connect-timeout", type=float, default=5.0, metavar="S",
                        help="seconds to wait for a connection (5)")  # fmt: skip
    parser.add_argument("--read-timeout", type=float, default=5.0, metavar="S",
                        help="seconds the pre-flight waits for an answer (5)")  # fmt: skip


def _run_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yc-images-conformance", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    _target_options(parser)
    parser.add_argument("--fake", action="store_true", help="check the in-process fake")
    parser.add_argument("--source-image-id", help="image to create images from")
    parser.add_argument("--allow-mutations", action="store_true",
                        help="create/update/delete images on a non-loopback endpoint")  # fmt: skip
    parser.add_argument("--max-images", type=int, default=0,
                        help="images a run may create (default: 60, or 1,000 in-process "
                        "and on loopback)")  # fmt: skip
    parser.add_argument(
        "--profile",
        choices=("live", "seed"),
        default="live",
        help="the API profile to check (default: live, today's service)",
    )
    parser.add_argument("--subject-id", help="an account the access-binding contracts may "
                        "bind a role to (default: none beyond loopback)")  # fmt: skip
    parser.add_argument("--subject-type", default="userAccount",
                        choices=("userAccount", "serviceAccount", "federatedUser"),
                        help="the type of --subject-id (default: userAccount)")  # fmt: skip
    parser.add_argument("--operation-timeout", type=float, default=0.0)
    parser.add_argument("--junitxml", metavar="PATH")
    parser.add_argument("--report", metavar="PATH", default=DEFAULT_REPORT,
                        help=f"the Markdown matrix (default: ./{DEFAULT_REPORT})")  # fmt: skip
    return parser


def _sweep_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="yc-images-conformance sweep",
        description="delete images left by crashed runs (found by their label)",
    )
    _target_options(parser)
    parser.add_argument("--run-id", help="only this run's images (default: any run's)")
    return parser


def _usage(message: str) -> int:
    print(f"yc-images-conformance: error: {message}", file=sys.stderr)
    return 2


def _sweep(argv: list[str]) -> int:
    from .api import Api
    from .safety import Budget, RunIdentity, new_run_id
    from .target import Target, TargetError, check_modes

    args = _sweep_parser().parse_args(argv)
    token = args.token or os.environ.get(_TOKEN_ENV, "")
    try:
        check_modes(False, args.endpoint, args.grpc_endpoint)
        target = Target(
            endpoint=args.endpoint or "",
            operation_endpoint=args.operation_endpoint or "",
            folder_id=args.folder_id or "",
            token=token,
            grpc_endpoint=args.grpc_endpoint or "",
            ca=args.ca or "",
        )
    except TargetError as exc:
        return _usage(str(exc))
    run = RunIdentity(new_run_id())
    api = Api(target, run, Budget(run.run_id, 1))
    try:
        deleted, left = api.sweep(args.run_id)
    except Exception as exc:
        print(api.recorder.redact(f"sweep failed: {exc}"), file=sys.stderr)
        return 1
    finally:
        api.close()
        import shutil

        shutil.rmtree(api.budget.folder, ignore_errors=True)
    print(f"deleted {len(deleted)} image(s){': ' + ', '.join(deleted) if deleted else ''}")
    if left:
        print(f"could not delete {len(left)}: {', '.join(left)}", file=sys.stderr)
    return 1 if left else 0


def pytest_args(args: argparse.Namespace, extra: list[str]) -> list[str]:
    suite = suite_path()
    out = [str(suite), "-c", str(suite / "pytest.ini"), "--rootdir", str(suite)]
    ca = str(Path(args.ca).resolve()) if args.ca else None  # pytest's workers: any cwd
    flags = {"--yc-endpoint": args.endpoint, "--yc-operation-endpoint": args.operation_endpoint,
             "--yc-grpc-endpoint": args.grpc_endpoint, "--yc-ca": ca,
             "--yc-folder-id": args.folder_id, "--yc-source-image-id": args.source_image_id,
             "--yc-max-images": str(args.max_images or ""), "--yc-profile": args.profile,
             "--yc-operation-timeout": str(args.operation_timeout),
             "--yc-connect-timeout": str(args.connect_timeout),
             "--yc-read-timeout": str(args.read_timeout),
             "--yc-subject-id": args.subject_id, "--yc-subject-type": args.subject_type,
             "--yc-conformance-report": args.report, "--junitxml": args.junitxml}  # fmt: skip
    for flag, value in flags.items():
        if value:
            out += [flag, value]
    out += ["--yc-fake"] if args.fake else []
    out += ["--yc-allow-mutations"] if args.allow_mutations else []
    out += ["--yc-skip-preflight"]  # main() has run it
    if not any(a.startswith(_LONG_FORM) for a in extra):
        out += ["-q", "-rN", "--yc-brief"]  # the summary only; the report keeps the rest
    return out + extra


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sweep"]:
        return _sweep(argv[1:])
    if argv[:1] and argv[0] in ("record", "replay", "diff"):
        from .differential.commands import run

        return run(argv[0], argv[1:])
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    args = _run_parser().parse_args(argv)
    from .target import Target, TargetError, check_modes

    try:
        check_modes(args.fake, args.endpoint, args.grpc_endpoint)
    except TargetError as exc:
        return _usage(str(exc))
    if args.max_images < 0:
        return _usage("--max-images must be at least 1")
    if min(args.connect_timeout, args.read_timeout) <= 0:
        return _usage("--connect-timeout and --read-timeout must be more than 0")
    token = args.token or os.environ.get(_TOKEN_ENV, "")
    if not args.fake:
        from .preflight import PreflightError, preflight

        try:
            target = Target(endpoint=args.endpoint or "", folder_id=args.folder_id or "",
                            operation_endpoint=args.operation_endpoint or "", token=token,
                            grpc_endpoint=args.grpc_endpoint or "", ca=args.ca or "",
                            subject_id=args.subject_id or "",
                            subject_type=args.subject_type)  # fmt: skip
        except TargetError as exc:
            return _usage(str(exc))
        try:
            preflight(target, connect_timeout=args.connect_timeout,
                      read_timeout=args.read_timeout)  # fmt: skip
        except PreflightError as exc:
            from .safety import Redactor

            print(Redactor(token)(str(exc)), file=sys.stderr)
            return 2
    if token:
        os.environ[_TOKEN_ENV] = token  # to pytest and its workers; never on a command line
    import pytest

    # The suite needs no plugin but its own, ours (it owns --yc-profile, shared by the fake
    # and the suite) and xdist, for -n: other installed plugins would only slow it down
    # or change it.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    plugins = ["-p", "pytest_yc_images.plugin"]
    plugins += ["-p", "xdist.plugin"] if importlib.util.find_spec("xdist") else []
    status = int(pytest.main(plugins + pytest_args(args, extra)))
    return {0: 0, 1: 1, 4: 2}.get(status, 1)


if __name__ == "__main__":
    raise SystemExit(main())
