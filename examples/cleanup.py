"""Image cleanup: keep the newest images of each family in a folder, delete the rest.

Downstream-style code, written against the Compute REST API with plain httpx and no
knowledge of the fake: hand it a client with a base URL and a bearer token, e.g.::

    headers = {"Authorization": f"Bearer {iam_token}"}
    with httpx.Client(base_url="https://compute.api.cloud.yandex.net", headers=headers) as c:
        deleted = keep_newest(c, "b1g...", keep=3, backoff=1.0, poll_interval=2.0)

(Operations are read from ``/operations/{id}`` on the same base URL.) Its tests,
``tests/plugin/test_example_cleanup.py``, run it against the pytest-yc-images fixtures.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

import httpx

__all__ = ["CleanupError", "keep_newest"]

IMAGES = "/compute/v1/images"
UNAVAILABLE = 503  # gRPC UNAVAILABLE as the REST gateway answers it: worth retrying
KEPT_STATUSES = frozenset({"READY"})
DELETABLE_STATUSES = frozenset({"READY", "ERROR"})  # CREATING/DELETING are in flight


class CleanupError(RuntimeError):
    """A delete operation ended in an error, or did not end in time."""


def keep_newest(
    client: httpx.Client,
    folder_id: str,
    keep: int,
    *,
    retries: int = 3,
    backoff: float = 0.0,
    page_size: int = 100,
    poll_interval: float = 0.0,
    max_polls: int = 600,
) -> list[str]:
    """Keep the ``keep`` newest READY images of every family in ``folder_id``; delete the rest.

    Lists every image of the folder (following ``nextPageToken``), groups them by family
    (images without one are never touched), orders each family by ``createdAt`` and keeps
    the newest ``keep`` READY ones. The family's other READY images and its ERROR images
    are deleted; CREATING and DELETING images are in flight and left alone.

    Every delete is started first, then each operation is polled until ``done``
    (``poll_interval`` seconds apart, at most ``max_polls`` times). A reply of HTTP 503
    (UNAVAILABLE) is retried up to ``retries`` times, ``backoff * 2**attempt`` seconds
    apart. Each delete carries an ``Idempotency-Key`` that stays the same across its
    retries, so a delete whose reply was lost is not made twice.

    Returns the IDs of the deleted images, oldest first within each family. Raises
    :class:`httpx.HTTPStatusError` for any other error reply (or when retries run out)
    and :class:`CleanupError` when a delete operation fails or does not finish.
    """
    if keep < 0:
        raise ValueError(f"keep must be at least 0, not {keep}")
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for image in _list_images(client, folder_id, page_size, retries, backoff):
        if image.get("family"):
            families[image["family"]].append(image)

    doomed: list[str] = []
    for family in sorted(families):
        newest_first = sorted(families[family], key=_age_key, reverse=True)
        ready = [image for image in newest_first if image.get("status") in KEPT_STATUSES]
        kept = {image["id"] for image in ready[:keep]}
        doomed += [
            image["id"]
            for image in reversed(newest_first)
            if image["id"] not in kept and image.get("status") in DELETABLE_STATUSES
        ]

    operations = [_start_delete(client, image_id, retries, backoff) for image_id in doomed]
    for image_id, operation in zip(doomed, operations, strict=True):
        _wait(client, image_id, operation, retries, backoff, poll_interval, max_polls)
    return doomed


def _age_key(image: dict[str, Any]) -> tuple[datetime, str]:
    # RFC 3339 with 0 to 9 fraction digits: compare instants, not strings.
    return datetime.fromisoformat(image["createdAt"]), image["id"]


def _send(
    client: httpx.Client,
    method: str,
    url: str,
    retries: int,
    backoff: float,
    **kwargs: Any,
) -> dict[str, Any]:
    """One API call, retried on UNAVAILABLE; the JSON body of the successful reply."""
    for attempt in range(retries + 1):
        reply = client.request(method, url, **kwargs)
        if reply.status_code != UNAVAILABLE or attempt == retries:
            break
        if backoff:
            time.sleep(backoff * 2**attempt)
    reply.raise_for_status()
    body: dict[str, Any] = reply.json()
    return body


def _list_images(
    client: httpx.Client, folder_id: str, page_size: int, retries: int, backoff: float
) -> list[dict[str, Any]]:
    images: list[dict[str, Any]] = []
    params: dict[str, Any] = {"folderId": folder_id, "pageSize": page_size}
    while True:
        page = _send(client, "GET", IMAGES, retries, backoff, params=params)
        images += page.get("images", [])
        token = page.get("nextPageToken")
        if not token:
            return images
        params = {**params, "pageToken": token}


def _start_delete(
    client: httpx.Client, image_id: str, retries: int, backoff: float
) -> dict[str, Any]:
    headers = {"Idempotency-Key": str(uuid.uuid4())}  # one key for all retries of this delete
    return _send(client, "DELETE", f"{IMAGES}/{image_id}", retries, backoff, headers=headers)


def _wait(
    client: httpx.Client,
    image_id: str,
    operation: dict[str, Any],
    retries: int,
    backoff: float,
    poll_interval: float,
    max_polls: int,
) -> None:
    polls = 0
    while not operation.get("done"):
        if polls == max_polls:
            raise CleanupError(
                f"deleting image {image_id}: operation {operation['id']} "
                f"not done after {max_polls} polls"
            )
        if polls and poll_interval:
            time.sleep(poll_interval)
        operation = _send(client, "GET", f"/operations/{operation['id']}", retries, backoff)
        polls += 1
    if "error" in operation:
        message = operation["error"].get("message", "")
        raise CleanupError(f"deleting image {image_id} failed: {message}")
