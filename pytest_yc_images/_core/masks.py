"""Update masks: which fields of an image an Update sets."""

from __future__ import annotations

from ..errors import ServiceError

__all__ = ["UPDATABLE", "parse_mask"]

# JSON name -> attribute of the Image record.
UPDATABLE = {
    "name": "name",
    "description": "description",
    "minDiskSize": "min_disk_size",
    "labels": "labels",
}


def parse_mask(mask: str | None) -> tuple[str, ...]:
    """The JSON field names a mask selects; no mask (or an empty one) selects all."""
    if not mask:
        return tuple(UPDATABLE)
    fields: list[str] = []
    for raw in mask.split(","):
        path = raw.strip()
        if path not in UPDATABLE:
            raise ServiceError.invalid(
                "updateMask",
                f"unknown or read-only field {raw.strip()!r}; "
                f"updatable fields are {', '.join(UPDATABLE)}",
            )
        if path not in fields:
            fields.append(path)
    return tuple(fields)
