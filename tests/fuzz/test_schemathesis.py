"""Schemathesis against the REST face in process, driven by contracts/openapi.yaml.

Stateless: every operation with positive and negative data. Stateful: sequences along the
OpenAPI links (create -> get/update/delete/list operations -> poll/cancel), in each way
operations can finish. Both API profiles: each fake serves one, fuzzed from that
profile's document (``openapi_document(profile=...)``). Every built-in check is on, with
our checks from ``pytest_yc_images.schemathesis_checks``; a check turned off says why,
here and in the README. The CI profile is small; ``-m slow`` runs the long one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck

from conftest import (
    LONG_EXAMPLES,
    LONG_SCENARIOS,
    SHORT_EXAMPLES,
    SHORT_SCENARIOS,
    fuzz_config,
    fuzz_schema,
    seeded_fake,
)
from pytest_yc_images import FakeImageService

# Operations run asynchronously unless the fake finishes them at once. DELETE answers a
# running operation and the image stays readable (DELETING) until it finishes, as on the
# live service: use_after_free expects a 404 right after a 2xx DELETE. Cancelling a running
# Create removes its image: ensure_resource_availability, which knows only DELETE as a way
# to remove, then reports the created image missing. Both run against the fake whose
# operations finish at once ("immediate").
ASYNC = ("use_after_free", "ensure_resource_availability")


@dataclass
class Target:
    fake: FakeImageService
    baseline: object  # the fake's state before each example
    schema: Any

    def reset(self) -> None:
        """Each example starts from the same state, so hypothesis can replay and shrink it."""
        self.fake.restore(self.baseline)


def _target(
    examples: int,
    *,
    completion: str = "on-poll",
    exclude: tuple[str, ...] = (),
    profile: str = "live",
) -> Target:
    fake = seeded_fake(completion=completion, profile=profile)
    schema = fuzz_schema(fake, fuzz_config(max_examples=examples, exclude=exclude))
    return Target(fake, fake.snapshot(), schema)


_SETTINGS = hypothesis.settings(
    deadline=None,  # a busy CI machine must not turn a slow example into a failure
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Module-level: schema.parametrize() needs the schema when pytest collects the module
# (schemathesis.pytest.from_fixture does not work with pytest 9). One fake per module and
# xdist worker, reset before each example.
SHORT = _target(SHORT_EXAMPLES)
SHORT_SEED = _target(SHORT_EXAMPLES, profile="seed")
LONG = _target(LONG_EXAMPLES)
LONG_SEED = _target(LONG_EXAMPLES, profile="seed")


@SHORT.schema.parametrize()
@_SETTINGS
def test_every_operation_positive_and_negative(case: schemathesis.Case) -> None:
    SHORT.reset()
    case.call_and_validate()


@SHORT_SEED.schema.parametrize()
@_SETTINGS
def test_every_operation_positive_and_negative_seed(case: schemathesis.Case) -> None:
    assert SHORT_SEED.fake.profile == "seed"
    SHORT_SEED.reset()
    case.call_and_validate()


@pytest.mark.slow
@LONG.schema.parametrize()
@_SETTINGS
def test_every_operation_positive_and_negative_long(case: schemathesis.Case) -> None:
    LONG.reset()
    case.call_and_validate()


@pytest.mark.slow
@LONG_SEED.schema.parametrize()
@_SETTINGS
def test_every_operation_positive_and_negative_seed_long(case: schemathesis.Case) -> None:
    LONG_SEED.reset()
    case.call_and_validate()


def _run_stateful(target: Target, scenarios: int) -> None:
    class Machine(target.schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            target.reset()

    Machine.run(
        settings=hypothesis.settings(
            _SETTINGS,
            max_examples=scenarios,
            stateful_step_count=10,
            database=None,  # scenarios depend on the fake's state: never replay old ones
        )
    )


STATEFUL = [
    pytest.param("on-poll", ASYNC, "live", id="on-poll"),
    pytest.param("manual", ASYNC, "live", id="manual"),
    pytest.param("immediate", (), "live", id="immediate"),
    pytest.param("on-poll", ASYNC, "seed", id="seed-on-poll"),
]


@pytest.mark.parametrize(("completion", "exclude", "profile"), STATEFUL)
def test_stateful_sequences_along_the_links(
    completion: str, exclude: tuple[str, ...], profile: str
) -> None:
    target = _target(SHORT_EXAMPLES, completion=completion, exclude=exclude, profile=profile)
    _run_stateful(target, SHORT_SCENARIOS)


@pytest.mark.slow
@pytest.mark.parametrize(("completion", "exclude", "profile"), STATEFUL)
def test_stateful_sequences_along_the_links_long(
    completion: str, exclude: tuple[str, ...], profile: str
) -> None:
    target = _target(LONG_EXAMPLES, completion=completion, exclude=exclude, profile=profile)
    _run_stateful(target, LONG_SCENARIOS)
