"""Virtual time: the core never reads the wall clock."""

from __future__ import annotations

__all__ = ["DEFAULT_EPOCH", "VirtualClock"]

# 2026-01-01T00:00:00Z: a fixed start makes seeded fakes reproducible.
DEFAULT_EPOCH = 1_767_225_600.0


class VirtualClock:
    """Seconds since the Unix epoch that move only when told to."""

    __slots__ = ("_now",)

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"cannot move the clock backwards ({seconds} s)")
        self._now += seconds
        return self._now

    def set(self, when: float) -> None:
        if when < self._now:
            raise ValueError("cannot move the clock backwards")
        self._now = float(when)
