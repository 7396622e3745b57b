"""Issue 19 through the official SDK's stubs: ListAccessBindings, SetAccessBindings and
UpdateAccessBindings round trips, paging, validation naming fields, NOT_FOUND, the seed
profile's UNIMPLEMENTED, idempotency keys and faults. Expected values are written by hand
from ``live/access.proto``."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc
from yandex.cloud.access.access_pb2 import (
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
from yandex.cloud.operation.operation_service_pb2 import GetOperationRequest
from yandex.cloud.operation.operation_service_pb2_grpc import OperationServiceStub

from pytest_yc_images import YcGrpc

ADD, REMOVE = 1, 2  # AccessBindingAction
ACCESS = "type.googleapis.com/yandex.cloud.access."
KEY = "0b7d6d55-0c44-4d6b-8a5f-3f0c4e9d1a01"


def binding(role: str, subject_id: str, subject_type: str = "userAccount") -> AccessBinding:
    return AccessBinding(role_id=role, subject=Subject(id=subject_id, type=subject_type))


def plain(b: AccessBinding) -> tuple[str, str, str]:
    return (b.role_id, b.subject.type, b.subject.id)


VIEWER_A = binding("viewer", "ajea")
VIEWER_B = binding("viewer", "ajeb")
USER_C = binding("compute.images.user", "ajec")
EVERYONE = binding("compute.images.user", "allAuthenticatedUsers", "system")


@pytest.fixture
def image_id(yc_grpc: YcGrpc, yc_folder_id: str) -> str:
    return str(yc_grpc.fake.put_image(folderId=yc_folder_id, name="golden")["id"])


def _wait(yc_grpc: YcGrpc, op: Any, meta: Any) -> Any:
    return yc_grpc.sdk.wait_operation_and_get_result(
        op, response_type=AccessBindingsOperationResult, meta_type=meta
    )


def _set(yc_grpc: YcGrpc, images: Any, image_id: str, bindings: list[AccessBinding]) -> Any:
    request = SetAccessBindingsRequest(resource_id=image_id, access_bindings=bindings)
    return _wait(yc_grpc, images.SetAccessBindings(request), SetAccessBindingsMetadata)


def _update(yc_grpc: YcGrpc, images: Any, image_id: str, deltas: list[tuple[int, Any]]) -> Any:
    request = UpdateAccessBindingsRequest(
        resource_id=image_id,
        access_binding_deltas=[AccessBindingDelta(action=a, access_binding=b) for a, b in deltas],
    )
    return _wait(yc_grpc, images.UpdateAccessBindings(request), UpdateAccessBindingsMetadata)


def _deltas(result: Any) -> list[tuple[int, tuple[str, str, str]]]:
    return [(d.action, plain(d.access_binding)) for d in result.response.effective_deltas]


def _all(images: Any, image_id: str, page_size: int = 0) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    token = ""
    for _ in range(200):
        page = images.ListAccessBindings(
            ListAccessBindingsRequest(resource_id=image_id, page_size=page_size, page_token=token)
        )
        out += [plain(b) for b in page.access_bindings]
        token = page.next_page_token
        if not token:
            return out
    raise AssertionError("paging did not end")


def test_set_replaces_and_reports_the_effective_deltas(
    yc_grpc: YcGrpc, images: Any, image_id: str
) -> None:
    first = _set(yc_grpc, images, image_id, [VIEWER_A, VIEWER_B])
    assert first.meta.resource_id == image_id
    assert _deltas(first) == [(ADD, plain(VIEWER_A)), (ADD, plain(VIEWER_B))]
    second = _set(yc_grpc, images, image_id, [VIEWER_B, USER_C])
    assert _deltas(second) == [(REMOVE, plain(VIEWER_A)), (ADD, plain(USER_C))]
    assert _all(images, image_id) == [plain(USER_C), plain(VIEWER_B)]
    cleared = _set(yc_grpc, images, image_id, [])
    assert _deltas(cleared) == [(REMOVE, plain(USER_C)), (REMOVE, plain(VIEWER_B))]
    assert _all(images, image_id) == []


def test_update_adds_and_removes_and_only_changes_are_effective(
    yc_grpc: YcGrpc, images: Any, image_id: str
) -> None:
    _set(yc_grpc, images, image_id, [VIEWER_A, VIEWER_B])
    result = _update(
        yc_grpc,
        images,
        image_id,
        [(ADD, VIEWER_A), (REMOVE, USER_C), (ADD, EVERYONE), (REMOVE, VIEWER_B)],
    )
    assert result.meta.resource_id == image_id
    assert _deltas(result) == [(REMOVE, plain(VIEWER_B)), (ADD, plain(EVERYONE))]
    assert _all(images, image_id) == [plain(EVERYONE), plain(VIEWER_A)]


def test_the_operation_packs_the_access_types(yc_grpc: YcGrpc, images: Any, image_id: str) -> None:
    op = images.SetAccessBindings(
        SetAccessBindingsRequest(resource_id=image_id, access_bindings=[VIEWER_A])
    )
    assert op.metadata.type_url == ACCESS + "SetAccessBindingsMetadata"
    operations = yc_grpc.sdk.client(OperationServiceStub)
    done = operations.Get(GetOperationRequest(operation_id=op.id))
    assert done.done
    assert done.response.type_url == ACCESS + "AccessBindingsOperationResult"
    delta = AccessBindingDelta(action=REMOVE, access_binding=VIEWER_A)
    op = images.UpdateAccessBindings(
        UpdateAccessBindingsRequest(resource_id=image_id, access_binding_deltas=[delta])
    )
    assert op.metadata.type_url == ACCESS + "UpdateAccessBindingsMetadata"
    meta = UpdateAccessBindingsMetadata()
    assert op.metadata.Unpack(meta)
    assert meta.resource_id == image_id
    operations.Get(GetOperationRequest(operation_id=op.id))  # finish it (on-poll)


def test_list_pages_every_binding_exactly_once(yc_grpc: YcGrpc, images: Any, image_id: str) -> None:
    bindings = [binding("viewer", f"aje{n:03d}") for n in range(7)]
    _set(yc_grpc, images, image_id, bindings)
    first = images.ListAccessBindings(ListAccessBindingsRequest(resource_id=image_id, page_size=3))
    assert [plain(b) for b in first.access_bindings] == [plain(b) for b in bindings[:3]]
    assert first.next_page_token
    assert _all(images, image_id, page_size=3) == [plain(b) for b in bindings]
    assert _all(images, image_id, page_size=1000) == [plain(b) for b in bindings]


def test_a_forged_page_token_is_refused(
    yc_grpc: YcGrpc, images: Any, image_id: str, violations: Any
) -> None:
    _set(yc_grpc, images, image_id, [VIEWER_A, VIEWER_B])
    with pytest.raises(grpc.RpcError) as caught:
        images.ListAccessBindings(
            ListAccessBindingsRequest(resource_id=image_id, page_size=1, page_token="forged")
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["pageToken"]


_SET_REFUSED = [
    ([binding("r" * 65, "ajea")], "accessBindings[0].roleId"),
    ([binding("viewer", "a" * 101)], "accessBindings[0].subject.id"),
    ([VIEWER_A, AccessBinding(role_id="viewer")], "accessBindings[1].subject"),
    ([VIEWER_A] * 1001, "accessBindings"),
    ([binding("viewer", "ajea", "robot")], "accessBindings[0].subject.type"),
    ([binding("viewer", "allUsers", "userAccount")], "accessBindings[0].subject.type"),
    ([binding("viewer", "ajea", "system")], "accessBindings[0].subject.id"),
    ([binding("no.such.role", "ajea")], "accessBindings[0].roleId"),
]


@pytest.mark.parametrize(("bindings", "field"), _SET_REFUSED)
def test_set_refuses_bad_bindings_naming_the_field(
    yc_grpc: YcGrpc, images: Any, image_id: str, violations: Any, bindings: Any, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        images.SetAccessBindings(
            SetAccessBindingsRequest(resource_id=image_id, access_bindings=bindings)
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == [field]
    assert yc_grpc.fake.operations(image_id) == []


_UPDATE_REFUSED = [
    ([], "accessBindingDeltas"),
    ([AccessBindingDelta(access_binding=VIEWER_A)], "accessBindingDeltas[0].action"),
    ([AccessBindingDelta(action=ADD)], "accessBindingDeltas[0].accessBinding"),
    ([AccessBindingDelta(action=ADD, access_binding=binding("viewer", "allUsers", "userAccount"))],
     "accessBindingDeltas[0].accessBinding.subject.type"),
    ([AccessBindingDelta(action=REMOVE, access_binding=VIEWER_A)] * 1001, "accessBindingDeltas"),
]  # fmt: skip


@pytest.mark.parametrize(("deltas", "field"), _UPDATE_REFUSED)
def test_update_refuses_bad_deltas_naming_the_field(
    yc_grpc: YcGrpc, images: Any, image_id: str, violations: Any, deltas: Any, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        images.UpdateAccessBindings(
            UpdateAccessBindingsRequest(resource_id=image_id, access_binding_deltas=deltas)
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == [field]


@pytest.mark.parametrize(
    ("method", "request_message"),
    [
        ("ListAccessBindings", ListAccessBindingsRequest(resource_id="f" * 65)),
        ("SetAccessBindings", SetAccessBindingsRequest(resource_id="f" * 65)),
        (
            "UpdateAccessBindings",
            UpdateAccessBindingsRequest(
                resource_id="f" * 65,
                access_binding_deltas=[AccessBindingDelta(action=ADD, access_binding=VIEWER_A)],
            ),
        ),
        ("ListAccessBindings", ListAccessBindingsRequest()),
    ],
)
def test_the_resource_id_is_checked(
    images: Any, violations: Any, method: str, request_message: Any
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        getattr(images, method)(request_message)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["resourceId"]


@pytest.mark.parametrize(
    ("method", "request_message"),
    [
        ("ListAccessBindings", ListAccessBindingsRequest(resource_id="fd8nosuchimage000000")),
        ("SetAccessBindings", SetAccessBindingsRequest(resource_id="fd8nosuchimage000000")),
        (
            "UpdateAccessBindings",
            UpdateAccessBindingsRequest(
                resource_id="fd8nosuchimage000000",
                access_binding_deltas=[AccessBindingDelta(action=ADD, access_binding=VIEWER_A)],
            ),
        ),
    ],
)
def test_an_unknown_image_is_not_found(images: Any, method: str, request_message: Any) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        getattr(images, method)(request_message)
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
    assert "fd8nosuchimage000000" in (caught.value.details() or "")


@pytest.mark.yc_images(profile="seed")
@pytest.mark.parametrize(
    ("method", "request_message"),
    [
        ("ListAccessBindings", ListAccessBindingsRequest(resource_id="fd8x")),
        ("SetAccessBindings", SetAccessBindingsRequest(resource_id="fd8x")),
        ("UpdateAccessBindings", UpdateAccessBindingsRequest(resource_id="fd8x")),
    ],
)
def test_the_seed_profile_answers_unimplemented(
    yc_grpc: YcGrpc, images: Any, method: str, request_message: Any
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        getattr(images, method)(request_message)
    assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
    assert yc_grpc.fake.service.store.bindings == {}


def test_a_repeat_with_the_idempotency_key_gets_the_first_operation(
    yc_grpc: YcGrpc, images: Any, image_id: str
) -> None:
    request = SetAccessBindingsRequest(resource_id=image_id, access_bindings=[VIEWER_A])
    metadata = (("idempotency-key", KEY),)
    first = images.SetAccessBindings(request, metadata=metadata)
    again = images.SetAccessBindings(request, metadata=metadata)
    assert again.id == first.id
    assert [e.replayed for e in yc_grpc.fake.journal.calls("SetAccessBindings")] == [False, True]
    _wait(yc_grpc, first, SetAccessBindingsMetadata)


def test_scripted_faults_hit_the_new_methods(yc_grpc: YcGrpc, images: Any, image_id: str) -> None:
    yc_grpc.fake.fail_next("ListAccessBindings", "PERMISSION_DENIED", message="scripted")
    with pytest.raises(grpc.RpcError) as caught:
        images.ListAccessBindings(ListAccessBindingsRequest(resource_id=image_id))
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert caught.value.details() == "scripted"
    yc_grpc.fake.fail_next_operation("UpdateAccessBindings", "FAILED_PRECONDITION")
    request = UpdateAccessBindingsRequest(
        resource_id=image_id,
        access_binding_deltas=[AccessBindingDelta(action=ADD, access_binding=VIEWER_A)],
    )
    op = images.UpdateAccessBindings(request)
    done = yc_grpc.sdk.client(OperationServiceStub).Get(GetOperationRequest(operation_id=op.id))
    assert done.done
    assert done.error.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert _all(images, image_id) == []


def test_grpc_and_rest_see_the_same_bindings(yc_grpc: YcGrpc, images: Any, image_id: str) -> None:
    _set(yc_grpc, images, image_id, [VIEWER_A, EVERYONE])
    with yc_grpc.fake.client() as http:
        listed = http.get(f"/compute/v1/images/{image_id}:listAccessBindings").json()
    assert listed == {
        "accessBindings": [
            {
                "roleId": "compute.images.user",
                "subject": {"id": "allAuthenticatedUsers", "type": "system"},
            },
            {"roleId": "viewer", "subject": {"id": "ajea", "type": "userAccount"}},
        ]
    }
