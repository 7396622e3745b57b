"""The gRPC face never blocks: slow calls leave the others answering; garbage is refused.

Raw channels (``grpc.secure_channel`` with the fake's CA) rather than the SDK, to send
many calls at once and bytes that are not a request message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc
from yandex.cloud.compute.v1.image_service_pb2 import (
    CreateImageRequest,
    GetImageRequest,
    ListImagesRequest,
)
from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

from pytest_yc_images import Code, FakeImageService
from pytest_yc_images.faces import grpc_codec
from pytest_yc_images.faces.rest import MAX_BODY

FOLDER = "b1gnonblocking000001"
TOKEN = (("authorization", "Bearer fake-iam-token"),)
SLOW_CALLS = 24  # more than the 16 threads the face's thread pool had
LATENCY = 2.0


@pytest.fixture
def served() -> Iterator[tuple[FakeImageService, grpc.Channel]]:
    fake = FakeImageService()
    server = fake.serve_grpc()
    credentials = grpc.ssl_channel_credentials(root_certificates=server.ca_pem)
    channel = grpc.secure_channel(server.endpoint, credentials)
    try:
        yield fake, channel
    finally:
        channel.close()
        server.stop()


def test_slow_calls_leave_a_list_answering_at_once(
    served: tuple[FakeImageService, grpc.Channel],
) -> None:
    fake, channel = served
    stub = ImageServiceStub(channel)
    image_id = fake.put_image(folderId=FOLDER, name="slow")["id"]
    fake.add_latency("Get", LATENCY, times=SLOW_CALLS)
    started = time.monotonic()
    slow = [
        stub.Get.future(GetImageRequest(image_id=image_id), metadata=TOKEN, timeout=30)
        for _ in range(SLOW_CALLS)
    ]
    # Every Get has reached the fake (and now waits) before the List is sent.
    deadline = started + LATENCY / 2
    while len(fake.journal.calls("Get")) < SLOW_CALLS and time.monotonic() < deadline:
        time.sleep(0.005)
    assert len(fake.journal.calls("Get")) == SLOW_CALLS, "the Gets did not all arrive at once"

    before = time.monotonic()
    listed = stub.List(ListImagesRequest(folder_id=FOLDER), metadata=TOKEN, timeout=30)
    answered_in = time.monotonic() - before

    assert [image.id for image in listed.images] == [image_id]
    assert answered_in < 0.5, f"List waited {answered_in:.2f} s behind {SLOW_CALLS} slow Gets"
    assert all(call.result().id == image_id for call in slow)
    assert time.monotonic() - started >= LATENCY  # they were slow: the latency applied
    assert time.monotonic() - started < 2 * LATENCY  # and waited side by side, not in turn


def _raw_get(channel: grpc.Channel, method: str) -> Any:
    return channel.unary_unary(
        method,
        request_serializer=lambda raw: raw,
        response_deserializer=lambda raw: raw,
    )


@pytest.mark.parametrize(
    "garbage",
    [b"\xff\xff\xff\xff", b"\x0a\x64short", b"\x08" + b"\xff" * 11, b"\x0f"],
    ids=["bad-tag", "truncated-string", "overlong-varint", "end-group-tag"],
)
def test_bytes_that_are_not_the_request_are_invalid_argument(
    served: tuple[FakeImageService, grpc.Channel],
    garbage: bytes,
    violations: Callable[[Any], list[str]],
) -> None:
    fake, channel = served
    with pytest.raises(grpc.RpcError) as refused:
        _raw_get(channel, "/yandex.cloud.compute.v1.ImageService/Get")(
            garbage, metadata=TOKEN, timeout=10
        )
    error: Any = refused.value
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "does not parse as yandex.cloud.compute.v1.GetImageRequest" in error.details()
    assert violations(error) == ["body"]
    # And the face still answers, the same channel included.
    image_id = fake.put_image(folderId=FOLDER)["id"]
    assert (
        ImageServiceStub(channel)
        .Get(GetImageRequest(image_id=image_id), metadata=TOKEN, timeout=10)
        .id
        == image_id
    )


def test_a_well_formed_request_through_a_raw_channel_is_answered(
    served: tuple[FakeImageService, grpc.Channel],
) -> None:
    fake, channel = served
    image_id = fake.put_image(folderId=FOLDER)["id"]
    raw = GetImageRequest(image_id=image_id).SerializeToString()
    reply = _raw_get(channel, "/yandex.cloud.compute.v1.ImageService/Get")(
        raw, metadata=TOKEN, timeout=10
    )
    assert grpc_codec.RESPONSES["ImageService.Get"].FromString(reply).id == image_id
    (entry,) = fake.journal.calls("Get")
    assert entry.code == Code.OK
    assert entry.request == {"imageId": image_id}


def test_stop_ends_a_call_in_scripted_latency_at_once() -> None:
    fake = FakeImageService()
    server = fake.serve_grpc()
    credentials = grpc.ssl_channel_credentials(root_certificates=server.ca_pem)
    with grpc.secure_channel(server.endpoint, credentials) as channel:
        image_id = fake.put_image(folderId=FOLDER)["id"]
        fake.add_latency("Get", 60.0)
        call = ImageServiceStub(channel).Get.future(
            GetImageRequest(image_id=image_id), metadata=TOKEN, timeout=30
        )
        deadline = time.monotonic() + 5
        while not fake.journal.calls("Get") and time.monotonic() < deadline:
            time.sleep(0.005)
        before = time.monotonic()
        server.stop()
        stopped_in = time.monotonic() - before
        with pytest.raises(grpc.RpcError) as ended:
            call.result(timeout=5)
    assert stopped_in < 2, f"stop() took {stopped_in:.1f} s with a 60 s latency in flight"
    assert ended.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)
    server.stop()  # a second stop is a no-op


def test_a_request_over_the_rest_face_s_cap_is_refused_as_there(
    served: tuple[FakeImageService, grpc.Channel],
) -> None:
    fake, channel = served
    big = CreateImageRequest(folder_id=FOLDER, description="x" * (MAX_BODY + 1))
    with pytest.raises(grpc.RpcError) as refused:
        ImageServiceStub(channel).Create(big, metadata=TOKEN, timeout=10)
    error: Any = refused.value
    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert fake.journal.calls() == []  # refused before it reached the fake
    assert fake.images(FOLDER) == []
