"""List filters: the seed's ``name="x"`` and what the live service grew since."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ServiceError

__all__ = ["Condition", "parse_filter"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"[^"]*"|'[^']*')
      | (?P<op>!=|=)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
# The seed: the value is 3-63 characters long and matches [a-z]([-a-z0-9]{,61}[a-z0-9])?
_VALUE = re.compile(r"[a-z][-a-z0-9]{1,61}[a-z0-9]\Z")
_FIELDS = ("name",)


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    values: frozenset[str]
    negated: bool

    def matches(self, value: str) -> bool:
        return (value in self.values) != self.negated


def _bad(description: str) -> ServiceError:
    return ServiceError.invalid("filter", description)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _bad(f"unexpected character at position {pos + 1}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        out.append((kind, value[1:-1] if kind == "str" else value))
        pos = match.end()
    return out


def parse_filter(text: str) -> tuple[Condition, ...]:
    """Parse ``name = "x" AND name IN ("a", 'b') AND name NOT IN (...)``.

    Raises INVALID_ARGUMENT naming ``filter`` for anything else.
    """
    if not text.strip():
        return ()
    tokens = _tokens(text)
    conditions: list[Condition] = []
    i = 0

    def take(kind: str, word: str | None = None) -> str:
        nonlocal i
        if i >= len(tokens):
            raise _bad("the expression ends too early")
        got_kind, got = tokens[i]
        if got_kind != kind or (word is not None and got.upper() != word):
            raise _bad(f"expected {word or kind}, found {got!r}")
        i += 1
        return got

    def value() -> str:
        text_value = take("str")
        if not _VALUE.match(text_value):
            raise _bad(
                f"value {text_value!r} must be 3-63 characters long and match "
                "[a-z]([-a-z0-9]{,61}[a-z0-9])?"
            )
        return text_value

    while True:
        field = take("word")
        if field not in _FIELDS:
            raise _bad(f"filtering is supported on {', '.join(_FIELDS)} only, not {field!r}")
        if i < len(tokens) and tokens[i][0] == "op":
            op = take("op")
            conditions.append(Condition(field, frozenset([value()]), op == "!="))
        else:
            negated = False
            if (
                i < len(tokens)
                and tokens[i] == ("word", tokens[i][1])
                and tokens[i][1].upper() == "NOT"
            ):
                take("word", "NOT")
                negated = True
            take("word", "IN")
            take("punct", "(")
            values = [value()]
            while i < len(tokens) and tokens[i] == ("punct", ","):
                i += 1
                values.append(value())
            take("punct", ")")
            conditions.append(Condition(field, frozenset(values), negated))
        if i == len(tokens):
            return tuple(conditions)
        take("word", "AND")
