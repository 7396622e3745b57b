"""The public folder ``standard-images``: a small, realistic catalogue, the same in every fake."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from .model import Image

__all__ = ["standard_images"]

_GIB = 1024**3


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


# id, family, name, created, storage GiB, min disk GiB, os, product id, pooled, description
_CATALOGUE = [
    (
        "fd8a1ejo4ucrhdihu5ge",
        "ubuntu-2204-lts",
        "ubuntu-22-04-lts-v20250414",
        "2025-04-14T10:08:31",
        8,
        8,
        "LINUX",
        "f2ekpu3d5hvm38ub5lja",
        True,
        "ubuntu 22.04 lts",
    ),
    (
        "fd8k3q9nh7f2d8mj6t0a",
        "ubuntu-2204-lts",
        "ubuntu-22-04-lts-v20250602",
        "2025-06-02T09:41:12",
        8,
        8,
        "LINUX",
        "f2ekpu3d5hvm38ub5lja",
        True,
        "ubuntu 22.04 lts",
    ),
    (
        "fd8b7tpl1ad2ugs2kvdn",
        "ubuntu-2004-lts",
        "ubuntu-20-04-lts-v20250519",
        "2025-05-19T11:20:05",
        7,
        8,
        "LINUX",
        "f2e3ijktqdm7cdhhmkbb",
        True,
        "ubuntu 20.04 lts",
    ),
    (
        "fd8c2vp1mbrd9t5vq4kb",
        "debian-12",
        "debian-12-v20250310",
        "2025-03-10T08:00:44",
        3,
        5,
        "LINUX",
        "f2ecl0hdq6ibjv5s3dbp",
        False,
        "debian 12",
    ),
    (
        "fd8p4s1ujh8fd3d6ra6e",
        "debian-12",
        "debian-12-v20250526",
        "2025-05-26T08:02:17",
        3,
        5,
        "LINUX",
        "f2ecl0hdq6ibjv5s3dbp",
        True,
        "debian 12",
    ),
    (
        "fd8q1r7e2ldm3b5f6e1u",
        "container-optimized-image",
        "container-optimized-image-v20250520",
        "2025-05-20T14:33:09",
        2,
        30,
        "LINUX",
        "f2evsktr7ihqv0fql2qs",
        True,
        "Container Optimized Image 3.1.18",
    ),
    (
        "fd8vfg7bpl9lj0s6tq1m",
        "windows-2022-dc-gvlk",
        "windows-2022-dc-gvlk-v20250428",
        "2025-04-28T16:47:51",
        19,
        50,
        "WINDOWS",
        "f2erln76ocjn0sph3v9a",
        False,
        "Windows Server 2022 Datacenter",
    ),
]


def standard_images() -> list[Image]:
    """Fresh records of the public catalogue, oldest first."""
    return [image.copy() for image in _records()]


@cache
def _records() -> tuple[Image, ...]:
    """The catalogue as records, built once; callers get copies."""
    images = []
    for seq, row in enumerate(_CATALOGUE, start=1):
        image_id, family, name, created, size, min_disk, os_type, product, pooled, desc = row
        images.append(
            Image(
                id=image_id,
                folder_id="standard-images",
                created_at=_at(created),
                name=name,
                description=desc,
                family=family,
                storage_size=size * _GIB,
                min_disk_size=min_disk * _GIB,
                product_ids=[product],
                status="READY",
                os_type=os_type,
                pooled=pooled,
                seq=seq,
            )
        )
    return tuple(images)
