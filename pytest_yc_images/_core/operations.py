"""The lifecycle of long-running operations: when they finish and what finishing does."""

from __future__ import annotations

import copy
import heapq
from dataclasses import dataclass, field
from enum import StrEnum

from ..errors import Code, ServiceError
from .model import Image, Operation
from .sharing import BINDING_METHODS, apply_deltas
from .store import Store

__all__ = ["Completion", "Lifecycle"]


class Completion(StrEnum):
    """When an operation finishes.

    ``on-poll``: at the first OperationService.Get (code that never polls is caught);
    ``immediate``: already in the reply of Create/Update/Delete; ``manual``: when the
    test says so; ``clock``: when the virtual clock passes the method's duration.
    """

    ON_POLL = "on-poll"
    IMMEDIATE = "immediate"
    MANUAL = "manual"
    CLOCK = "clock"

    @classmethod
    def _missing_(cls, value: object) -> Completion:
        modes = ", ".join(mode.value for mode in cls)
        raise ValueError(f"unknown completion mode {value!r}; the modes: {modes}")


DEFAULT_DURATIONS = {
    "Create": 30.0,
    "Update": 2.0,
    "Delete": 10.0,
    "SetAccessBindings": 1.0,
    "UpdateAccessBindings": 1.0,
}


@dataclass(slots=True)
class Lifecycle:
    store: Store
    completion: Completion = Completion.ON_POLL
    durations: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DURATIONS))
    due: list[tuple[float, str]] = field(default_factory=list)

    def poll_clock(self) -> str:
        """The clock a client's polls are timed on when a test does not say (the journal's
        ``poll_gaps``): the fake's while operations finish by it, the host's otherwise."""
        return "virtual" if self.completion is Completion.CLOCK else "wall"

    def started(self, op: Operation, now: float | None = None) -> None:
        """Schedule a new operation by the completion mode (``now``: the clock's reading)."""
        if op.fail_with is not None and op.fail_after_polls is not None:
            if self.completion is Completion.IMMEDIATE and op.fail_after_polls == 0:
                self.finish(op, op.created_at)
            return
        if self.completion is Completion.IMMEDIATE:
            self.finish(op, op.created_at)
        elif self.completion is Completion.CLOCK:
            # Due a duration after the clock's reading, not after the stamp (which may run
            # microseconds ahead), so advancing by exactly the duration finishes it.
            base = op.created_at if now is None else now
            op.due_at = max(op.created_at, base + self.durations.get(op.method, 0.0))
            heapq.heappush(self.due, (op.due_at, op.id))

    def polled(self, op: Operation, now: float) -> None:
        if op.done:
            return
        op.polls += 1
        if op.fail_with is not None and op.fail_after_polls is not None:
            if op.polls > op.fail_after_polls:
                self.finish(op, now)
        elif self.completion is Completion.ON_POLL:
            self.finish(op, now)

    def settle(self, now: float) -> None:
        """Finish every clock-driven operation that is due."""
        while self.due and self.due[0][0] <= now:
            due_at, op_id = heapq.heappop(self.due)
            op = self.store.operations.get(op_id)
            if op is not None and not op.done:
                self.finish(op, due_at)

    def finish(self, op: Operation, now: float, error: ServiceError | None = None) -> None:
        """Finish ``op``: with ``error`` (or its scripted failure) or successfully."""
        if op.done:
            return
        error = error or op.fail_with
        image = self.store.images.get(op.image_id)
        if error is None and op.method == "Update" and image is not None:
            error = self._apply_update(op, image)
        if op.method in BINDING_METHODS:
            if error is None and image is None:
                error = _gone(op.image_id)
            if error is None and image is not None:
                self._apply_bindings(op, image)
        op.done = True
        op.modified_at = now
        if error is not None:
            op.error = error
            self._roll_back(op, image, error, now)
            return
        if op.method == "Create" and image is not None:
            if image.status == "CREATING":  # not if a Delete has started meanwhile
                image.status = "READY"
            op.response = image.copy()
            op.response.status = "READY"
        elif op.method == "Update" and image is not None:
            op.response = image.copy()
        elif op.method == "Delete" and image is not None:
            self._remove(image.id, now)

    def _remove(self, image_id: str, now: float) -> None:
        """Remove an image. Its operations still running (a Create or an Update that a
        Delete overtook) finish with it, ABORTED: none is left to finish without its image."""
        self.store.remove_image(image_id)
        for op_id in self.store.operations_by_image.get(image_id, []):
            other = self.store.operations[op_id]
            if not other.done:
                self.finish(other, now, _gone(image_id))
        # Finished now, all of them: the oldest beyond the retained window are released.
        self.store.release_operations()

    def _apply_bindings(self, op: Operation, image: Image) -> None:
        """Apply a Set or Update of the image's bindings; keep its effective deltas."""
        current = self.store.bindings.get(image.id, [])
        after, effective = apply_deltas(current, op.method, op.deltas or [])
        self.store.set_bindings(image.id, after)
        op.deltas = effective

    def _apply_update(self, op: Operation, image: Image) -> ServiceError | None:
        changes = op.pending or {}
        new_name = changes.get("name", image.name)
        if new_name and new_name != image.name:
            holder = self.store.folders[image.folder_id].by_name.get(new_name)
            if holder is not None and holder != image.id:
                return ServiceError(
                    Code.ALREADY_EXISTS, f"Image with name {new_name!r} already exists"
                )
            self.store.rename(image, new_name)
        elif "name" in changes and not new_name:
            self.store.rename(image, "")
        for attr, value in changes.items():
            if attr != "name":
                setattr(image, attr, copy.deepcopy(value))
        return None

    def _roll_back(
        self, op: Operation, image: Image | None, error: ServiceError, now: float
    ) -> None:
        if image is None:
            return
        if op.method == "Create":
            if image.status == "DELETING":
                return  # a Delete has started meanwhile: its outcome decides
            if error.code is Code.CANCELLED:
                self._remove(image.id, now)
            else:
                image.status = "ERROR"
        elif op.method == "Delete":
            self._undo_delete(image, (op.pending or {}).get("status", "READY"), now)

    def _undo_delete(self, image: Image, before: str, now: float) -> None:
        """A failed or cancelled Delete leaves the image as it would be without it: as
        its Create left it, if that finished meanwhile, or as it was."""
        # An image's Create, when it had one (not one put by a test), is its first operation.
        first = self.store.operations_by_image.get(image.id, [])[:1]
        create = self.store.operations[first[0]] if first else None
        if create is None or create.method != "Create" or not create.done:
            image.status = before
        elif create.error is None:
            image.status = "READY"
        elif create.error.code is Code.CANCELLED:
            self._remove(image.id, now)
        else:
            image.status = "ERROR"


def _gone(image_id: str) -> ServiceError:
    return ServiceError(Code.ABORTED, f"Image {image_id} was removed before the operation finished")
