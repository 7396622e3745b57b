"""Controls an adversarial review of issue 15 found accepting what no service could
answer; each refusal names the field and changes nothing."""

from __future__ import annotations

import pytest

from pytest_yc_images import FakeImageService, ServiceError
from tests.conftest import FOLDER, checked_client, fake_state


@pytest.mark.parametrize("second", ["60", "61"])
def test_a_created_at_second_past_59_is_refused(second: str) -> None:
    fake = FakeImageService()
    before = fake_state(fake)
    created_at = f"2024-01-01T23:59:{second}Z"  # parse_time rolled it over into the next day
    with pytest.raises(ServiceError) as refused:
        fake.put_image(folderId=FOLDER, createdAt=created_at)
    assert [v.field for v in refused.value.violations] == ["createdAt"]
    with checked_client(fake) as client:
        reply = client.post("/_fake/images", json={"folderId": FOLDER, "createdAt": created_at})
    assert reply.status_code == 400
    assert fake_state(fake) == before


@pytest.mark.parametrize("method", ["Get", "List", "GetLatestByFamily", "OperationService.Get"])
def test_an_operation_fault_on_a_method_that_starts_none_is_refused(method: str) -> None:
    fake = FakeImageService()
    with pytest.raises(ServiceError) as refused:
        fake.fail_next_operation(method)
    [violation] = refused.value.violations
    assert violation.field == "method"
    assert "Create" in violation.description  # it names the methods that do start one
    with checked_client(fake) as client:
        spec = {"kind": "operation_error", "method": method}
        reply = client.post("/_fake/faults", json=spec)
    assert reply.status_code == 400
    assert fake.faults == []


@pytest.mark.parametrize("method", ["Create", "Update", "Delete", "*"])
def test_an_operation_fault_on_a_method_that_starts_one_is_taken(method: str) -> None:
    fake = FakeImageService()
    fake.fail_next_operation(method)
    assert len(fake.faults) == 1
