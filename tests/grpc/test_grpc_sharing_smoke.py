"""Smoke: the three access-binding RPCs through the official SDK (foundation check)."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

from yandex.cloud.access.access_pb2 import (  # noqa: E402
    AccessBinding,
    AccessBindingDelta,
    AccessBindingsOperationResult,
    ListAccessBindingsRequest,
    SetAccessBindingsMetadata,
    SetAccessBindingsRequest,
    Subject,
    UpdateAccessBindingsMetadata,
    UpdateAccessBindingsRequest,
)


def test_set_update_list_through_the_sdk(yc_grpc: Any, images: Any, create_image: Any) -> None:
    image = create_image(name="golden")
    user = AccessBinding(role_id="viewer", subject=Subject(id="ajeuser1", type="userAccount"))
    op = images.SetAccessBindings(
        SetAccessBindingsRequest(resource_id=image.id, access_bindings=[user])
    )
    result = yc_grpc.sdk.wait_operation_and_get_result(
        op, response_type=AccessBindingsOperationResult, meta_type=SetAccessBindingsMetadata
    )
    assert result.meta.resource_id == image.id
    assert [d.access_binding.subject.id for d in result.response.effective_deltas] == ["ajeuser1"]
    delta = AccessBindingDelta(action=1, access_binding=AccessBinding(
        role_id="compute.images.user", subject=Subject(id="allAuthenticatedUsers", type="system")))
    op = images.UpdateAccessBindings(
        UpdateAccessBindingsRequest(resource_id=image.id, access_binding_deltas=[delta])
    )
    yc_grpc.sdk.wait_operation_and_get_result(
        op, response_type=AccessBindingsOperationResult, meta_type=UpdateAccessBindingsMetadata
    )
    page = images.ListAccessBindings(ListAccessBindingsRequest(resource_id=image.id))
    assert sorted(b.role_id for b in page.access_bindings) == ["compute.images.user", "viewer"]
