"""Indexed in-memory state: images by ID, per folder in ID order, by name and by family;
operations by ID and by image; idempotency keys.

What a long-running fake would otherwise keep for ever is released by count (the core
has no wall clock): the operations of deleted images beyond the newest
``retained_operations``, and idempotency keys beyond the newest ``limit``. A released
operation is NOT_FOUND, as an unknown ID is; a released key is unknown, so a repeat
starts a new operation.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from .model import Disk, Image, ObjectFile, Operation, Snapshot

__all__ = [
    "DEFAULT_RETAINED_KEYS",
    "DEFAULT_RETAINED_OPERATIONS",
    "FolderIndex",
    "IdempotencyKeys",
    "Store",
]

# Finished operations of deleted images kept for clients still polling them: a client
# polls an operation within seconds of its end, so thousands of deletions later nobody
# asks. 10,000 is more than a test's fake ever holds (a test makes tens or hundreds), so
# tests never see a release; a long-running server keeps ~15 MB of them at most.
DEFAULT_RETAINED_OPERATIONS = 10_000
# Idempotency keys kept: a client retries a call with its key within seconds (the SDKs'
# retries back off for under a minute), so the newest 10,000 keys cover every retry a
# test or a busy client makes; each weighs a few hundred bytes.
DEFAULT_RETAINED_KEYS = 10_000


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
    objects: dict[str, ObjectFile] = field(default_factory=dict)  # by URI
    retained_operations: int = DEFAULT_RETAINED_OPERATIONS
    # Operations of removed images, oldest first: released beyond retained_operations.
    retired: deque[str] = field(default_factory=deque)

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
        """Remove an image; its operations are retired (:meth:`release_operations`)."""
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
        self.retired.extend(self.operations_by_image.get(image_id, ()))
        return image

    def release_operations(self) -> None:
        """Release the oldest retired operations beyond ``retained_operations``."""
        retired, operations = self.retired, self.operations
        while len(retired) > self.retained_operations:
            op = operations.pop(retired.popleft(), None)
            if op is None:
                continue
            # Its image's list, unless put_image gave the ID to a new image meanwhile.
            ids = self.operations_by_image.get(op.image_id)
            if ids is not None and op.id in ids:
                ids.remove(op.id)  # the oldest first: at the list's head
                if not ids:
                    del self.operations_by_image[op.image_id]

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


@dataclass(slots=True)
class IdempotencyKeys:
    """Idempotency key -> the operation the first call made, the newest ``limit`` kept.

    Keys are (caller, method, Idempotency-Key, request fingerprint); the oldest is
    released first, whether or not its operation is still kept."""

    limit: int = DEFAULT_RETAINED_KEYS
    _operations: dict[tuple[str, ...], str] = field(default_factory=dict)
    _order: deque[tuple[str, ...]] = field(default_factory=deque)

    def get(self, key: tuple[str, ...]) -> str | None:
        return self._operations.get(key)

    def add(self, key: tuple[str, ...], operation_id: str) -> None:
        if key not in self._operations:
            self._order.append(key)
        self._operations[key] = operation_id
        while len(self._order) > self.limit:
            del self._operations[self._order.popleft()]

    def __setitem__(self, key: tuple[str, ...], operation_id: str) -> None:
        self.add(key, operation_id)

    def items(self) -> Iterator[tuple[tuple[str, ...], str]]:
        """The kept keys and their operations, oldest first (the order they are released in)."""
        operations = self._operations
        return ((key, operations[key]) for key in self._order)

    def __len__(self) -> int:
        return len(self._operations)

    def __contains__(self, key: object) -> bool:
        return key in self._operations
