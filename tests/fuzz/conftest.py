"""Fixtures of the fuzzing tests: fakes to fuzz, schemathesis schemas over them, servers.

Every fake here is configured with ``access={TOKEN: [FOLDER]}``, so that ``ignored_auth``
can tell a bad token from a good one, and the schemas pin any valid ``folderId`` they
generate to ``FOLDER`` (see :func:`_pin_folder`); otherwise nearly every request would
be refused with 403 and never reach the fake's rules.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis

import pytest_yc_images.schemathesis_checks  # noqa: F401  (registers our checks)
from pytest_yc_images import FakeImageService, LoopbackServer, openapi_document
from pytest_yc_images.cli import contract_files

TOKEN = "fuzz-token"
FOLDER = "b1gfuzzfolder0000001"
CONFIG_FILE = contract_files()["schemathesis-config"]  # the one the package ships
SEEDED = 5  # images put into FOLDER before each example, so List has pages to follow

# Examples per operation (stateless) and scenarios (stateful): the CI profile, and the long
# one (`-m slow`, or `bash .ci/fuzz --long`). YC_FUZZ_EXAMPLES overrides the long one.
SHORT_EXAMPLES = 8
SHORT_SCENARIOS = 12
LONG_EXAMPLES = int(os.environ.get("YC_FUZZ_EXAMPLES", "300"))
LONG_SCENARIOS = int(os.environ.get("YC_FUZZ_EXAMPLES", "300"))


def seeded_fake(**options: Any) -> FakeImageService:
    """A fake that knows TOKEN (folder FOLDER only) with SEEDED images in FOLDER."""
    fake = FakeImageService(seed="fuzz", access={TOKEN: [FOLDER]}, **options)
    for number in range(SEEDED):
        fake.put_image(folderId=FOLDER, name=f"seeded-{number}", family="fuzz")
    return fake


def _pin(value: Any, key: str) -> Any:
    if isinstance(value, dict) and isinstance(value.get(key), str) and 0 < len(value[key]) <= 50:
        value[key] = FOLDER  # a valid folderId stays valid; an invalid one is left alone
    return value


def fuzz_config(
    *, max_examples: int, mode: str = "all", exclude: tuple[str, ...] = ()
) -> schemathesis.Config:
    """CONFIG_FILE's settings, with our bearer token, the examples, the mode, and the
    checks in ``exclude`` turned off (each caller says why)."""
    data: dict[str, Any] = tomllib.loads(CONFIG_FILE.read_text("utf-8"))
    data["auth"] = {"openapi": {"bearer": {"bearer": TOKEN}}}
    data["generation"] = {"max-examples": max_examples, "mode": mode}
    for name in exclude:
        data["checks"][name] = {"enabled": False}
    return schemathesis.Config.from_dict(data)


def fuzz_schema(fake: FakeImageService, config: schemathesis.Config) -> Any:
    """The OpenAPI document of ``fake``'s profile as a schemathesis schema over its ASGI app."""
    document = openapi_document(bundled=True, profile=fake.profile)
    schema = schemathesis.openapi.from_dict(document, config=config)
    schema.app = fake.asgi_app()

    @schema.hook
    def map_body(ctx: schemathesis.HookContext, body: Any) -> Any:
        return _pin(body, "folderId")

    @schema.hook
    def map_query(ctx: schemathesis.HookContext, query: Any) -> Any:
        return _pin(query, "folderId")

    return schema


@pytest.fixture
def loopback() -> Iterator[Callable[..., LoopbackServer]]:
    """Start servers on 127.0.0.1 for fakes; all stopped at teardown."""
    started: list[LoopbackServer] = []

    def serve(fake: FakeImageService) -> LoopbackServer:
        server = fake.serve()
        started.append(server)
        return server

    yield serve
    for server in started:
        server.stop()
