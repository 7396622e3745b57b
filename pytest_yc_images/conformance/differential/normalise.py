"""What two answers must share: IDs as symbols, values by shape or exactly (one table).

Each side's replies are normalised on that side, alone (:func:`normalise`): an ID becomes
the symbol of its first appearance (``<image#1>``, ``<op#3>``), a timestamp, a request ID,
``createdBy`` and the wording of a message become their shape (``<timestamp>``, or the
value itself when it is not of that shape, so a bad one still differs). Everything else
is kept, to be compared exactly. :data:`TABLE` says which is which; the docs print it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .program import SYMBOL

__all__ = ["TABLE", "Symbols", "Treatment", "normalise", "operation_like", "table_markdown"]

_ID = re.compile(r"[a-z][a-z0-9]{19}")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]{1,9})?(Z|[+-][0-9:]{5})")


@dataclass(frozen=True)
class Treatment:
    """One row of :data:`TABLE`: what, how it is compared, and why."""

    what: str
    compared: str  # "exactly", "by shape", "as a symbol", "as a set", ...
    why: str


TABLE: tuple[Treatment, ...] = (
    Treatment("IDs of images, operations and license products (`id`, `imageId`, `productIds`)",
              "as a symbol", "numbered by first appearance on each side (`<image#1>`, "
              "`<op#3>`, `<product#1>`): an implementation picks its own IDs"),
    Treatment("the folder, the source image, disk and snapshot, the run's marks",
              "as a symbol", "`<folder>`, `<source-image>`, `<run>`: each side has its own"),
    Treatment("`createdAt`, `modifiedAt`", "by shape", "an RFC 3339 timestamp; the clocks "
              "differ"),
    Treatment("`createdBy` of an operation", "by shape", "a non-empty string: the caller's "
              "account differs"),
    Treatment("`message` of an error, `description` of an operation and of a field "
              "violation", "by shape", "a non-empty string: the wording is not the contract"),
    Treatment("`requestId` of `google.rpc.RequestInfo`, `nextPageToken`", "by shape",
              "a non-empty string: opaque values"),
    Treatment("a field at its proto3 default (`\"\"`, `\"0\"`, `[]`, `{}`, `false`)",
              "as absent", "proto3 JSON may omit a field at its default (`done: false` is "
              "the same as no `done`)"),
    Treatment("HTTP status, error `code`, the `field` of each field violation", "exactly",
              "the documented outcome; violations as a set, in no particular order"),
    Treatment("every other field of an image and an operation (`status`, `name`, "
              "`labels`, sizes, `metadata`, `response`, `error.code`, `@type`, the JSON "
              "type of int64 values)", "exactly", "the resource and the outcome"),
    Treatment("a List's pages", "page sizes exactly, items as a set", "the split into pages "
              "follows the order, and ID order depends on the IDs"),
    Treatment("a List's order under `orderBy` name or createdAt", "exactly", "ties (an equal "
              "key) compare as a set"),
    Treatment("a List's order by ID (no `orderBy`, or `id`)", "each side against its own "
              "IDs", "ascending (or descending) by the side's own IDs"),
    Treatment("a read while an operation on the image runs on either side", "within the "
              "states allowed then", "Create: CREATING or READY, fields set at READY may be "
              "missing; Update: masked fields old or new; Delete: the image, DELETING, or "
              "NOT_FOUND; a List leaves such images out"),
    Treatment("an operation not yet done on one side", "without `done`, `response`, "
              "`error`, `modifiedAt`", "done at once and done later are the same outcome; "
              "compared in full once both are done"),
    Treatment("Cancel, and later reads of what it touched", "cancelled, or already done",
              "cancel is best effort: the operation and its image compare only by shape"),
)  # fmt: skip


def table_markdown() -> str:
    """:data:`TABLE` as the Markdown table the docs show."""
    rows = ["| what | compared | why |", "|---|---|---|"]
    rows += [f"| {t.what} | {t.compared} | {t.why} |" for t in TABLE]
    return "\n".join(rows)


def _missing_id(symbol: str) -> str:
    """A well-formed ID no image or operation has (the same on every side)."""
    digits = "".join(c for c in symbol if c.isdigit()) or "0"
    return ("fd8" + "0" * 17)[: 20 - len(digits)] + digits


@dataclass
class Symbols:
    """One side's symbol table: symbol <-> value, numbered by first appearance."""

    values: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # value -> symbol
    counts: dict[str, int] = field(default_factory=dict)
    run: str = ""

    def preset(self, symbol: str, value: str) -> None:
        if value:
            self.values[symbol] = value
            self.names.setdefault(value, symbol)

    def symbol(self, kind: str, value: str) -> str:
        """The symbol of ``value`` (a new ``kind#N`` at its first appearance)."""
        found = self.names.get(value)
        if found is None:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            found = f"{kind}#{self.counts[kind]}"
            self.values[found] = value
            self.names[value] = found
        return found

    def resolve(self, value: Any) -> Any:
        """``value`` with every ``<symbol>`` replaced by this side's value (a key symbol
        seen first gets a fresh UUID; an ID symbol never bound, a well-formed missing ID)."""
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, str) or "<" not in value:
            return value
        return SYMBOL.sub(lambda m: self._value(m[1]), value)

    def _value(self, symbol: str) -> str:
        if symbol not in self.values:
            if symbol.startswith("key#"):
                self.values[symbol] = str(uuid.uuid4())
            elif symbol == "run":
                return self.run
            else:
                return _missing_id(symbol)
        return self.values[symbol]

    def text(self, value: str) -> str:
        """A string as compared: known IDs and the run's marks as their symbols."""
        if len(value) >= 3 and value in self.names:
            return f"<{self.names[value]}>"
        if self.run and self.run in value:
            value = value.replace(self.run, "<run>")
        return value


