"""Indexed in-memory state: images by ID, per folder in ID order, by name and by family."""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterator
from dataclasses import dataclass, field

from .model import Disk, Image, Operation, Snapshot

__all__ = ["FolderIndex", "Store"]


@dataclass(slots=True)
class FolderIndex:
    ids: list[str] = field(default_factory=list)  # sorted: the List order
    by_name: dict[str, str] = field(default_factory=dict)
    families: dict[str, list[str]] = field(default_factory=dict)  # in creation order


@dataclass(slots=True)
class Store:
    images: dict[str, Image] = field(default_factory=dict)
    folders: dict[str, FolderIndex] = field(default_factory=dict)
    operations: dict[str, Operation] = field(default_factory=dict)
    operations_by_image: dict[str, list[str]] = field(default_factory=dict)
    disks: dict[str, Disk] = field(default_factory=dict)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)

    def folder(self, folder_id: str) -> FolderIndex:
        index = self.folders.get(folder_id)
        if index is None:
            index = self.folders[folder_id] = FolderIndex()
        return index

    def add_image(self, image: Image) -> None:
        index = self.folder(image.folder_id)
        self.images[image.id] = image
        insort(index.ids, image.id)
        if image.name:
            index.by_name[image.name] = image.id
        if image.family:
            # Newest last, by creation time then sequence: put_image may store images
            # out of creation order, and "latest in family" must stay a reverse scan.
            members = index.families.setdefault(image.family, [])
            insort(members, image.id, key=self._age)

    def _age(self, image_id: str) -> tuple[float, int]:
        image = self.images[image_id]
        return image.created_at, image.seq

    def remove_image(self, image_id: str) -> Image:
        image = self.images.pop(image_id)
        index = self.folders[image.folder_id]
        position = bisect_right(index.ids, image_id) - 1
        del index.ids[position]
        if image.name and index.by_name.get(image.name) == image_id:
            del index.by_name[image.name]
        if image.family:
            members = index.families[image.family]
            members.remove(image_id)
            if not members:
                del index.families[image.family]
        return image

    def rename(self, image: Image, name: str) -> None:
        index = self.folders[image.folder_id]
        if image.name and index.by_name.get(image.name) == image.id:
            del index.by_name[image.name]
        image.name = name
        if name:
            index.by_name[name] = image.id

    def images_after(self, folder_id: str, after: str | None) -> Iterator[Image]:
        """Images of a folder in List order, starting after the ID ``after``."""
        index = self.folders.get(folder_id)
        if index is None:
            return
        ids = index.ids
        position = 0 if after is None else bisect_right(ids, after)
        while position < len(ids):
            image_id = ids[position]
            yield self.images[image_id]
            # The list may change between yields; find our place again by key.
            position = bisect_right(ids, image_id)

    def add_operation(self, operation: Operation) -> None:
        self.operations[operation.id] = operation
        self.operations_by_image.setdefault(operation.image_id, []).append(operation.id)
