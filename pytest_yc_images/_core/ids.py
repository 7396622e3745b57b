"""Realistic resource IDs: 20 characters, a 3-character prefix then 17 of [a-v0-9]."""

from __future__ import annotations

import os
from collections.abc import Container
from hashlib import blake2b

__all__ = ["IMAGE_PREFIX", "OPERATION_PREFIX", "IdSource"]

IMAGE_PREFIX = "fd8"
OPERATION_PREFIX = "fd8"  # compute operations carry the zone prefix of their resources
_ALPHABET = "abcdefghijklmnopqrstuv0123456789"
# A random byte to a character by its low 5 bits (256 is a multiple of 32: uniform)
_TO_ALPHABET = bytes(ord(_ALPHABET[byte % 32]) for byte in range(256))


def _key(seed: int | float | str | bytes | bytearray | None) -> bytes:
    """The seed as bytes, its type included: ``7`` and ``"7"`` are different seeds."""
    if seed is None:
        return os.urandom(32)
    if isinstance(seed, str):
        return b"str:" + seed.encode("utf-8", "surrogatepass")
    if isinstance(seed, bytes | bytearray):
        return b"bytes:" + bytes(seed)
    if isinstance(seed, int | float):
        return f"{type(seed).__name__}:{seed!r}".encode()
    raise TypeError(f"seed must be an int, float, str or bytes, not {type(seed).__name__}")


class IdSource:
    """Deterministic for a given seed; never issues an ID that is in use.

    The n-th draw is a keyed BLAKE2b of n: nothing to set up per fake (a Mersenne
    Twister seeds 2.5 KB of state) and under a microsecond per draw. Two draws give the
    same 17 characters (85 bits) only by a collision of the hash; ``new`` draws again
    if its candidate is ``taken`` (the IDs in use), so a collision cannot reach the
    store, and nothing is kept per ID issued (a long-running fake would grow by every
    ID it ever gave).
    """

    __slots__ = ("_count", "_key")

    def __init__(self, seed: int | float | str | bytes | bytearray | None = None) -> None:
        self._key = blake2b(_key(seed), digest_size=32).digest()  # any seed length
        self._count = 0

    def _draw(self, size: int) -> bytes:
        self._count += 1
        return blake2b(self._count.to_bytes(8, "big"), key=self._key, digest_size=size).digest()

    def new(self, prefix: str, taken: Container[str] = ()) -> str:
        length = 20 - len(prefix)
        while True:
            candidate = prefix + self._draw(length).translate(_TO_ALPHABET).decode("ascii")
            if candidate not in taken:
                return candidate

    def secret(self) -> bytes:
        """Bytes for signing page tokens, drawn from the same seeded source."""
        return self._draw(16)

    def state(self) -> tuple[bytes, int]:
        """Everything that decides the next IDs: restored into any source (another fake's,
        a reset one's), it goes on as this one would."""
        return self._key, self._count

    def restore(self, state: tuple[bytes, int]) -> None:
        self._key, self._count = state