_SHAPES = {"createdAt": "timestamp", "modifiedAt": "timestamp", "createdBy": "text",
           "requestId": "text", "nextPageToken": "text", "message": "text"}  # fmt: skip
_ID_KINDS = {"imageId": "image", "sourceImageId": "image", "operationId": "op"}
_MAPS = {"labels"}  # map fields: their entries are data, never defaults


def operation_like(node: dict[str, Any]) -> bool:
    return "id" in node and bool({"metadata", "done", "createdBy", "response"} & set(node))


def _shape(kind: str, value: Any) -> Any:
    if kind == "timestamp":
        return "<timestamp>" if isinstance(value, str) and _is_timestamp(value) else value
    return "<text>" if isinstance(value, str) and value.strip() else value


def _is_timestamp(value: str) -> bool:
    if not _TIMESTAMP.fullmatch(value):
        return False
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


def _default(value: Any) -> bool:
    """A proto3 field at its default (an empty string, list or object, "0", 0, false)."""
    if isinstance(value, bool):
        return value is False
    return value is None or value in ("", "0", 0, [], {})


def normalise(value: Any, symbols: Symbols, *, key: str = "", parent: str = "") -> Any:
    """``value`` (a decoded JSON reply) as compared, on the side of ``symbols``."""
    if isinstance(value, dict):
        return _object(value, symbols, key)
    if isinstance(value, list):
        if key == "productIds":
            return [f"<{symbols.symbol('product', v)}>" if isinstance(v, str) and _ID.fullmatch(v)
                    else v for v in value]  # fmt: skip
        items = [normalise(v, symbols, key=key) for v in value]
        if key == "fieldViolations":
            items.sort(key=lambda v: str(v.get("field", "")) if isinstance(v, dict) else "")
        return items
    if isinstance(value, str):
        if key in _SHAPES:
            return _shape(_SHAPES[key], value)
        if key in _ID_KINDS and _ID.fullmatch(value):
            return f"<{symbols.symbol(_ID_KINDS[key], value)}>"
        return symbols.text(value)
    return value


def _object(node: dict[str, Any], symbols: Symbols, key: str) -> dict[str, Any]:
    operation = operation_like(node)
    out: dict[str, Any] = {}
    for name, item in node.items():
        if key not in _MAPS and _default(item):
            continue  # proto3 JSON: a field at its default may be left out
        if key in _MAPS:
            out[symbols.text(name)] = symbols.text(item) if isinstance(item, str) else item
        elif name == "id" and isinstance(item, str) and _ID.fullmatch(item):
            kind = "op" if operation else ("image" if "folderId" in node else "id")
            out[name] = f"<{symbols.symbol(kind, item)}>"
        elif name == "description" and (operation or key == "fieldViolations"):
            out[name] = _shape("text", item)
        else:
            out[name] = normalise(item, symbols, key=name, parent=key)
    if operation:
        out.setdefault("done", False)
    return out
