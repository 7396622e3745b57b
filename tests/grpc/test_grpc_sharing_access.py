"""Who may see and use a shared image, through the official SDK's stubs: the yc_grpc
fixture's SDK is the owner (``--yc-token``); a second SDK on the same endpoint is the
subject the image is shared with. gRPC codes as API.md maps them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc
import yandexcloud
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
from yandex.cloud.compute.v1.image_pb2 import Image
from yandex.cloud.compute.v1.image_service_pb2 import (
    CreateImageMetadata,
    CreateImageRequest,
    DeleteImageRequest,
    GetImageLatestByFamilyRequest,
    GetImageRequest,
    ListImagesRequest,
    UpdateImageRequest,
)
from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

from pytest_yc_images import YcGrpc

OWNERS = "b1gownerfolder000001"
BOBS = "b1gbobfolder00000001"
BOB_ID = "ajebob00000000000001"
ORG = "group:organization:bpforg000000000001:users"
ACCESS = {
    "fake-iam-token": [OWNERS],  # the fixture's own SDK: the owner
    "bob": {"folders": [BOBS], "subject": {"id": BOB_ID, "type": "userAccount"}},
    "carol": {"folders": [], "groups": [ORG]},
    "dave": ["b1gdavefolder0000001"],
}
ADD, REMOVE = 1, 2  # AccessBindingAction


@pytest.fixture
def yc_folder_id() -> str:
    return OWNERS  # create_image (conftest) creates in the owner's folder


@pytest.fixture
def sdk_for(yc_grpc: YcGrpc) -> Callable[[str], Any]:
    """An SDK on the fixture's endpoint with another token."""

    def make(token: str) -> Any:
        return yandexcloud.SDK(
            endpoint=yc_grpc.endpoint, iam_token=token, root_certificates=yc_grpc.ca_pem
        )

    return make


def _binding(role: str, subject_type: str, subject_id: str) -> AccessBinding:
    return AccessBinding(role_id=role, subject=Subject(id=subject_id, type=subject_type))


def _set(yc_grpc: YcGrpc, images: Any, image_id: str, *bindings: AccessBinding) -> Any:
    op = images.SetAccessBindings(
        SetAccessBindingsRequest(resource_id=image_id, access_bindings=list(bindings))
    )
    return yc_grpc.sdk.wait_operation_and_get_result(
        op, response_type=AccessBindingsOperationResult, meta_type=SetAccessBindingsMetadata
    )


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    code: grpc.StatusCode = raised.value.code()
    return code


pytestmark = pytest.mark.yc_images(access=ACCESS)


def test_a_shared_image_is_got_and_used_by_its_subject_and_no_more(
    yc_grpc: YcGrpc, images: Any, create_image: Any, sdk_for: Callable[[str], Any]
) -> None:
    image = create_image(name="golden", family="app")
    bob_sdk = sdk_for("bob")
    bob = bob_sdk.client(ImageServiceStub)
    get = GetImageRequest(image_id=image.id)
    assert _code(lambda: bob.Get(get)) == grpc.StatusCode.NOT_FOUND

    _set(yc_grpc, images, image.id, _binding("compute.images.user", "userAccount", BOB_ID))
    assert bob.Get(get).folder_id == OWNERS
    made = bob_sdk.wait_operation_and_get_result(
        bob.Create(CreateImageRequest(folder_id=BOBS, image_id=image.id, name="mine")),
        response_type=Image,
        meta_type=CreateImageMetadata,
    )
    assert made.response.folder_id == BOBS
    denied = grpc.StatusCode.PERMISSION_DENIED
    assert _code(lambda: bob.List(ListImagesRequest(folder_id=OWNERS))) == denied
    latest = GetImageLatestByFamilyRequest(folder_id=OWNERS, family="app")
    assert _code(lambda: bob.GetLatestByFamily(latest)) == denied
    update = UpdateImageRequest(image_id=image.id, name="renamed")
    update.update_mask.paths.append("name")
    assert _code(lambda: bob.Update(update)) == denied
    assert _code(lambda: bob.Delete(DeleteImageRequest(image_id=image.id))) == denied
    assert images.Get(get).name == "golden"  # nothing changed


