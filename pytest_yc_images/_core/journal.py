"""A record of every call, for tests to assert on."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CLOCKS",
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_REQUEST_BYTES",
    "TRUNCATED",
    "Journal",
    "JournalEntry",
]


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
    # Answered with the operation its Idempotency-Key's first call made (no work done),
    # and whether that first call was another request (another method or other fields):
    # a client that reuses a key for a different request gets the first one's operation.
    replayed: bool = False
    replayed_with_other_body: bool = False

    @property
    def ok(self) -> bool:
        return self.code == 0

    @property
    def truncated(self) -> bool:
        """Whether the request was too large to keep (see :data:`TRUNCATED`)."""
        return TRUNCATED in self.request


# The newest 1,000 calls: more than a test makes, and few enough to print.
DEFAULT_LIMIT = 1_000
# What the kept calls may weigh together, in bytes as they came over the wire: the
# newest calls are kept until their sizes add up to this, so a burst of large requests
# evicts the old entries instead of growing the process (a parsed body takes several
# times its wire size in memory).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# A request larger than this is kept as TRUNCATED: every request the API accepts with
# its fields at their documented maximum lengths is far smaller (a Create with 64
# labels of 63 characters each is ~9 KB); only a bad or abusive one is larger.
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024
# The key that replaces a truncated request's containers; its value is the request's size.
TRUNCATED = "...truncated"
# The clocks a call's time is read on: the host's monotonic clock and the fake's own.
CLOCKS = ("wall", "virtual")
_KEPT_SCALARS = 16  # top-level scalar fields a truncated request keeps (folderId, name...)
_KEPT_STRING = 256  # and only strings up to this length
_TRUNCATED_SIZE = _KEPT_SCALARS * (_KEPT_STRING + 64)  # what a truncated request weighs, at most


def truncate(request: dict[str, Any], size: int) -> dict[str, Any]:
    """What the journal keeps of a request too large to keep whole: its first few short
    top-level scalar fields (so ``calls()`` and filters on ``folderId`` still work) and
    ``{TRUNCATED: size}``."""
    kept: dict[str, Any] = {}
    for name, value in itertools.islice(request.items(), _KEPT_SCALARS):
        short = len(value) <= _KEPT_STRING if isinstance(value, str) else value is None
        if short or isinstance(value, bool | int | float):
            kept[name] = value
    kept[TRUNCATED] = size
    return kept


@dataclass(slots=True)
class Journal:
    """The newest calls, at most ``limit`` of them and at most ``max_bytes`` together
    (a long-running server must not grow without bound); ``count`` is every call ever
    recorded. A request above ``max_request_bytes`` is kept truncated (:func:`truncate`).

    Sizes are what the caller says a call weighed (the face knows its request's wire
    size; the request path adds an estimate of the reply), so nothing is serialised
    again to weigh it. Calls are kept as plain tuples and become :class:`JournalEntry`
    records when read: recording is on every request's path, reading only in tests.

    ``methods``: the RPCs the fake answers (``Service.Method``), which :meth:`calls` checks
    a name against (a misspelt name raises instead of finding nothing); empty, any name
    goes. ``default_clock``: the clock :meth:`poll_gaps` reads when not told (the service
    says ``"virtual"`` while its operations follow the virtual clock)."""

    limit: int = DEFAULT_LIMIT
    count: int = 0
    profile: str = "live"  # the API profile the fake answered in
    max_bytes: int = DEFAULT_MAX_BYTES
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    bytes: int = 0  # the kept calls' sizes, together
    methods: tuple[str, ...] = ()
    default_clock: Callable[[], str] = field(default=lambda: "wall", repr=False)
    _rows: deque[tuple[Any, ...]] = field(default_factory=deque, repr=False)
    _sizes: deque[int] = field(default_factory=deque, repr=False)

    def record(self, entry: JournalEntry, *, request_size: int = 0, reply_size: int = 0) -> None:
        self.add(
            entry.method,
            entry.request,
            entry.response,
            entry.error,
            entry.code,
            entry.virtual_time,
            entry.wall_time,
            entry.idempotency_key,
            request_size,
            reply_size,
            replayed=entry.replayed,
            replayed_with_other_body=entry.replayed_with_other_body,
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
        request_size: int = 0,
        reply_size: int = 0,
        *,
        replayed: bool = False,
        replayed_with_other_body: bool = False,
    ) -> None:
        """:meth:`record` without building the record (the request path's way).

        ``request_size``: the request's bytes (above ``max_request_bytes`` it is kept
        truncated); ``reply_size``: the reply's, or an estimate of them; ``replayed`` and
        ``replayed_with_other_body`` as :class:`JournalEntry` has them."""
        if request_size > self.max_request_bytes:
            request = truncate(request, request_size)
            request_size = _TRUNCATED_SIZE
        rows = self._rows
        rows.append((method, request, response, error, code, virtual_time, wall_time,
                     idempotency_key, replayed, replayed_with_other_body))  # fmt: skip
        size = request_size + reply_size
        self._sizes.append(size)
        self.bytes += size
        self.count += 1
        while len(rows) > self.limit or (self.bytes > self.max_bytes and len(rows) > 1):
            rows.popleft()
            self.bytes -= self._sizes.popleft()

    @property
    def entries(self) -> list[JournalEntry]:
        """The calls kept, oldest first."""
        return [JournalEntry(*row) for row in self._rows]

    def calls(self, method: str | None = None) -> list[JournalEntry]:
        """Entries of one method (``"ImageService.Create"`` or just ``"Create"``; a short
        name matches it in every service), or all. A name the fake does not answer raises
        ValueError listing the ones it does."""
        if method is None:
            return self.entries
        suffix = "." + method
        rows = [row for row in self._rows if row[0] == method or row[0].endswith(suffix)]
        if not rows and self.methods:
            self._check_method(method)
        return [JournalEntry(*row) for row in rows]

    def _check_method(self, method: str) -> None:
        suffix = "." + method
        if not any(name == method or name.endswith(suffix) for name in self.methods):
            known = ", ".join(self.methods)
            raise ValueError(
                f"unknown method {method!r}; known: {known} (or the part after the dot)"
            )

    def replays(self) -> list[JournalEntry]:
        """Calls answered with the operation their Idempotency-Key's first call made."""
        return [JournalEntry(*row) for row in self._rows if row[8]]

    def reused_keys(self) -> list[JournalEntry]:
        """Calls whose Idempotency-Key had first been sent with another request (another
        method or other fields): they got that request's operation and did nothing. A
        client's test can ``assert not fake.journal.reused_keys()``."""
        return [JournalEntry(*row) for row in self._rows if row[9]]

    def polls(self, operation_id: str) -> list[JournalEntry]:
        gets = self.calls("OperationService.Get")
        return [e for e in gets if e.request.get("operationId") == operation_id]

    def poll_gaps(self, operation_id: str, *, clock: str | None = None) -> list[float]:
        """Seconds between consecutive polls of an operation, on ``clock``: ``"wall"`` (the
        host's) or ``"virtual"`` (the fake's). Not given, the fake's clock while operations
        finish by it (``completion="clock"``), the host's otherwise: a client that sleeps
        for real between polls moves no virtual time."""
        if clock is None:
            clock = self.default_clock()
        if clock not in CLOCKS:
            raise ValueError(f"unknown clock {clock!r}; the clocks: {', '.join(CLOCKS)}")
        attr = "wall_time" if clock == "wall" else "virtual_time"
        times = [getattr(e, attr) for e in self.polls(operation_id)]
        return [later - earlier for earlier, later in itertools.pairwise(times)]

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        self._rows.clear()
        self._sizes.clear()
        self.bytes = 0
        self.count = 0
