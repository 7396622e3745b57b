"""Documented rules of ImageService, operations: the lifecycle (states in flight),
idempotency, authentication, IDs.

Rows of the catalogue (:mod:`.rules` adds them): id, method, source, the documentation's
words[, profiles]. Added where mutation testing (``tools/mutation/run.py``) found
documented behaviour no contract checked.
"""

from __future__ import annotations

__all__ = ["RULES"]

RULES: list[tuple[str, ...]] = []
