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
    ``count`` is every call ever recorded.

    Calls are kept as plain tuples and become :class:`JournalEntry` records when read:
    recording is on every request's path, reading only in tests."""

    limit: int = DEFAULT_LIMIT
    count: int = 0
    _rows: deque[tuple[Any, ...]] = field(default_factory=deque, repr=False)

    def record(self, entry: JournalEntry) -> None:
        self.add(
            entry.method,
            entry.request,
            entry.response,
            entry.error,
            entry.code,
            entry.virtual_time,
            entry.wall_time,
            entry.idempotency_key,
        )

    def add(
        self,
        method: str,
        request: dict[str, Any],
        response: dict[str, Any] | None,
        error: dict[str, Any] | None,
        code: int,
        virtual_time: float,
        wall_time: float,
        idempotency_key: str | None = None,
    ) -> None:
        """:meth:`record` without building the record (the request path's way)."""
        rows = self._rows
        rows.append(
            (method, request, response, error, code, virtual_time, wall_time, idempotency_key)
        )
        self.count += 1
        if len(rows) > self.limit:
            rows.popleft()

    @property
    def entries(self) -> list[JournalEntry]:
        """The calls kept, oldest first."""
        return [JournalEntry(*row) for row in self._rows]

    def calls(self, method: str | None = None) -> list[JournalEntry]:
        """Entries of one method (``"ImageService.Create"`` or just ``"Create"``), or all."""
        if method is None:
            return self.entries
        suffix = "." + method
        return [
            JournalEntry(*row) for row in self._rows if row[0] == method or row[0].endswith(suffix)
        ]

    def polls(self, operation_id: str) -> list[JournalEntry]:
        gets = self.calls("OperationService.Get")
        return [e for e in gets if e.request.get("operationId") == operation_id]

    def poll_gaps(self, operation_id: str, *, clock: str = "wall") -> list[float]:
        """Seconds between consecutive polls of an operation (``clock``: wall or virtual)."""
        attr = "wall_time" if clock == "wall" else "virtual_time"
        times = [getattr(e, attr) for e in self.polls(operation_id)]
        return [later - earlier for earlier, later in itertools.pairwise(times)]

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        self._rows.clear()
        self.count = 0