def test_an_editor_may_update_and_delete(
    yc_grpc: YcGrpc, images: Any, create_image: Any, sdk_for: Callable[[str], Any]
) -> None:
    image = create_image(name="golden")
    bob_sdk = sdk_for("bob")
    bob = bob_sdk.client(ImageServiceStub)
    _set(yc_grpc, images, image.id, _binding("editor", "userAccount", BOB_ID))
    update = UpdateImageRequest(image_id=image.id, description="by bob")
    update.update_mask.paths.append("description")
    bob_sdk.wait_operation_and_get_result(bob.Update(update), response_type=Image)
    assert images.Get(GetImageRequest(image_id=image.id)).description == "by bob"
    bob_sdk.wait_operation_and_get_result(bob.Delete(DeleteImageRequest(image_id=image.id)))
    assert _code(lambda: images.Get(GetImageRequest(image_id=image.id))) == (
        grpc.StatusCode.NOT_FOUND
    )


def test_revoking_by_update_remove_and_by_set_empty(
    yc_grpc: YcGrpc, images: Any, create_image: Any, sdk_for: Callable[[str], Any]
) -> None:
    image = create_image(name="golden")
    bob = sdk_for("bob").client(ImageServiceStub)
    get = GetImageRequest(image_id=image.id)
    user = _binding("compute.images.user", "userAccount", BOB_ID)
    _set(yc_grpc, images, image.id, user)
    assert bob.Get(get).id == image.id
    op = images.UpdateAccessBindings(
        UpdateAccessBindingsRequest(
            resource_id=image.id,
            access_binding_deltas=[AccessBindingDelta(action=REMOVE, access_binding=user)],
        )
    )
    yc_grpc.sdk.wait_operation_and_get_result(
        op, response_type=AccessBindingsOperationResult, meta_type=UpdateAccessBindingsMetadata
    )
    assert _code(lambda: bob.Get(get)) == grpc.StatusCode.NOT_FOUND
    _set(yc_grpc, images, image.id, user)
    assert bob.Get(get).id == image.id
    _set(yc_grpc, images, image.id)  # Set []: clears
    assert _code(lambda: bob.Get(get)) == grpc.StatusCode.NOT_FOUND
    page = images.ListAccessBindings(ListAccessBindingsRequest(resource_id=image.id))
    assert list(page.access_bindings) == []


def test_all_authenticated_users_shares_with_every_token(
    yc_grpc: YcGrpc, images: Any, create_image: Any, sdk_for: Callable[[str], Any]
) -> None:
    image = create_image(name="golden")
    get = GetImageRequest(image_id=image.id)
    _set(yc_grpc, images, image.id, _binding("viewer", "system", "allAuthenticatedUsers"))
    for token in ("bob", "carol", "dave"):
        assert sdk_for(token).client(ImageServiceStub).Get(get).id == image.id, token


def test_a_group_binding_reaches_its_members_only(
    yc_grpc: YcGrpc, images: Any, create_image: Any, sdk_for: Callable[[str], Any]
) -> None:
    image = create_image(name="golden")
    get = GetImageRequest(image_id=image.id)
    _set(yc_grpc, images, image.id, _binding("viewer", "system", ORG))
    carol = sdk_for("carol").client(ImageServiceStub)
    assert carol.Get(get).id == image.id
    page = carol.ListAccessBindings(ListAccessBindingsRequest(resource_id=image.id))
    assert [b.subject.id for b in page.access_bindings] == [ORG]
    assert _code(
        lambda: carol.SetAccessBindings(SetAccessBindingsRequest(resource_id=image.id))
    ) == (grpc.StatusCode.PERMISSION_DENIED)
    dave = sdk_for("dave").client(ImageServiceStub)
    assert _code(lambda: dave.Get(get)) == grpc.StatusCode.NOT_FOUND
