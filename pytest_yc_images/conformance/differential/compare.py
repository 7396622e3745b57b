"""Compare two normalised outcomes of one step, under the asynchrony rules of :data:`TABLE`.

:func:`compare` returns the differences (empty: the same outcome). What may legitimately
differ because an operation still runs on one side, or because a Cancel raced its
operation, is given by a :class:`Context` taken before the step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .generate import UPDATABLE
from .program import Step
from .side import Outcome, Pending

__all__ = ["Context", "compare"]

_AT_READY = {"storageSize", "size", "productIds", "os", "hardwareGeneration", "kmsKey"}
_OPERATION_FIELDS = {"done", "response", "error", "modifiedAt"}


@dataclass
class Context:
    """What runs when a step is sent: per image, the operations not done on either side;
    the images and operations a Cancel touched (their fate is the race's)."""

    running: dict[str, list[Pending]] = field(default_factory=dict)
    uncertain: set[str] = field(default_factory=set)
    cancelled: set[str] = field(default_factory=set)
    families: dict[str, str] = field(default_factory=dict)  # image -> its family

    @classmethod
    def of(cls, *pending: dict[str, Pending], uncertain: set[str], cancelled: set[str],
           families: dict[str, str] | None = None) -> Context:  # fmt: skip
        context = cls(uncertain=set(uncertain), cancelled=set(cancelled),
                      families=dict(families or {}))  # fmt: skip
        for side in pending:
            for item in side.values():
                context.running.setdefault(item.image, []).append(item)
        return context


def compare(step: Step, a: Outcome, b: Outcome, context: Context) -> list[str]:
    """The differences between ``a`` and ``b``, the outcomes of ``step`` on two sides."""
    if "skipped" in a or "skipped" in b:
        return []
    if "pages" in a and "pages" in b:
        return _pages(step, a, b, context)
    target = str(step.path.get("imageId", ""))
    if step.rpc in ("ImageService.Get", "ImageService.ListOperations") and any(
        p.method == "Delete" for p in context.running.get(target, [])
    ):
        return _allowed_during_delete(a, "A") + _allowed_during_delete(b, "B")
    if step.rpc == "ImageService.GetLatestByFamily" and _racing(step, a, b, context):
        return [
            f"side {s}: {o}" for s, o in (("A", a), ("B", b)) if o.get("http") not in (200, 404)
        ]
    if a.get("http") != b.get("http"):
        return [f"HTTP {a.get('http')} | HTTP {b.get('http')}"]
    ba: Any = a.get("body")
    bb: Any = b.get("body")
    if step.rpc == "OperationService.Cancel" or _cancelled(ba, context):
        ba, bb = _strip(ba, _OPERATION_FIELDS), _strip(bb, _OPERATION_FIELDS)
        return _diff(_cancel_class(a), _cancel_class(b), "outcome") + _diff(ba, bb, "body")
    shown = str(ba.get("id")) if isinstance(ba, dict) and not _operations(ba, bb) else ""
    if shown in context.running:  # an image (Get, GetLatestByFamily) an operation changes
        ba, bb = _image_relaxed(ba, bb, context.running[shown])
    elif _operations(ba, bb) and not (ba["done"] and bb["done"]):
        ba, bb = _strip(ba, _OPERATION_FIELDS), _strip(bb, _OPERATION_FIELDS)
    return _diff(
        {k: v for k, v in a.items() if k != "body"}, {k: v for k, v in b.items() if k != "body"}, ""
    ) + _diff(ba, bb, "body")


def _cancelled(body: Any, context: Context) -> bool:
    """An operation a Cancel raced (a later Get, wait or repeated Create shows it)."""
    return isinstance(body, dict) and body.get("id") in context.cancelled


def _operations(a: Any, b: Any) -> bool:
    return isinstance(a, dict) and isinstance(b, dict) and "done" in a and "done" in b


def _racing(step: Step, a: Outcome, b: Outcome, context: Context) -> bool:
    """Whether the latest image of the family may be another on each side: an image of
    that family is being created or deleted, or a Cancel raced one."""
    family = step.query.get("family", "")
    moving = {i for i, ps in context.running.items() if any(p.method != "Update" for p in ps)}
    moving |= context.uncertain
    if not any(context.families.get(image) == family for image in moving):
        return False
    found = {str((o.get("body") or {}).get("id")) for o in (a, b) if o.get("http") == 200}
    return len(found) != 1 or bool(found & moving) or a.get("http") != b.get("http")


def _cancel_class(outcome: Outcome) -> str:
    """Cancel and what follows it: cancelled, or already done (either way), or running."""
    body = outcome.get("body")
    if outcome.get("http") != 200 or not isinstance(body, dict):
        return f"HTTP {outcome.get('http')} {body}"
    if not body.get("done"):
        return "running, or cancelled, or done"
    return (
        "running, or cancelled, or done"
        if ("response" in body or "error" in body)
        else ("done without response or error")
    )


def _allowed_during_delete(outcome: Outcome, side: str) -> list[str]:
    """While a Delete runs, a Get shows the image (any status but CREATING) or NOT_FOUND."""
    body = outcome.get("body") or {}
    if outcome.get("http") == 404 and body.get("code") == 5:
        return []
    if "pages" in outcome and outcome.get("http") == 200:
        return []
    if outcome.get("http") == 200 and body.get("status") in ("READY", "DELETING", "ERROR"):
        return []
    return [f"side {side} during a Delete: {outcome}"]


def _image_relaxed(a: Any, b: Any, running: list[Pending]) -> tuple[Any, Any]:
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return a, b
    drop: set[str] = set()
    for pending in running:
        if pending.method == "Create":
            drop |= {"status"} | (_AT_READY - (set(a) & set(b)))
            for side in (a, b):
                if side.get("status") not in ("CREATING", "READY"):
                    drop.discard("status")
        elif pending.method == "Update":
            mask = {m for m in pending.mask if m}
            drop |= (mask or set(UPDATABLE)) | {"modifiedAt"}
    return _strip(a, drop), _strip(b, drop)


def _strip(node: Any, fields: set[str]) -> Any:
    return {k: v for k, v in node.items() if k not in fields} if isinstance(node, dict) else node


def _moving(context: Context) -> set[str]:
    """Images a List may show or not, or in another place, on either side: being deleted,
    being renamed (an Update of ``name``, or with no mask), or raced by a Cancel. An image
    being created is listed on both sides (CREATING or READY): it does not move."""
    moving = set(context.uncertain)
    for image, running in context.running.items():
        for p in running:
            if p.method == "Delete" or (
                p.method == "Update" and ("name" in p.mask or not any(p.mask))
            ):
                moving.add(image)
    return moving


def _pages(step: Step, a: Outcome, b: Outcome, context: Context) -> list[str]:
    items_a = [i for page in a["pages"] for i in page]
    items_b = [i for page in b["pages"] for i in page]
    ids_a = {str(i.get("id")) for i in items_a}
    ids_b = {str(i.get("id")) for i in items_b}
    loose = _moving(context) if step.rpc == "ImageService.List" else set()
    found = []
    if not loose:
        found += _diff([len(p) for p in a["pages"]], [len(p) for p in b["pages"]], "page sizes")
        found += _order(a.get("order"), b.get("order"))
    else:
        unsorted = [str(o).endswith("NOT SORTED") for o in (a.get("order"), b.get("order"))]
        found += _diff(unsorted[0], unsorted[1], "order by ID broken")
    found += _diff(sorted(ids_a - loose), sorted(ids_b - loose), "items")
    by_id = {str(i.get("id")): i for i in items_b}
    for item in items_a:
        symbol = str(item.get("id"))
        other = by_id.get(symbol)
        if other is None or symbol in loose:
            continue
        if symbol in context.running:
            item, other = _image_relaxed(item, other, context.running[symbol])
        elif (_operations(item, other) and not (item["done"] and other["done"])) or _cancelled(
            item, context
        ):
            item, other = _strip(item, _OPERATION_FIELDS), _strip(other, _OPERATION_FIELDS)
        found += _diff(item, other, f"item {symbol}")
    return found


def _order(a: Any, b: Any) -> list[str]:
    """Two orders: by ID, the same verdict; under orderBy, no two items in opposite order
    (items tied on one side, an equal name or createdAt, may be in any order on the other)."""
    if not (isinstance(a, list) and isinstance(b, list)):
        return _diff(a, b, "order")
    rank_a = {s: n for n, group in enumerate(a) for s in group}
    rank_b = {s: n for n, group in enumerate(b) for s in group}
    both = sorted(rank_a.keys() & rank_b.keys())
    return [f"order: {x} before {y} | {y} before {x}" for x in both for y in both
            if rank_a[x] < rank_a[y] and rank_b[x] > rank_b[y]]  # fmt: skip


def _diff(a: Any, b: Any, where: str) -> list[str]:
    """Paths where ``a`` and ``b`` differ (JSON types included: "1" is not 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            path = f"{where}.{key}" if where else str(key)
            if key not in a or key not in b:
                out.append(f"{path}: {_short(a.get(key, '(absent)'))} | "
                           f"{_short(b.get(key, '(absent)'))}")  # fmt: skip
            else:
                out += _diff(a[key], b[key], path)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for n, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _diff(x, y, f"{where}[{n}]")]  # fmt: skip
    if type(a) is not type(b) or a != b:
        return [f"{where or 'outcome'}: {_short(a)} | {_short(b)}"]
    return []


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 160 else text[:157] + "..."
