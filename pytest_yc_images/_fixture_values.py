"""What the plugin's server fixtures hand a test, as types a test can annotate with.

``from pytest_yc_images import YcServer, YcGrpc``; the plugin module itself is loaded by
pytest and is not for importing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._fake import FakeImageService

__all__ = ["YcGrpc", "YcServer"]


@dataclass(frozen=True)
class YcServer:
    """The loopback HTTP server as one test sees it: serving that test's ``yc_fake``."""

    url: str  # http://127.0.0.1:PORT: compute and operation paths on the same port
    fake: FakeImageService  # the test's yc_fake, the one the server answers from
    token: str  # the bearer token the fixtures send (--yc-token)


@dataclass(frozen=True)
class YcGrpc:
    """The gRPC face (TLS) as one test sees it: serving that test's ``yc_fake``."""

    endpoint: str  # "localhost:PORT": give it to the SDK as endpoint=
    ca_pem: bytes  # the CA of the server's certificate: the SDK's root_certificates=
    ca_path: Path  # the same PEM in a file, for clients in other languages
    sdk: Any  # a yandexcloud.SDK on endpoint, with ca_pem and token
    fake: FakeImageService  # the test's yc_fake
    token: str
