"""The quick check (jsonschema-rs) agrees with the explaining validator (jsonschema).

The request path trusts a quick "valid" and asks jsonschema otherwise, so a message the
quick check accepts but jsonschema rejects would slip through: these pin agreement.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_yc_images import message_names, validator
from pytest_yc_images._contracts import fast_check
from pytest_yc_images.strategies import from_schema, invalid_requests

REQUESTS = [n for n in message_names() if n.endswith("Request")]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", message_names())
@SETTINGS
@given(data=st.data())
def test_quick_check_accepts_what_the_validator_accepts(name: str, data: Any) -> None:
    message = data.draw(from_schema(name))
    assert validator(name).is_valid(message)
    assert fast_check(name)(message)


@pytest.mark.parametrize("name", REQUESTS)
@SETTINGS
@given(data=st.data())
def test_quick_check_rejects_what_the_validator_rejects(name: str, data: Any) -> None:
    _, message = data.draw(invalid_requests(name))
    assert not validator(name).is_valid(message)
    assert not fast_check(name)(message)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("CreateImageRequest", {"folderId": "b1g", "name": "abc\n"}),  # ECMA '$'
        ("CreateImageRequest", {"folderId": "b1g", "imageId": "a", "uri": "b"}),  # oneof
        ("CreateImageRequest", {"folderId": "b1g", "minDiskSize": "4194303"}),
        ("CreateImageRequest", {"folderId": "b1g", "minDiskSize": 10**30}),
        ("UpdateImageRequest", {"imageId": "x", "labels": {"Key": "v"}}),
        ("ListImagesRequest", {"folderId": "b1g", "pageSize": "1001"}),
    ],
)
def test_quick_check_rejects_known_bad_messages(name: str, message: dict[str, Any]) -> None:
    assert not validator(name).is_valid(message)
    assert not fast_check(name)(message)
