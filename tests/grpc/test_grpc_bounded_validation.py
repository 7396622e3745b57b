"""A huge invalid request through the gRPC face: INVALID_ARGUMENT with a bounded BadRequest.

The gRPC face shares the request path, and so its validation's bounds: the client gets the
first violations and a count of the rest in the status message, within the trailer size a
gRPC client accepts by default, and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

import grpc
from yandex.cloud.compute.v1.image_service_pb2 import CreateImageRequest

from pytest_yc_images import YcGrpc
from pytest_yc_images._validation import MAX_LISTED

SOURCE = "https://storage.yandexcloud.net/builds/app.qcow2"


@pytest.mark.parametrize(
    "fields",
    [
        {"labels": {f"K{i}": "V" for i in range(40_000)}},  # ~600 KB, 80,001 violations
        {"product_ids": ["p" * 51] * 12_000},  # ~650 KB, one violation per item
        {"labels": {f"k{i}-" + "x" * 90: "V" * 100 for i in range(3_000)}},  # long names
        {"labels": {f"ключ{i}" + "я" * 90: "V" for i in range(3_000)}},  # percent-encoded
    ],
    ids=["label-keys", "product-ids", "long-labels", "unicode-labels"],
)
def test_a_huge_invalid_request_is_invalid_argument_with_a_bounded_bad_request(
    yc_grpc: YcGrpc,
    images: Any,
    yc_folder_id: str,
    violations: Callable[[Any], list[str]],
    fields: dict[str, Any],
) -> None:
    before = yc_grpc.fake.images()
    request = CreateImageRequest(folder_id=yc_folder_id, uri=SOURCE, **fields)
    with pytest.raises(grpc.RpcError) as caught:
        images.Create(request, timeout=30)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()
    named = violations(caught.value)
    assert 0 < len(named) <= MAX_LISTED
    more = re.search(r"\(and (\d+) more not listed\)$", caught.value.details())
    assert more is not None, caught.value.details()[-200:]
    count = len(fields.get("product_ids", ())) or len(fields["labels"])
    assert len(named) + int(more.group(1)) >= count
    assert yc_grpc.fake.images() == before
    assert images.Create(CreateImageRequest(folder_id=yc_folder_id, uri=SOURCE)).id  # serves on
