"""Target: what the suite is pointed at (endpoints, folder, token) and what it may do there."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

__all__ = ["FAKE_FOLDER", "PROFILES", "Target", "TargetError", "is_loopback"]

PROFILES = ("seed", "live")
FAKE_FOLDER = "b1gconformance000001"
TOKEN_ENV = "YC_IAM_TOKEN"
_FAKE_URL = "https://compute.api.cloud.yandex.net"


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


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"{what} must be an http(s) URL, not {url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class Target:
    """An ImageService REST face to check.

    ``fake=True`` means the in-process fake (no network; endpoints are ignored). The token
    never appears in ``repr`` and is redacted from everything the suite writes.
    """

    endpoint: str = _FAKE_URL
    operation_endpoint: str = ""
    folder_id: str = FAKE_FOLDER
    token: str = field(default="", repr=False)
    source_image_id: str = ""
    allow_mutations: bool = False
    max_images: int = 50
    profile: str = "seed"
    fake: bool = False
    operation_timeout: float = 0.0  # 0: chosen by the kind of target

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise TargetError(f"--profile must be one of {', '.join(PROFILES)}")
        if self.max_images < 1:
            raise TargetError("--max-images must be at least 1")
        if self.fake:
            return
        object.__setattr__(self, "endpoint", _check_url(self.endpoint, "--endpoint"))
        ops = self.operation_endpoint or self.endpoint
        object.__setattr__(self, "operation_endpoint", _check_url(ops, "--operation-endpoint"))
        if not self.folder_id:
            raise TargetError("--folder-id is required with --endpoint")
        if not self.token:
            raise TargetError(f"no token: pass --token or set ${TOKEN_ENV}")

    @classmethod
    def from_options(cls, **options: Any) -> Target:
        """A target from the plugin's options; the token comes from ``$YC_IAM_TOKEN``."""
        fake = bool(options.pop("fake", False))
        endpoint = options.pop("endpoint", None)
        if fake and endpoint:
            raise TargetError("give either --fake or --endpoint, not both")
        if not fake and not endpoint:
            raise TargetError("give --endpoint URL (with --folder-id) or --fake")
        token = os.environ.get(TOKEN_ENV, "")
        values = {k: v for k, v in options.items() if v not in (None, "")}
        if fake:
            values.pop("folder_id", None)
            return cls(fake=True, token=token or "conformance-token", **values)
        return cls(endpoint=endpoint, token=token, **values)

    @property
    def loopback(self) -> bool:
        return self.fake or (is_loopback(self.endpoint) and is_loopback(self.operation_endpoint))

    @property
    def mutations_allowed(self) -> bool:
        """Mutating contracts run in-process, on loopback, or with ``--allow-mutations``."""
        return self.loopback or self.allow_mutations

    @property
    def timeout(self) -> float:
        """How long to wait for one operation."""
        if self.operation_timeout:
            return self.operation_timeout
        return 20.0 if self.loopback else 900.0

    def describe(self) -> str:
        if self.fake:
            return "the in-process fake (pytest_yc_images.FakeImageService)"
        ops = (
            ""
            if self.operation_endpoint == self.endpoint
            else f", operations {self.operation_endpoint}"
        )
        return f"{self.endpoint}{ops}, folder {self.folder_id}"

    def transports(self) -> tuple[httpx.BaseTransport | None, str, str]:
        """(transport or None, compute base URL, operation base URL)."""
        if self.fake:
            from pytest_yc_images import FakeImageService  # only --fake needs the fake

            fake = FakeImageService()
            return fake.transport(), _FAKE_URL, _FAKE_URL
        return None, self.endpoint, self.operation_endpoint or self.endpoint
