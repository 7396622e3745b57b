"""ImageService.List: a page of a folder's images in the order ``orderBy`` asks for.

The order is a column and a direction (``createdAt desc``; ``id asc`` if omitted). The
store keeps each folder sorted by every column (``FolderIndex``), so a page starts with
a binary search and costs O(page + log n) in any order, direction and page depth. A
page token names the sort key of the page's last image, not an offset: images created
or deleted between pages never make a page repeat or skip an image that stayed. It is
signed for its folder, filter and order, and refused with any other.
"""

from __future__ import annotations

import base64
import struct
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import ServiceError
from .filters import Condition
from .model import Image
from .paging import PageTokens
from .store import Store

__all__ = ["COLUMNS", "DEFAULT_ORDER", "Order", "list_page", "parse_order"]

COLUMNS = ("id", "name", "createdAt")  # the columns the fake orders by
_DIRECTIONS = {"asc": False, "desc": True}
# Above every image ID: the key (name, _TOP) sorts after every key of that name.
_TOP = "\U0010ffff"


@dataclass(frozen=True, slots=True)
class Order:
    column: str  # one of COLUMNS
    descending: bool = False

    def __str__(self) -> str:
        return f"{self.column} {'desc' if self.descending else 'asc'}"


DEFAULT_ORDER = Order("id")  # documented: "id asc" if omitted


@lru_cache(maxsize=64)
def parse_order(text: str) -> Order:
    """``orderBy``: a column, then optionally ``asc`` or ``desc`` (any case), separated by
    whitespace; empty (or blank) is the default. INVALID_ARGUMENT naming ``orderBy``
    for anything else."""
    words = text.split()
    if not words:
        return DEFAULT_ORDER
    column, direction = words[0], words[1] if len(words) > 1 else "asc"
    if column not in COLUMNS or direction.lower() not in _DIRECTIONS or len(words) > 2:
        raise ServiceError.invalid(
            "orderBy",
            f"must be one column of {', '.join(COLUMNS)}, optionally followed by asc or "
            f'desc (e.g. "createdAt desc"), not {text[:100]!r}',
        )
    return Order(column, _DIRECTIONS[direction.lower()])


def _key(column: str, image: Image) -> Any:
    if column == "id":
        return image.id
    if column == "name":
        return (image.name, image.id)
    return (image.created_at, image.id)


def _token_key(column: str, image: Image) -> str:
    """What a token carries: the page's last sort key, in at most 63 characters (a token
    is at most 100 characters, 12 bytes of them the signature)."""
    if column == "id":
        return image.id
    if column == "name":
        # Names are unique in a folder (every door refuses a second one) and at most 63
        # characters: a name alone marks a place; images without one sort by ID.
        return image.name or "\x00" + image.id
    # The time's 8 bytes, exactly, in 11 characters; then the ID (at most 50).
    return base64.urlsafe_b64encode(struct.pack(">d", image.created_at))[:11].decode() + image.id


def _bounds(column: str, carried: str) -> tuple[Any, Any]:
    """The sort keys a page starts below (descending) and above (ascending)."""
    try:
        if column == "id":
            return carried, carried
        if column == "name":
            if carried.startswith("\x00"):
                return ("", carried[1:]), ("", carried[1:])
            return (carried, ""), (carried, _TOP)
        (stamp,) = struct.unpack(">d", base64.urlsafe_b64decode(carried[:11] + "="))
        return (stamp, carried[11:]), (stamp, carried[11:])
    except (ValueError, struct.error):  # signed by us, for this order: cannot happen but by a bug
        raise ServiceError.invalid("pageToken", "not a page token of this order") from None


def _candidates(
    store: Store, folder_id: str, conditions: Sequence[Condition], column: str
) -> Sequence[Any]:
    """The sorted keys to page through: the folder's index of the column, or, when the
    filter names the only names it can match, just those images' keys."""
    index = store.folders.get(folder_id)
    if index is None:
        return ()
    wanted: frozenset[str] | None = None
    for condition in conditions:
        if condition.field == "name" and not condition.negated:
            wanted = condition.values if wanted is None else wanted & condition.values
    if wanted is None or "" in wanted:  # images without a name are not in by_name
        return index.ids if column == "id" else index.names if column == "name" else index.created
    images, by_name = store.images, index.by_name
    return sorted(_key(column, images[by_name[n]]) for n in wanted if n in by_name)


def list_page(
    store: Store,
    tokens: PageTokens,
    *,
    folder_id: str,
    limit: int,
    page_token: str,
    filter_text: str,
    conditions: Sequence[Condition],
    order: Order,
) -> tuple[list[Image], str]:
    """One page of at most ``limit`` images matching ``conditions`` in ``order``, and the
    next page's token (empty on the last page)."""
    column, descending = order.column, order.descending
    scope = f"images\x00{folder_id}\x00{filter_text}\x00{order}"
    keys = _candidates(store, folder_id, conditions, column)
    if page_token:
        carried = tokens.read(scope, page_token, "the folder, filter and order it was issued for")
        below, above = _bounds(column, carried)
        position = bisect_left(keys, below) - 1 if descending else bisect_right(keys, above)
    else:
        position = len(keys) - 1 if descending else 0
    step, end = (-1, -1) if descending else (1, len(keys))
    images = store.images
    page: list[Image] = []
    more = False
    while position != end:
        key = keys[position]
        position += step
        image = images[key if column == "id" else key[1]]
        if conditions and not all(c.matches(getattr(image, c.field)) for c in conditions):
            continue
        if len(page) == limit:
            more = True
            break
        page.append(image)
    return page, tokens.issue(scope, _token_key(column, page[-1])) if more else ""
