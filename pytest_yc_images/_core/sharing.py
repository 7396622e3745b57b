"""ImageService.ListAccessBindings, SetAccessBindings and UpdateAccessBindings: an
image's access bindings (the live profile's; the seed's route table has none of them).

Set replaces an image's bindings, Update applies ``ADD``/``REMOVE`` deltas; both start
an operation, and the bindings change when it finishes (as an Update's fields do). Its
result holds the effective deltas: what changed (an ADD of a binding already held or a
REMOVE of one not held changes nothing and is left out). Bindings are listed sorted by
role, subject type and subject ID, in pages as the other lists.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import Code, ServiceError
from .model import AccessBinding, Delta, Image, Operation
from .paging import page_size as effective_page_size
from .roles import binding_from_json
from .rpcs import implements

if TYPE_CHECKING:
    from .access import Access, Caller
    from .paging import PageTokens
    from .store import Store

__all__ = ["BINDING_METHODS", "Sharing", "apply_deltas"]

BINDING_METHODS = ("SetAccessBindings", "UpdateAccessBindings")


def _digest(binding: AccessBinding) -> str:
    text = json.dumps([binding.role_id, binding.subject_type, binding.subject_id])
    return hashlib.blake2s(text.encode(errors="surrogatepass"), digest_size=8).hexdigest()


# Bindings that page tokens ended on, by digest, the newest kept: a token whose binding
# was removed resumes after where that binding stood, not at a count that may skip one.
CURSORS_KEPT = 10_000


def _resume(bindings: list[AccessBinding], position: str, cursors: dict[str, AccessBinding]) -> int:
    """Where the page after a token's ``<count>:<digest of the last binding>`` starts:
    after that binding, wherever it now is; if it was removed, after where it stood (the
    list is sorted; ``cursors`` remembers the bindings tokens ended on); failing that, at
    the count less one. (A token holds a digest, not the binding, to stay within
    pageToken's 100 characters.)"""
    count_text, _, digest = position.partition(":")
    count = int(count_text) if count_text.isdigit() else 0
    if 0 < count <= len(bindings) and _digest(bindings[count - 1]) == digest:
        return count
    last = cursors.get(digest)
    if last is not None:
        return bisect_right(bindings, last)
    return min(max(count - 1, 0), len(bindings))


def apply_deltas(
    current: list[AccessBinding], method: str, deltas: list[Delta]
) -> tuple[list[AccessBinding], list[Delta]]:
    """The bindings after ``method``'s ``deltas`` (for Set: the new list, as ADDs) and
    the effective deltas, REMOVEs first, each in binding order."""
    held = set(current)
    if method == "SetAccessBindings":
        wanted = {binding for _, binding in deltas}
    else:
        wanted = set(held)
        for action, binding in deltas:  # in the request's order: the last one wins
            if action == "ADD":
                wanted.add(binding)
            else:
                wanted.discard(binding)
    removed = [("REMOVE", b) for b in sorted(held - wanted)]
    added = [("ADD", b) for b in sorted(wanted - held)]
    return sorted(wanted), removed + added


class Sharing:
    """The access-binding RPCs, mixed into :class:`~.service.ImageService`."""

    if TYPE_CHECKING:
        store: Store
        access: Access
        tokens: PageTokens

        def _image_for(self, caller: Caller, image_id: str, action: str) -> Image: ...

        def stamp(self) -> float: ...

        _start: Callable[..., Operation]  # ImageService._start

    def _bound_image(self, caller: Caller, resource_id: str, *, write: bool) -> Image:
        """The image whose bindings ``caller`` lists (``list_bindings``) or changes
        (``set_bindings``): by folder access or a role bound on it (access.py)."""
        image = self._image_for(caller, resource_id, "set_bindings" if write else "list_bindings")
        if write and image.status == "DELETING":
            raise ServiceError(Code.FAILED_PRECONDITION, f"Image {resource_id} is being deleted")
        return image

    @implements("ImageService.ListAccessBindings")
    def list_access_bindings(
        self, caller: Caller, *, resource_id: str, page_size: int = 0, page_token: str = ""
    ) -> tuple[list[AccessBinding], str]:
        self._bound_image(caller, resource_id, write=False)
        limit = effective_page_size(page_size)
        bindings = self.store.bindings.get(resource_id, [])
        scope = f"bindings\x00{resource_id}"
        start = 0
        if page_token:
            start = _resume(bindings, self.tokens.read(scope, page_token), self._cursors)
        end = start + limit
        chosen = bindings[start:end]
        if end >= len(bindings):
            return chosen, ""
        digest = _digest(chosen[-1])
        cursors = self._cursors
        cursors.pop(digest, None)
        cursors[digest] = chosen[-1]  # the newest last
        if len(cursors) > CURSORS_KEPT:
            del cursors[next(iter(cursors))]
        return chosen, self.tokens.issue(scope, f"{end}:{digest}")

    @property
    def _cursors(self) -> dict[str, AccessBinding]:
        cursors: dict[str, AccessBinding] = self.__dict__.setdefault("_binding_cursors", {})
        return cursors

    @implements("ImageService.SetAccessBindings")
    def set_access_bindings(
        self,
        caller: Caller,
        *,
        resource_id: str,
        access_bindings: list[dict[str, Any]] | None = None,
    ) -> Operation:
        self._bound_image(caller, resource_id, write=True)
        deltas: list[Delta] = [
            ("ADD", binding_from_json(raw, f"accessBindings[{i}]"))
            for i, raw in enumerate(access_bindings or [])
        ]
        return self._start(
            "SetAccessBindings", caller, resource_id, "Set access bindings", self.stamp(),
            deltas=deltas,
        )  # fmt: skip

    @implements("ImageService.UpdateAccessBindings")
    def update_access_bindings(
        self,
        caller: Caller,
        *,
        resource_id: str,
        access_binding_deltas: list[dict[str, Any]] | None = None,
    ) -> Operation:
        self._bound_image(caller, resource_id, write=True)
        deltas: list[Delta] = [
            (
                raw["action"],
                binding_from_json(raw["accessBinding"], f"accessBindingDeltas[{i}].accessBinding"),
            )
            for i, raw in enumerate(access_binding_deltas or [])
        ]
        return self._start(
            "UpdateAccessBindings", caller, resource_id, "Update access bindings", self.stamp(),
            deltas=deltas,
        )  # fmt: skip
