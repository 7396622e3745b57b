"""Strings a regular expression accepts, for the boundary cases of a ``pattern``."""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["class_chars", "longest_match"]

# The stdlib's regex parser (private, stable since 3.11) turns a pattern into a tree to
# build strings it accepts; typed as Any, as its stubs are not public.
sre: Any = importlib.import_module("re._parser")


def longest_match(pattern: str, cap: int = 3) -> tuple[str, bool]:
    """A long string ``pattern`` accepts, and whether the pattern bounds the length."""
    bounded = True
    turn = 0

    def walk(items: Any) -> str:
        nonlocal bounded, turn
        out = ""
        for op, arg in items:
            if op is sre.LITERAL:
                out += chr(arg)
            elif op is sre.IN:
                ranges = [a for o, a in arg if o is sre.RANGE]
                out += (
                    chr(ranges[0][0])
                    if ranges
                    else chr(next(a for o, a in arg if o is sre.LITERAL))
                )
            elif op is sre.SUBPATTERN:
                out += walk(arg[-1])
            elif op is sre.BRANCH:
                options = [walk(b) for b in arg[1]]
                if any(o == "" for o in options):
                    out += max(options, key=len)
                else:
                    out += options[turn % len(options)]
                    turn += 1
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                low, high, sub = arg
                if high is sre.MAXREPEAT:
                    bounded, high = False, max(low, cap)
                out += "".join(walk(sub) for _ in range(high))
        return out

    return walk(sre.parse(pattern)), bounded


def class_chars(pattern: str, fallback: str) -> str:
    """A string using every character of the pattern's last class (e.g. a label value)."""
    found = re.findall(r"\[([^\]]+)\]", pattern)
    if not found:
        return fallback
    chars = sorted({ch for ch in re.sub(r"(.)-(.)", lambda m: m[1] + m[2], found[-1][1:] if
                    found[-1].startswith("-") else found[-1]) if ch != "\\"})  # fmt: skip
    candidate = fallback[:1] + "".join(chars) + "-"
    return candidate if re.fullmatch(pattern.strip("^$"), candidate) else fallback
