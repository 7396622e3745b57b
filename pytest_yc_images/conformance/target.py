"""Target: what the suite is pointed at (endpoints, folder, token) and what it may do there."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from .safety import ACCOUNT_TYPES, LOOPBACK_SUBJECT, PUBLIC_SUBJECTS

__all__ = ["FAKE_FOLDER", "PROFILES", "Target", "TargetError", "grpc_missing", "is_loopback"]

PROFILES = ("live", "seed")
FAKE_FOLDER = "b1gconformance000001"
TOKEN_ENV = "YC_IAM_TOKEN"
_FAKE_URL = "https://compute.api.cloud.yandex.net"
_ADDRESS = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})")
_GRPC_EXTRA = "pip install 'pytest-yc-images[grpc]'"


class TargetError(ValueError):
    """A target that cannot be used as given (a usage error, exit status 2)."""


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def grpc_missing() -> str | None:
    """None when the ``grpc`` extra is installed; else the one line saying what to install."""
    for module in ("grpc", "google.protobuf", "google.rpc", "yandex.cloud"):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"--grpc-endpoint needs the grpc extra ({module} is missing): {_GRPC_EXTRA}"
    return None


def _check_address(address: str, what: str) -> str:
    match = _ADDRESS.fullmatch(address)
    if match is None or int(match[2]) > 65535:
        raise TargetError(f"{what} must be HOST:PORT, not {address!r}")
    return address


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"{what} must be an http(s) URL, not {url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class Target:
    """An ImageService face to check: REST at ``endpoint``, or gRPC at ``grpc_endpoint``.

    ``fake=True`` means the in-process fake (no network; endpoints are ignored). With
    ``grpc_endpoint`` (HOST:PORT, TLS) the suite's REST requests go through
    :mod:`.grpc_bridge`, and ``operation_endpoint`` is HOST:PORT too. ``ca``: a PEM file
    of the CA to trust (default: the system's roots), for gRPC and https alike. The token
    never appears in ``repr`` and is redacted from everything the suite writes.
    """

    endpoint: str = _FAKE_URL
    operation_endpoint: str = ""
    folder_id: str = FAKE_FOLDER
    token: str = field(default="", repr=False)
    source_image_id: str = ""
    source_disk_id: str = ""  # a disk and a snapshot to create from (differential runs)
    source_snapshot_id: str = ""
    allow_mutations: bool = False
    max_images: int = 0  # 0: by the kind of target (see budget)
    profile: str = "live"
    fake: bool = False
    operation_timeout: float = 0.0  # 0: chosen by the kind of target
    grpc_endpoint: str = ""
    ca: str = ""
    subject_id: str = ""  # an account the access-binding contracts may bind a role to
    subject_type: str = "userAccount"

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise TargetError(f"--profile must be one of {', '.join(PROFILES)}")
        if self.subject_type not in ACCOUNT_TYPES:
            raise TargetError(f"--subject-type must be one of {', '.join(ACCOUNT_TYPES)}")
        if (
            len(self.subject_id) > 100
            or self.subject_id.startswith("group:")
            or (self.subject_id in PUBLIC_SUBJECTS)
        ):
            raise TargetError("--subject-id must be an account's ID (at most 100 characters; "
                              "not a system group)")  # fmt: skip
        if self.max_images < 0:
            raise TargetError("--max-images must be at least 1 (0: the default)")
        if self.fake:
            return
        if self.grpc_endpoint:
            missing = grpc_missing()
            if missing:
                raise TargetError(missing)
            _check_address(self.grpc_endpoint, "--grpc-endpoint")
            ops = _check_address(self.operation_endpoint or self.grpc_endpoint,
                                 "--operation-endpoint (with --grpc-endpoint)")  # fmt: skip
        else:
            object.__setattr__(self, "endpoint", _check_url(self.endpoint, "--endpoint"))
            ops = _check_url(self.operation_endpoint or self.endpoint, "--operation-endpoint")
        object.__setattr__(self, "operation_endpoint", ops)
        if self.ca and not Path(self.ca).is_file():
            raise TargetError(f"--ca: no such file {self.ca!r}")
        if not self.folder_id:
            flag = "--grpc-endpoint" if self.grpc_endpoint else "--endpoint"
            raise TargetError(f"--folder-id is required with {flag}")
        if not self.token:
            raise TargetError(f"no token: pass --token or set ${TOKEN_ENV}")

    @classmethod
    def from_options(cls, **options: Any) -> Target:
        """A target from the plugin's options; the token comes from ``$YC_IAM_TOKEN``."""
        fake = bool(options.pop("fake", False))
        endpoint = options.pop("endpoint", None)
        check_modes(fake, endpoint, options.get("grpc_endpoint"))
        token = os.environ.get(TOKEN_ENV, "")
        values = {k: v for k, v in options.items() if v not in (None, "")}
        if fake:
            values.pop("folder_id", None)
            return cls(fake=True, token=token or "conformance-token", **values)
        return cls(endpoint=endpoint or _FAKE_URL, token=token, **values)

    @property
    def loopback(self) -> bool:
        if self.grpc_endpoint:  # HOST:PORT: parsed as the authority of a URL
            return is_loopback(f"//{self.grpc_endpoint}") and is_loopback(
                f"//{self.operation_endpoint}"
            )
        return self.fake or (is_loopback(self.endpoint) and is_loopback(self.operation_endpoint))

    @property
    def mutations_allowed(self) -> bool:
        """Mutating contracts run in-process, on loopback, or with ``--allow-mutations``."""
        return self.loopback or self.allow_mutations

    @property
    def subject(self) -> dict[str, str] | None:
        """The subject the access-binding contracts bind a role to (JSON mapping): the
        account of ``--subject-id``, else in-process and on loopback a made-up account;
        None against a real cloud without ``--subject-id`` (those contracts do not run)."""
        if self.subject_id:
            return {"id": self.subject_id, "type": self.subject_type}
        if self.loopback:
            return {"id": LOOPBACK_SUBJECT, "type": self.subject_type}
        return None

    @property
    def budget(self) -> int:
        """Images a run may create: --max-images, else 60 on a real service (each costs
        storage and quota) and 1,000 in-process or on loopback (they cost nothing)."""
        if self.max_images:
            return self.max_images
        return 1000 if self.loopback else 60

    @property
    def timeout(self) -> float:
        """How long to wait for one operation."""
        if self.operation_timeout:
            return self.operation_timeout
        return 20.0 if self.loopback else 900.0

    def describe(self) -> str:
        if self.fake:
            return "the in-process fake (pytest_yc_images.FakeImageService)"
        main = self.grpc_endpoint or self.endpoint
        ops = "" if self.operation_endpoint == main else f", operations {self.operation_endpoint}"
        if self.grpc_endpoint:
            main = f"gRPC {main} (TLS, {f'CA {self.ca}' if self.ca else 'system roots'})"
        return f"{main}{ops}, folder {self.folder_id}"

    def transports(self) -> tuple[httpx.BaseTransport | None, str, str]:
        """(transport or None, compute base URL, operation base URL)."""
        if self.fake:
            from pytest_yc_images import FakeImageService  # only --fake needs the fake

            fake = FakeImageService(profile=self.profile)
            return fake.transport(), _FAKE_URL, _FAKE_URL
        if self.grpc_endpoint:
            from .grpc_bridge import GrpcBridge  # only a gRPC target imports grpc

            ca_pem = Path(self.ca).read_bytes() if self.ca else None
            bridge = GrpcBridge(self.grpc_endpoint, self.operation_endpoint, ca_pem=ca_pem)
            url = f"https://{self.grpc_endpoint}"  # the bridge routes by path only
            return bridge, url, url
        transport = (
            httpx.HTTPTransport(verify=ssl.create_default_context(cafile=self.ca))
            if self.ca
            else None
        )
        return transport, self.endpoint, self.operation_endpoint or self.endpoint


def check_modes(fake: bool, endpoint: str | None, grpc_endpoint: str | None) -> None:
    """Exactly one of --fake, --endpoint and --grpc-endpoint (else a usage error)."""
    given = [f for f, v in (("--fake", fake), ("--endpoint", endpoint),
                            ("--grpc-endpoint", grpc_endpoint)) if v]  # fmt: skip
    if len(given) > 1:
        raise TargetError(f"give only one of --fake, --endpoint and --grpc-endpoint, not "
                          f"{' and '.join(given)}")  # fmt: skip
    if not given:
        raise TargetError(
            "give --endpoint URL or --grpc-endpoint HOST:PORT (with --folder-id), or --fake"
        )
