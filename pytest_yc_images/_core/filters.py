"""List filters, in the grammar of each profile.

live (``live/image_service.proto``): conditions joined by ``AND``; each is
``<field> <operator> <value>`` with the operators ``=``, ``!=``, ``IN (...)`` and
``NOT IN (...)``; string values in double or single quotes, with the escapes ``\\"``,
``\\'`` and ``\\\\``. seed: exactly ``name = "<value>"``, the value 3-63 characters
matching ``[a-z]([-a-z0-9]{,61}[a-z0-9])?``.

Every error is INVALID_ARGUMENT naming ``filter`` and says the 1-based character
position where the expression went wrong (the first such place, reading from the left).
The schema caps an expression at 1000 characters; it is split into tokens by one
regular-expression scan and parsed in one pass over them, linear in its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import ServiceError

__all__ = ["FIELDS", "Condition", "parse_filter"]

FIELDS = ("name",)  # the fields a condition may name (the reference pages name only name)

# Every character belongs to one token: a string (its body with any backslash pairs), a
# lone quote ("open": a string without its end), an operator, a parenthesis or comma, a
# word, white space, or any other character (an error where the parser reaches it).
_TOKENS = r"""
        "(?P<dq>{double})"
      | '(?P<sq>{single})'
      | (?P<open>["'])
      | (?P<op>!=|=)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
      | (?P<ws>\s+)
      | (?P<other>.)
"""
_LIVE_TOKENS = re.compile(
    _TOKENS.format(double=r'(?:[^"\\]|\\.)*', single=r"(?:[^'\\]|\\.)*"),
    re.VERBOSE | re.DOTALL,
)
# The seed knows no escapes: a string ends at the next quote (a backslash is not in the
# value's alphabet, so a value holding one is refused by the value rule).
_SEED_TOKENS = re.compile(_TOKENS.format(double='[^"]*', single="[^']*"), re.VERBOSE | re.DOTALL)
_SEED_VALUE = re.compile(r"[a-z][-a-z0-9]{1,61}[a-z0-9]\Z")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {'"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    values: frozenset[str]
    negated: bool  # != or NOT IN

    def matches(self, value: str) -> bool:
        return (value in self.values) != self.negated


def _bad(at: int, problem: str) -> ServiceError:
    return ServiceError.invalid("filter", f"at position {at}: {problem}")


def _unescape(body: str, at: int) -> str:
    """A live string's value; ``at``: the 1-based position of its opening quote."""
    if "\\" not in body:
        return body

    def one(match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise _bad(
                at + 1 + match.start(),
                f"unknown escape \\{char}; the escapes are \\\", \\' and \\\\",
            )
        return _ESCAPES[char]

    return _ESCAPE.sub(one, body)


class _Parser:
    """Reads the tokens (kind, text, 0-based start) left to right."""

    __slots__ = ("i", "length", "live", "tokens")

    def __init__(self, text: str, live: bool) -> None:
        scan = (_LIVE_TOKENS if live else _SEED_TOKENS).finditer(text)
        kinds = ((m.lastgroup or "", m) for m in scan)
        self.tokens = [(kind, m[kind], m.start()) for kind, m in kinds if kind != "ws"]
        self.tokens.append(("end", "", len(text)))
        self.i, self.live, self.length = 0, live, len(text)

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        kind = token[0]
        if kind == "open":
            raise _bad(token[2] + 1, "the string is not closed")
        if kind == "other":
            raise _bad(token[2] + 1, f"unexpected character {token[1]!r}")
        if kind != "end":
            self.i += 1
        return token

    def fail(self, expected: str, token: tuple[str, str, int]) -> ServiceError:
        kind, text, start = token
        found = {"end": "the end of the expression", "dq": "a string", "sq": "a string"}
        return _bad(start + 1, f"expected {expected}, found {found.get(kind, repr(text))}")

    def value(self) -> str:
        token = self.take()
        kind, text, start = token
        if kind == "dq" and self.live:
            return _unescape(text, start + 1)
        if kind == "sq":
            if self.live:
                return _unescape(text, start + 1)
            raise _bad(start + 1, "the value must be in double quotes")
        if kind != "dq":
            raise self.fail("a quoted value", token)
        if not _SEED_VALUE.match(text):
            raise _bad(
                start + 1,
                "the value must be 3-63 characters long and match [a-z]([-a-z0-9]{,61}[a-z0-9])?",
            )
        return text

    def condition(self) -> Condition:
        field = self.take()
        if field[0] != "word":
            raise self.fail("a field name", field)
        if field[1] not in FIELDS:
            raise _bad(
                field[2] + 1,
                f"filtering is supported on {', '.join(FIELDS)} only, not {field[1][:64]!r}",
            )
        token = self.take()
        if token[0] == "op":
            if token[1] == "!=" and not self.live:
                raise _bad(token[2] + 1, "the operator must be =")
            return Condition(field[1], frozenset((self.value(),)), token[1] == "!=")
        if not self.live:
            raise self.fail("=", token)
        negated = token[0] == "word" and token[1].upper() == "NOT"
        if negated:
            token = self.take()
        if token[0] != "word" or token[1].upper() != "IN":
            raise self.fail("IN" if negated else "=, !=, IN or NOT IN", token)
        token = self.take()
        if token[1] != "(" or token[0] != "punct":
            raise self.fail("(", token)
        values = {self.value()}
        while True:
            token = self.take()
            if token[0] != "punct" or token[1] not in ",)":
                raise self.fail("',' or ')'", token)
            if token[1] == ")":
                return Condition(field[1], frozenset(values), negated)
            values.add(self.value())

    def expression(self) -> tuple[Condition, ...]:
        conditions = [self.condition()]
        while True:
            token = self.take()
            if token[0] == "end":
                return tuple(conditions)
            if not self.live:
                raise self.fail("the end of the expression", token)
            if token[0] != "word" or token[1].upper() != "AND":
                raise self.fail("AND or the end of the expression", token)
            conditions.append(self.condition())


@lru_cache(maxsize=256)  # a test's Lists repeat their filters
def parse_filter(text: str, *, live: bool = True) -> tuple[Condition, ...]:
    """The conditions of ``text`` in the grammar of the live profile or (``live=False``)
    of the seed; an empty or blank text has none. INVALID_ARGUMENT naming ``filter``,
    with the position, for anything else."""
    if not text or text.isspace():
        return ()
    return _Parser(text, live).expression()
