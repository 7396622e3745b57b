"""Realistic resource IDs: 20 characters of [a-z0-9] behind a 3-character prefix."""

from __future__ import annotations

import random

__all__ = ["IMAGE_PREFIX", "OPERATION_PREFIX", "IdSource"]

IMAGE_PREFIX = "fd8"
OPERATION_PREFIX = "fd8"  # compute operations carry the zone prefix of their resources
_ALPHABET = "abcdefghijklmnopqrstuv0123456789"


class IdSource:
    """Deterministic for a given seed; never repeats an ID it issued."""

    __slots__ = ("_issued", "_rng")

    def __init__(self, seed: int | str | None = None) -> None:
        self._rng = random.Random(seed)
        self._issued: set[str] = set()

    def new(self, prefix: str) -> str:
        while True:
            tail = "".join(self._rng.choices(_ALPHABET, k=20 - len(prefix)))
            candidate = prefix + tail
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate

    def secret(self) -> bytes:
        """Bytes for signing page tokens, drawn from the same seeded source."""
        return self._rng.randbytes(16)

    def state(self) -> tuple[object, frozenset[str]]:
        return self._rng.getstate(), frozenset(self._issued)

    def restore(self, state: tuple[object, frozenset[str]]) -> None:
        rng_state, issued = state
        self._rng.setstate(rng_state)  # type: ignore[arg-type]
        self._issued = set(issued)
