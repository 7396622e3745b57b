"""A pytest plugin for the mutation runs of the gRPC codec: the fake's gRPC face, served
in the test process, as the conformance suite's target.

``tools/mutation/run.py --face grpc`` loads it with ``-p grpc_face``. Before the
conformance plugin reads its options, it starts ``FakeImageService(profile=...).
serve_grpc()`` on 127.0.0.1 (TLS, its own CA) and points ``--yc-grpc-endpoint`` and
``--yc-ca`` at it, so the suite's requests reach ``faces/grpc_codec.py`` through the
official SDK's stubs, in the same process as the mutant under test.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

_SERVER: list[Any] = []


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    from pytest_yc_images import FakeImageService

    profile = getattr(config.option, "yc_profile", None) or "live"
    server = FakeImageService(profile=profile).serve_grpc()
    _SERVER.append(server)
    ca = server.write_ca(Path(tempfile.mkdtemp(prefix="yc-mutation-")) / "ca.pem")
    os.environ.setdefault("YC_IAM_TOKEN", "mutation-token")
    config.option.yc_fake = False
    config.option.yc_grpc_endpoint = server.endpoint
    config.option.yc_ca = str(ca)
    config.option.yc_folder_id = "b1gmutationgrpc00001"


def pytest_unconfigure(config: pytest.Config) -> None:
    while _SERVER:
        _SERVER.pop().stop()
