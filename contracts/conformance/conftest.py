"""The conformance suite: contracts of the ImageService REST face, aimed at a target.

Every contract uses only the public API of pytest_yc_images and httpx, through the `api`
fixture, whose client checks every response against the contract schemas.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images import routes, schema
from pytest_yc_images.conformance import MESSAGES, boundary_cases

pytest_plugins = ("pytest_yc_images.conformance.plugin",)

_MUTATING = {route.rpc for route in routes() if route.mutating}  # they take Idempotency-Key
_SEED_RPCS = {route.rpc for route in routes(profile="seed")}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per boundary case the schemas give (cases.boundary_cases)."""
    if "boundary_case" not in metafunc.fixturenames:
        return
    from pytest_yc_images.conformance.plugin import run_identity_of

    params: list[Any] = []
    for case in boundary_cases(run_identity_of(metafunc.config)):
        rules = [case.constraint.rule] + (["errors.bad-request"] if case.kind == "past" else [])
        marks = [pytest.mark.rule(*rules)]
        if MESSAGES[case.constraint.message][0] in _MUTATING:
            marks.append(pytest.mark.mutating)
        seed_fields = schema(case.constraint.message, profile="seed")["properties"]
        if (
            case.constraint.field not in {*seed_fields, "source"}
            or MESSAGES[case.constraint.message][0] not in _SEED_RPCS
        ):
            marks.append(pytest.mark.profile("live"))  # a field or RPC only today's has
        params.append(pytest.param(case, id=case.id, marks=marks))
    metafunc.parametrize("boundary_case", params)
