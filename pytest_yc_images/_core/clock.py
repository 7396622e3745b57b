"""Virtual time: the core never reads the wall clock."""

from __future__ import annotations

import math

__all__ = ["DEFAULT_EPOCH", "MAX_TIME", "MIN_TIME", "VirtualClock", "check_time"]

# 2026-01-01T00:00:00Z: a fixed start makes seeded fakes reproducible.
DEFAULT_EPOCH = 1_767_225_600.0
# The times RFC 3339 can write (four-digit years), and so every timestamp of the API:
# 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, in seconds since the epoch. A clock past
# the last would stamp resources with times no client can parse.
MIN_TIME = -62_135_596_800.0
MAX_TIME = 253_402_300_799.0


def check_time(when: float) -> None:
    """Raise ValueError unless ``when`` is a finite time RFC 3339 can write."""
    if not math.isfinite(when) or not MIN_TIME <= when <= MAX_TIME:
        raise ValueError(
            f"{when!r} is not a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
        )


class VirtualClock:
    """Seconds since the Unix epoch that move only when told to, and only forward, within
    the times RFC 3339 can write (:data:`MIN_TIME` to :data:`MAX_TIME`)."""

    __slots__ = ("_now",)

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        check_time(start)
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if not math.isfinite(seconds):
            raise ValueError(f"cannot move the clock by {seconds!r} s: not a finite number")
        if seconds < 0:
            raise ValueError(f"cannot move the clock backwards ({seconds} s)")
        if self._now + seconds > MAX_TIME:
            raise ValueError(
                f"cannot move the clock past 9999-12-31T23:59:59Z: at most "
                f"{MAX_TIME - self._now:.0f} s from now"
            )
        self._now += seconds
        return self._now

    def set(self, when: float) -> None:
        check_time(when)
        if when < self._now:
            raise ValueError("cannot move the clock backwards")
        self._now = float(when)
