"""The differential commands of ``yc-images-conformance``: ``record``, ``replay``, ``diff``
(the options: the docstring of :mod:`pytest_yc_images.conformance.cli`, their --help).

Each side is a target as the suite takes it, or ``--fake``; side B of ``diff`` has the
same options as ``--against-*``. Before anything runs: the options are checked (a target
off loopback needs ``--allow-mutations``: every run creates and deletes images there) and
each target gets the suite's pre-flight; either failing is one line and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shlex
from pathlib import Path
from typing import Any

from pytest_yc_images import FakeImageService

from .. import cli
from ..cli import _AGAINST_TOKEN_ENV, _TOKEN_ENV, _Parser, _usage
from ..preflight import PreflightError, preflight
from ..safety import Redactor
from ..target import PROFILES, Target, TargetError, check_modes
from . import cassette as cassettes
from . import report as render
from .cassette import Cassette, CassetteError
from .runs import diff, record, replay
from .side import Side

__all__ = ["run"]

_SIDE_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (  # side B: the same, --against-*
    ("endpoint", {"metavar": "URL", "help": "base URL serving /compute/v1/images..."}),
    ("grpc-endpoint", {"metavar": "HOST:PORT", "help": "gRPC (TLS), instead of REST"}),
    ("operation-endpoint", {"metavar": "URL", "help": "OperationService (default: the "
                            "endpoint; HOST:PORT with gRPC)"}),
    ("ca", {"metavar": "PATH", "help": "PEM file of the CA to trust"}),
    ("folder-id", {"metavar": "ID", "help": "the folder to work in (it must hold no images)"}),
    ("token", {"metavar": "T", "help": "IAM token (default: from the environment)"}),
    ("fake", {"action": "store_true", "help": "the in-process fake"}),
    ("profile", {"choices": PROFILES, "help": "the API profile (default: live; replay: the "
                 "cassette's)"}),
    ("completion", {"choices": ("on-poll", "immediate"), "help": "when the fake's operations "
                    "finish (default: on-poll)"}),
    ("allow-mutations", {"action": "store_true", "help": "create and delete images on a "
                         "non-loopback endpoint (every run does)"}),
    ("max-images", {"type": int, "default": 0, "metavar": "N", "help": "images the run may "
                    "create (default: 60; on loopback, no limit)"}),
    ("source-image-id", {"metavar": "ID", "help": "image to create from (default: the latest "
                         "ubuntu-2204-lts of standard-images)"}),
    ("source-disk-id", {"metavar": "ID", "help": "disk to create from"}),
    ("source-snapshot-id", {"metavar": "ID", "help": "snapshot to create from"}),
)  # fmt: skip
_WITH_FAKE = {"fake", "profile", "completion", "endpoint", "grpc-endpoint"}  # (check_modes)
_B_FLAG = re.compile(r"--([a-z][a-z-]*)|\$" + _TOKEN_ENV)


def _flag(name: str, side: str) -> str:
    if side == "a":
        return f"--{name}"
    return "--against" if name == "endpoint" else f"--against-{name}"


def _for_b(message: str) -> str:
    """A message about side A's options, said of side B's (``--folder-id``: its mirror)."""
    return _B_FLAG.sub(lambda m: _flag(m[1], "b") if m[1] else f"${_AGAINST_TOKEN_ENV}",
                       message)  # fmt: skip


def _parser(command: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"yc-images-conformance {command}", allow_abbrev=False,
                     description=cli.__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    if command == "replay":
        parser.add_argument("cassette", metavar="CASSETTE", help="the cassette to replay")
    for side in ("a", "b") if command == "diff" else ("a",):
        for name, options in _SIDE_OPTIONS:
            parser.add_argument(_flag(name, side), dest=f"{side}_{name.replace('-', '_')}",
                                **options)  # fmt: skip
    parser.add_argument("--connect-timeout", type=float, default=5.0, metavar="S")
    parser.add_argument("--read-timeout", type=float, default=5.0, metavar="S")
    if command == "record":
        parser.add_argument("--out", metavar="CASSETTE", required=True)
    else:
        parser.add_argument("--report", metavar="PATH", help="also write it as Markdown")
    if command != "replay":
        parser.add_argument("--programs", type=int, metavar="N",
                            default=50 if command == "record" else 100)  # fmt: skip
        parser.add_argument("--steps", type=int, default=10, metavar="N", help="per program")
        parser.add_argument("--seed", type=int, metavar="S", help="default: random, printed")
    return parser


def _side_of(args: argparse.Namespace, side: str, profile: str) -> Target | FakeImageService:
    """Side ``side`` ("a" or "b") as given: a :class:`Target`, or with --fake the fake."""

    def get(name: str) -> Any:
        return getattr(args, f"{side}_{name}")

    check_modes(get("fake"), get("endpoint"), get("grpc_endpoint"))
    profile = get("profile") or profile
    if get("fake"):
        for name, _ in _SIDE_OPTIONS:
            if name not in _WITH_FAKE and get(name.replace("-", "_")):
                raise TargetError(f"--{name} is for a target, not --fake")
        return FakeImageService(profile=profile, completion=get("completion") or "on-poll")
    if get("completion"):
        raise TargetError("--completion is for --fake (a target finishes operations itself)")
    token = get("token") or os.environ.get(_TOKEN_ENV if side == "a" else _AGAINST_TOKEN_ENV, "")
    target = Target(endpoint=get("endpoint") or "", grpc_endpoint=get("grpc_endpoint") or "",
                    operation_endpoint=get("operation_endpoint") or "", ca=get("ca") or "",
                    folder_id=get("folder_id") or "", token=token, profile=profile,
                    source_image_id=get("source_image_id") or "",
                    source_disk_id=get("source_disk_id") or "",
                    source_snapshot_id=get("source_snapshot_id") or "",
                    allow_mutations=get("allow_mutations"),
                    max_images=get("max_images"))  # fmt: skip
    if not target.mutations_allowed:
        raise TargetError(f"{target.grpc_endpoint or target.endpoint} is not on loopback, and "
                          "the run creates and deletes images there: pass --allow-mutations "
                          "to allow it")  # fmt: skip
    return target


def _reproduce(command: str, argv: list[str], seed: int | None) -> str:
    """The command that runs it again: the same options, no token, the seed given."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg.split("=", 1)[0] in ("--token", "--against-token", "--seed"):
            skip = "=" not in arg
        else:
            kept.append(arg)
    kept += [] if seed is None else ["--seed", str(seed)]
    return shlex.join(["yc-images-conformance", command, *kept])


