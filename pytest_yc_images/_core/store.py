"""Indexed in-memory state: images by ID; per folder in each List order (ID, name,
creation time), by name and by family; operations by ID and by image; idempotency keys.

What a long-running fake would otherwise keep for ever is released by count (the core
has no wall clock): the operations of deleted images beyond the newest
``retained_operations``, and idempotency keys beyond the newest ``limit``. A released
operation is NOT_FOUND, as an unknown ID is; a released key is unknown, so a repeat
starts a new operation.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from .model import AccessBinding, Disk, Image, ObjectFile, Operation, Snapshot

__all__ = [
    "DEFAULT_RETAINED_KEYS",
    "DEFAULT_RETAINED_OPERATIONS",
    "FirstCall",
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
    """A folder's images in each order List offers, kept sorted on every change, so a
    page in any order starts with a binary search (``_core/listing.py``)."""

    ids: list[str] = field(default_factory=list)  # the order "id"
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, id): "name"
    created: list[tuple[float, str]] = field(default_factory=list)  # (createdAt, id)
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
    # Each image's access bindings, sorted (the order ListAccessBindings pages in); an
    # image without any has no entry. Removed with the image.
    bindings: dict[str, list[AccessBinding]] = field(default_factory=dict)
    retained_operations: int = DEFAULT_RETAINED_OPERATIONS
    # Operations of removed images, oldest first: released beyond retained_operations.
    retired: deque[str] = field(default_factory=deque)
    # Folders whose records and index are another store's (the public catalogue, built
    # once per process): read in place, copied before the first write (folder()).
    shared: dict[str, Store] = field(default_factory=dict)

    def share(self, template: Store, folder_id: str) -> None:
        """Serve ``template``'s folder from its records and index, without copying them;
        the first write to the folder (through :meth:`folder`) copies them. The records
        must not be changed in place while shared: every write path asks for the folder
        first (the API never writes the public folder)."""
        self.folders[folder_id] = template.folders[folder_id]
        self.images.update(template.images)
        self.shared[folder_id] = template

    def folder(self, folder_id: str) -> FolderIndex:
        """The index of a folder about to change (created on first use)."""
        if folder_id in self.shared:
            self._unshare(folder_id)
        index = self.folders.get(folder_id)
        if index is None:
            index = self.folders[folder_id] = FolderIndex()
        return index

    def __deepcopy__(self, memo: dict[int, Any]) -> Store:
        """A deep copy that still shares what is shared (a snapshot of a fresh fake copies
        none of the catalogue): shared records never change in place."""
        for template in self.shared.values():
            memo[id(template)] = template
            for index in template.folders.values():
                memo[id(index)] = index
            for image in template.images.values():
                memo[id(image)] = image
        clone = Store.__new__(Store)
        for spec in fields(self):
            setattr(clone, spec.name, copy.deepcopy(getattr(self, spec.name), memo))
        return clone

    def _unshare(self, folder_id: str) -> None:
        template = self.shared.pop(folder_id)
        del self.folders[folder_id]
        for image_id in template.folders[folder_id].ids:
            self.add_image(self.images[image_id].copy())

    def add_image(self, image: Image) -> None:
        index = self.folder(image.folder_id)
        self.images[image.id] = image
        insort(index.ids, image.id)
        insort(index.names, (image.name, image.id))
        insort(index.created, (image.created_at, image.id))
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
        index = self.folder(self.images[image_id].folder_id)
        image = self.images.pop(image_id)
        _discard(index.ids, image_id)
        _discard(index.names, (image.name, image_id))
        _discard(index.created, (image.created_at, image_id))
        if image.name and index.by_name.get(image.name) == image_id:
            del index.by_name[image.name]
        if image.family:
            members = index.families[image.family]
            members.remove(image_id)
            if not members:
                del index.families[image.family]
        self.bindings.pop(image_id, None)
        self.retired.extend(self.operations_by_image.get(image_id, ()))
        return image

    def set_bindings(self, image_id: str, bindings: list[AccessBinding]) -> None:
        """Replace an image's bindings (sorted, without repeats)."""
        unique = sorted(set(bindings))
        if unique:
            self.bindings[image_id] = unique
        else:
            self.bindings.pop(image_id, None)

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
        index = self.folder(image.folder_id)
        image = self.images[image.id]  # this store's own record, if the folder was shared
        if image.name and index.by_name.get(image.name) == image.id:
            del index.by_name[image.name]
        _discard(index.names, (image.name, image.id))
        image.name = name
        insort(index.names, (name, image.id))
        if name:
            index.by_name[name] = image.id

    def add_operation(self, operation: Operation) -> None:
        self.operations[operation.id] = operation
        self.operations_by_image.setdefault(operation.image_id, []).append(operation.id)


@dataclass(frozen=True, slots=True)
class FirstCall:
    """The call that first used an Idempotency-Key: the operation it made, its method and
    a digest of its request (a repeat is compared with them, to mark one that differs)."""

    operation_id: str
    method: str
    digest: str


def _discard(keys: list[Any], key: Any) -> None:
    """Remove ``key`` from the sorted list ``keys`` (a binary search and one move)."""
    position = bisect_left(keys, key)
    if position < len(keys) and keys[position] == key:
        del keys[position]


@dataclass(slots=True)
class IdempotencyKeys:
    """Idempotency key -> the :class:`FirstCall` made with it, the newest ``limit`` kept.

    Keys are (caller's subject, Idempotency-Key): a key names one operation of its
    caller, whatever the method and request of a repeat (the request path decides the
    scope; this class keeps any tuple). The oldest is released first, whether or not its
    operation is still kept."""

    limit: int = DEFAULT_RETAINED_KEYS
    _calls: dict[tuple[str, ...], FirstCall] = field(default_factory=dict)
    _order: deque[tuple[str, ...]] = field(default_factory=deque)

    def get(self, key: tuple[str, ...]) -> FirstCall | None:
        return self._calls.get(key)

    def add(self, key: tuple[str, ...], first: FirstCall) -> None:
        if key not in self._calls:
            self._order.append(key)
        self._calls[key] = first
        while len(self._order) > self.limit:
            del self._calls[self._order.popleft()]

    def __setitem__(self, key: tuple[str, ...], first: FirstCall) -> None:
        self.add(key, first)

    def items(self) -> Iterator[tuple[tuple[str, ...], FirstCall]]:
        """The kept keys and their first calls, oldest first (the order they are released in)."""
        calls = self._calls
        return ((key, calls[key]) for key in self._order)

    def __len__(self) -> int:
        return len(self._calls)

    def __contains__(self, key: object) -> bool:
        return key in self._calls
