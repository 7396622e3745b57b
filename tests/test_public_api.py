"""The public surface is exactly what __all__ says, and nothing private leaks into it."""

from __future__ import annotations

import types

import pytest_yc_images
from pytest_yc_images import strategies

EXPECTED = {
    "COMPUTE_URL",
    "DEFAULT_TOKEN",
    "PUBLIC_FOLDER",
    "AsgiApp",
    "Code",
    "Completion",
    "Constraint",
    "ErrorFault",
    "FakeImageService",
    "FakeTransport",
    "Fault",
    "FieldViolation",
    "Journal",
    "JournalEntry",
    "LatencyFault",
    "LoopbackServer",
    "LostReplyFault",
    "OperationFault",
    "Route",
    "RouteTable",
    "ServiceError",
    "VirtualClock",
    "YcGrpc",
    "YcServer",
    "constraints",
    "controls_document",
    "message_names",
    "openapi_document",
    "registry",
    "routes",
    "schema",
    "validator",
}


def test_package_exports_exactly_its_all() -> None:
    assert set(pytest_yc_images.__all__) == EXPECTED
    for name in pytest_yc_images.__all__:
        value = getattr(pytest_yc_images, name)
        if isinstance(value, types.UnionType):  # Fault: a union of our types
            assert all(t.__module__.startswith("pytest_yc_images") for t in value.__args__)
        elif not isinstance(value, str):
            assert value.__module__.startswith("pytest_yc_images"), name


def test_strategies_exports_only_public_names() -> None:
    assert all(not name.startswith("_") for name in strategies.__all__)
    for name in strategies.__all__:
        assert callable(getattr(strategies, name))