class _Stop(Exception):
    """A usage, pre-flight or cassette error: its one line, exit status 2."""


def _prepare(command: str, args: argparse.Namespace) -> tuple[list[Side], Cassette | None]:
    """Check the options, read the cassette, pre-flight each target: the sides to run."""
    if min(getattr(args, "programs", 1), getattr(args, "steps", 1)) < 1:
        raise _Stop("--programs and --steps must be at least 1")
    if min(args.connect_timeout, args.read_timeout) <= 0:
        raise _Stop("--connect-timeout and --read-timeout must be more than 0")
    tape = None
    if command == "replay":
        try:
            tape = cassettes.read(Path(args.cassette))
        except CassetteError as exc:
            raise _Stop(str(exc)) from None
    given: list[Target | FakeImageService] = []
    for side in ("a", "b") if command == "diff" else ("a",):
        try:
            given.append(_side_of(args, side, tape.profile if tape else "live"))
        except TargetError as exc:
            raise _Stop(str(exc) if side == "a" else _for_b(str(exc))) from None
    redact = Redactor(*(s.token for s in given if isinstance(s, Target)))
    for side, target in zip("ab", given, strict=False):
        if isinstance(target, Target):
            try:
                preflight(target, connect_timeout=args.connect_timeout,
                          read_timeout=args.read_timeout)  # fmt: skip
            except PreflightError as exc:
                line = str(exc) if side == "a" else f"side B: {_for_b(str(exc))}"
                raise _Stop(redact(line)) from None
    labels = ("A", "B") if command == "diff" else (f"{command}ed",)
    sides = [Side(label, target=s) if isinstance(s, Target) else Side(label, fake=s)
             for label, s in zip(labels, given, strict=True)]  # fmt: skip
    return sides, tape


def run(command: str, argv: list[str]) -> int:
    """Run ``yc-images-conformance COMMAND ARGV...``; the exit status."""
    args = _parser(command).parse_args(argv)
    try:
        sides, tape = _prepare(command, args)
    except _Stop as exc:
        return _usage(str(exc))
    redact = Redactor(*(s.target.token for s in sides if s.target is not None))
    seed = None if command == "replay" else args.seed
    if seed is None and command != "replay":
        seed = random.SystemRandom().randrange(1_000_000)
    how = render.Run(redact(_reproduce(command, argv, seed)), seed, getattr(args, "report", ""))
    if command == "record":
        try:
            recorded = record(sides[0], args.out, programs=args.programs, seed=seed or 0,
                              steps=args.steps)  # fmt: skip
        except OSError as exc:
            sides[0].close()
            return _usage(f"--out: cannot write {args.out} ({exc.strerror or exc})")
        if recorded.error:
            return _usage(redact(recorded.error))
        print(redact(render.record_text(recorded, sides[0].describe(), how)), end="")
        return 0
    if tape is not None:
        replayed = replay(tape, sides[0])
        status, error = replayed.status, replayed.error
        text = render.replay_text(replayed, args.cassette, how)
        markdown = render.replay_markdown(replayed, args.cassette, how)
    else:
        found = diff(sides[0], sides[1], programs=args.programs, seed=seed or 0,
                     steps=args.steps)  # fmt: skip
        status, error = found.status, found.error
        text, markdown = render.diff_text(found, how), render.diff_markdown(found, how)
    if error:
        return _usage(redact(error))
    print(redact(text), end="")
    if args.report:
        try:
            Path(args.report).write_text(redact(markdown), encoding="utf-8")
        except OSError as exc:
            return _usage(f"--report: cannot write {args.report} ({exc.strerror or exc})")
    return status
