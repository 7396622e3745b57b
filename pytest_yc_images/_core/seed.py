"""The public folder ``standard-images``: the catalogue every fake serves, built once.

The catalogue is data (``pytest_yc_images/data/standard_images.json``, read by
``_catalogue``); this module turns that data into records and indexes them once, so a
new fake shares them instead of copying them (:meth:`Store.share`). Pure: the JSON comes
in as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .model import Image
from .store import Store

__all__ = ["Catalogue", "catalogue_from_json"]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The public folder's images, indexed once in ``store`` (which holds nothing else).

    Fakes share ``store``'s records and index read-only; a fake that writes to the folder
    first copies them (:meth:`Store.share`). ``seq`` and ``last_stamp`` are the last
    creation sequence number and the newest ``createdAt`` among the images, which a fake
    continues from."""

    folder_id: str
    store: Store
    reflects: str  # the date the catalogue reflects (YYYY-MM-DD)
    seq: int
    last_stamp: float

    def images(self) -> list[Image]:
        """Fresh copies of the records, oldest first."""
        records = self.store.images.values()
        return [image.copy() for image in sorted(records, key=lambda image: image.seq)]


def _timestamp(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()  # "...Z": aware, UTC


def _image(data: Mapping[str, Any], seq: int) -> Image:
    os = data.get("os") or {}
    return Image(
        id=data["id"],
        folder_id=data["folderId"],
        created_at=_timestamp(data["createdAt"]),
        name=data.get("name", ""),
        description=data.get("description", ""),
        labels=dict(data.get("labels") or {}),
        family=data.get("family", ""),
        storage_size=int(data.get("storageSize", 0)),
        min_disk_size=int(data.get("minDiskSize", 0)),
        product_ids=list(data.get("productIds") or []),
        status=data.get("status", "READY"),
        os_type=os.get("type", ""),
        pooled=bool(data.get("pooled", False)),
        seq=seq,
        size=int(data.get("size", 0)),
        hardware_generation=data.get("hardwareGeneration"),
        kms_key=data.get("kmsKey"),
        nvidia_driver=(os.get("nvidia") or {}).get("driver", ""),
    )


def catalogue_from_json(data: Mapping[str, Any]) -> Catalogue:
    """The catalogue of a ``standard_images.json`` document: ``folderId``, ``reflects``
    and ``families`` (each with its ``images`` in the API's JSON mapping). Sequence
    numbers follow ``createdAt`` (then the order in the file)."""
    folder_id = data["folderId"]
    rows = [image for family in data["families"] for image in family["images"]]
    rows.sort(key=lambda image: _timestamp(image["createdAt"]))
    store = Store()
    for seq, row in enumerate(rows, start=1):
        image = _image(row, seq)
        if image.folder_id != folder_id:
            raise ValueError(f"image {image.id} is in folder {image.folder_id}, not {folder_id}")
        if image.id in store.images:
            raise ValueError(f"image {image.id} is listed twice")
        store.add_image(image)
    last = max((image.created_at for image in store.images.values()), default=0.0)
    return Catalogue(folder_id, store, data["reflects"], len(rows), last)
