"""Documented rules of ImageService, requests: listing, filters, paging, update masks,
malformed bodies, who may write where.

Rows of the catalogue (:mod:`.rules` adds them): id, method, source, the documentation's
words[, profiles]. Added where mutation testing (``tools/mutation/run.py``) found
documented behaviour no contract checked.
"""

from __future__ import annotations

__all__ = ["RULES"]

RULES: list[tuple[str, ...]] = []
