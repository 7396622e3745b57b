"""A record of every call, for tests to assert on."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Journal", "JournalEntry"]


@dataclass(frozen=True, slots=True)
class JournalEntry:
    method: str
    request: dict[str, Any]
    response: dict[str, Any] | None
    error: dict[str, Any] | None  # the google.rpc.Status body, when the call failed
    code: int  # 0 on success
    virtual_time: float
    wall_time: float
    idempotency_key: str | None = None

    @property
    def ok(self) -> bool:
        return self.code == 0


DEFAULT_LIMIT = 1_000


@dataclass(slots=True)
class Journal:
    """The newest ``limit`` calls (a long-running server must not grow without bound);
    ``count`` is every call ever recorded."""

    limit: int = DEFAULT_LIMIT
    entries: deque[JournalEntry] = field(default_factory=deque)
    count: int = 0

    def record(self, entry: JournalEntry) -> None:
        self.entries.append(entry)
        self.count += 1
        if len(self.entries) > self.limit:
            self.entries.popleft()

    def calls(self, method: str | None = None) -> list[JournalEntry]:
        """Entries of one method (``"ImageService.Create"`` or just ``"Create"``), or all."""
        if method is None:
            return list(self.entries)
        return [e for e in self.entries if e.method == method or e.method.endswith("." + method)]

    def polls(self, operation_id: str) -> list[JournalEntry]:
        return [
            e
            for e in self.entries
            if e.method == "OperationService.Get" and e.request.get("operationId") == operation_id
        ]

    def poll_gaps(self, operation_id: str, *, clock: str = "wall") -> list[float]:
        """Seconds between consecutive polls of an operation (``clock``: wall or virtual)."""
        attr = "wall_time" if clock == "wall" else "virtual_time"
        times = [getattr(e, attr) for e in self.polls(operation_id)]
        return [later - earlier for earlier, later in itertools.pairwise(times)]

    def __len__(self) -> int:
        return len(self.entries)

    def clear(self) -> None:
        self.entries.clear()
        self.count = 0
