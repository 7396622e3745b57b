"""Error bodies: the request ID they carry, and BadRequest's field violations."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_yc_images.conformance import Api, expect_error

MISSING = "fd8conformancenone0"  # 19 characters: no image has this ID
REQUEST_INFO = "type.googleapis.com/google.rpc.RequestInfo"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def _details(body: dict[str, Any], type_url: str) -> list[dict[str, Any]]:
    return [d for d in body.get("details", []) if d.get("@type") == type_url]


@pytest.mark.rule("errors.request-info", "errors.status")
def test_an_error_carries_the_request_id(api: Api) -> None:
    reply = api.get(MISSING)
    expect_error(reply, 5)
    infos = _details(reply.json(), REQUEST_INFO)
    assert infos, f"no RequestInfo: {reply.text}"
    assert infos[0].get("requestId"), f"no RequestInfo.requestId: {reply.text}"
    sent = "conformance-request-0001"
    reply = api.http.get(f"/compute/v1/images/{MISSING}", headers={"X-Request-Id": sent})
    expect_error(reply, 5)
    infos = _details(reply.json(), REQUEST_INFO)
    assert [i.get("requestId") for i in infos] == [sent], reply.text


@pytest.mark.rule("errors.bad-request", "list.page-size")
def test_a_field_violation_names_its_field_and_describes_it(api: Api) -> None:
    reply = api.list(pageSize=1001)
    expect_error(reply, 3)
    violations = [v for d in _details(reply.json(), BAD_REQUEST) for v in d["fieldViolations"]]
    assert [v.get("field") for v in violations] == ["pageSize"], reply.text
    assert all(isinstance(v.get("description"), str) and v["description"] for v in violations)
