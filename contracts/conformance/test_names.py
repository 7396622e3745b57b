"""Image names by profile: today's proto allows "_" inside a name
(`|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?`, live/image_service.proto, Create and Update); the
seed's pattern (`|[a-z]([-a-z0-9]{0,61}[a-z0-9])?`) does not. Each contract renames the
run's scratch image (an Update): no image of its own."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error, violations

pytestmark = pytest.mark.mutating


def _underscored(api: Api) -> str:
    """A fresh name of this run with "_" inside it (valid in live, not in seed)."""
    name = api.run.name("u")
    return name[:-5] + "_" + name[-4:]  # "..._ab12": "_" between two of its characters


def _rename(api: Api, image: dict[str, Any], name: str) -> Any:
    return api.update(str(image["id"]), {"updateMask": "name", "name": name})


@pytest.mark.profile("live")
@pytest.mark.rule("live.name-underscore")
def test_a_name_with_an_underscore_is_taken(api: Api, scratch_image: dict[str, Any]) -> None:
    name = _underscored(api)
    reply = _rename(api, scratch_image, name)
    assert reply.status_code == 200, reply.text
    done = api.wait(reply.json())
    assert "error" not in done, done
    assert api.get(str(scratch_image["id"])).json().get("name") == name


@pytest.mark.profile("seed")
@pytest.mark.rule("seed.name-pattern", "errors.bad-request")
def test_a_name_with_an_underscore_is_refused(api: Api, scratch_image: dict[str, Any]) -> None:
    reply = _rename(api, scratch_image, _underscored(api))
    expect_error(reply, 3)
    assert "name" in violations(reply)
