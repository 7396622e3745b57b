"""Deliberately broken variants of the fake, one bug each (a pytest plugin for ``-p``).

``--mutant NAME`` patches the fake's modules in the process before any fake exists, so
the conformance suite's ``--fake`` mode checks the broken variant. ``CORRECT`` names
variants that differ from the fake but honour the contract: the suite must pass them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from pytest_yc_images import _rpc
from pytest_yc_images._core import filters, operations, sharing
from pytest_yc_images._core import service as core
from pytest_yc_images._core.access import Access
from pytest_yc_images._core.listing import DEFAULT_ORDER, Order
from pytest_yc_images._core.operations import Lifecycle
from pytest_yc_images._core.paging import PageTokens
from pytest_yc_images._core.store import Store
from pytest_yc_images.errors import Code, FieldViolation, ServiceError
from pytest_yc_images.faces import rest

_Patch = Callable[[], None]
_MP = pytest.MonkeyPatch()  # the patches of the mutant applied now (see apply)
MUTANTS: dict[str, tuple[str, _Patch]] = {}  # name -> (-k expression that should catch it, patch)
CORRECT: dict[str, _Patch] = {}


def mutant(name: str, k: str) -> Callable[[_Patch], _Patch]:
    def register(patch: _Patch) -> _Patch:
        MUTANTS[name] = (k, patch)
        return patch

    return register


def _validating(change: Callable[[str, Any], Any]) -> None:
    """Wrap request validation: ``change(message_name, message)`` may edit or raise."""
    original = _rpc.validate

    def validate(name: str, message: Any, *profile: str) -> None:
        change(name, message)
        original(name, message, *profile)

    _MP.setattr(_rpc, "validate", validate)


def _responses(change: Callable[[int, Any], Any]) -> None:
    """Wrap every REST JSON answer: ``change(status, payload)`` returns the new payload."""
    original = rest._json_response

    def respond(status: int, payload: Any, *args: Any, **kwargs: Any) -> Any:
        return original(status, change(status, payload), *args, **kwargs)

    _MP.setattr(rest, "_json_response", respond)


def _walk(node: Any, fn: Callable[[dict[str, Any]], None]) -> Any:
    if isinstance(node, dict):
        fn(node)
        for value in node.values():
            _walk(value, fn)
    elif isinstance(node, list):
        for value in node:
            _walk(value, fn)
    return node


@mutant("name-63-rejected", "name.pattern")
def _() -> None:
    def change(name: str, message: Any) -> None:
        if len(str(message.get("name", ""))) == 63:
            raise ServiceError(Code.INVALID_ARGUMENT, "bad name", (FieldViolation("name", "x"),))

    _validating(change)


@mutant("description-257-accepted", "description.maxLength")
def _() -> None:
    _validating(lambda n, m: m.update(description=m["description"][:256]) if len(
        str(m.get("description", ""))) == 257 else None)  # fmt: skip


@mutant("page-size-1001-accepted", "pageSize")
def _() -> None:
    _validating(
        lambda n, m: m.update(pageSize="1000") if str(m.get("pageSize")) == "1001" else None
    )


@mutant("labels-65-accepted", "labels.maxProperties")
def _() -> None:
    def change(name: str, message: Any) -> None:
        labels = message.get("labels")
        if isinstance(labels, dict) and len(labels) == 65:
            labels.pop(next(iter(labels)))

    _validating(change)


@mutant("min-disk-size-max-rejected", "minDiskSize.maximum")
def _() -> None:
    def change(name: str, message: Any) -> None:
        if str(message.get("minDiskSize")) == "4398046511104":
            raise ServiceError.invalid("minDiskSize", "too large")

    _validating(change)


@mutant("invalid-argument-as-failed-precondition", "past")
def _() -> None:
    original = _rpc.validate

    def validate(name: str, message: Any, *profile: str) -> None:
        try:
            original(name, message, *profile)
        except ServiceError as error:
            raise ServiceError(Code.FAILED_PRECONDITION, error.message, error.violations) from None

    _MP.setattr(_rpc, "validate", validate)


@mutant("not-found-as-http-400", "not_found or delete")
def _() -> None:
    _MP.setattr(
        _rpc.Reply,
        "http_status",
        property(lambda self: 400 if self.code is Code.NOT_FOUND else self.code.http_status),
    )


@mutant("error-body-without-code", "not_found")
def _() -> None:
    _responses(lambda s, p: {k: v for k, v in p.items() if k != "code"} if s >= 400 else p)


@mutant("bad-request-without-field-violations", "past")
def _() -> None:
    _responses(lambda s, p: {k: v for k, v in p.items() if k != "details"} if s == 400 else p)


@mutant("paging-overlap", "paging")
def _() -> None:
    original = core.ImageService.list_images

    def list_images(self: Any, caller: Any, **kw: Any) -> Any:
        page, token = original(self, caller, **kw)
        if token and len(page) > 1:  # the token of the page one image shorter
            token = original(self, caller, **{**kw, "page_size": len(page) - 1})[1]
        return page, token

    _MP.setattr(core.ImageService, "list_images", list_images)


@mutant("paging-loss", "paging")
def _() -> None:
    original = core.ImageService.list_images

    def list_images(self: Any, caller: Any, **kw: Any) -> Any:
        page, token = original(self, caller, **kw)
        return (page[1:] if kw.get("page_token") else page), token

    _MP.setattr(core.ImageService, "list_images", list_images)


@mutant("page-size-ignored", "paging or page_size")
def _() -> None:
    _MP.setattr(core, "effective_page_size", lambda n: 1000)


@mutant("forged-page-token-accepted", "forged")
def _() -> None:
    _MP.setattr(PageTokens, "read", lambda self, scope, token, bound_to="": "")


# No "latest-returns-creating-image": whether an image still being created counts for
# GetLatestByFamily is written nowhere (LIVE.md), so the suite must not catch it.


@mutant("latest-returns-oldest", "latest")
def _() -> None:
    def latest(self: Any, caller: Any, *, folder_id: str, family: str = "") -> Any:
        index = self.store.folders.get(folder_id)
        for image_id in index.families.get(family, []) if index and family else []:
            if self.store.images[image_id].status == "READY":
                return self.store.images[image_id]
        raise ServiceError(Code.NOT_FOUND, "none")

    _MP.setattr(core.ImageService, "get_latest_by_family", latest)


@mutant("latest-ignores-folder", "latest")
def _() -> None:
    def latest(self: Any, caller: Any, *, folder_id: str, family: str = "") -> Any:
        ready = [
            i for i in self.store.images.values() if i.family == family and i.status == "READY"
        ]
        if not ready:
            raise ServiceError(Code.NOT_FOUND, "none")
        return max(ready, key=lambda i: (i.created_at, i.seq))

    _MP.setattr(core.ImageService, "get_latest_by_family", latest)


@mutant("update-mask-ignored", "masked")
def _() -> None:
    _MP.setattr(core, "parse_mask", lambda mask: tuple(core.UPDATABLE))


@mutant("masked-absent-field-kept", "masked")
def _() -> None:
    original = core.ImageService.update_image

    def update(
        self: Any, caller: Any, *, image_id: str, update_mask: str = "", **given: Any
    ) -> Any:
        snake = {"minDiskSize": "min_disk_size"}
        kept = [f for f in update_mask.split(",") if snake.get(f, f) in given]
        return original(self, caller, image_id=image_id, update_mask=",".join(kept), **given)

    _MP.setattr(core.ImageService, "update_image", update)


@mutant("labels-merged", "labels")
def _() -> None:
    original = Lifecycle._apply_update

    def apply(self: Any, op: Any, image: Any) -> Any:
        if op.pending and "labels" in op.pending:
            op.pending["labels"] = {**image.labels, **op.pending["labels"]}
        return original(self, op, image)

    _MP.setattr(Lifecycle, "_apply_update", apply)


@mutant("int64-as-json-numbers", "create_polls")
def _() -> None:
    def numbers(node: dict[str, Any]) -> None:
        for key in ("minDiskSize", "storageSize"):
            if isinstance(node.get(key), str):
                node[key] = int(node[key])

    _responses(lambda s, p: _walk(p, numbers))


@mutant("delete-has-no-effect", "delete")
def _() -> None:
    _MP.setattr(Store, "remove_image", lambda self, image_id: self.images[image_id])


@mutant("delete-operation-unreadable", "delete")
def _() -> None:
    original = core.ImageService.get_operation

    def get_operation(self: Any, caller: Any, *, operation_id: str) -> Any:
        op = original(self, caller, operation_id=operation_id)
        if op.method == "Delete" and op.done and op.image_id not in self.store.images:
            raise ServiceError(Code.NOT_FOUND, "gone")
        return op

    _MP.setattr(core.ImageService, "get_operation", get_operation)


@mutant("done-without-response", "create_polls")
def _() -> None:
    _responses(lambda s, p: {k: v for k, v in p.items() if k != "response"}
               if isinstance(p, dict) and p.get("done") else p)  # fmt: skip


@mutant("metadata-without-type", "create_polls")
def _() -> None:
    _responses(lambda s, p: _walk(p, lambda n: n.pop("@type", None) if "imageId" in n and
                                  len(n) == 2 else None))  # fmt: skip


@mutant("list-operations-of-every-image", "list_operations")
def _() -> None:
    def list_ops(self: Any, caller: Any, *, image_id: str, page_size: int = 0,
                 page_token: str = "") -> Any:  # fmt: skip
        self._visible_image(caller, image_id)
        return list(self.store.operations.values())[:1000], ""

    _MP.setattr(core.ImageService, "list_image_operations", list_ops)


@mutant("token-not-required", "token")
def _() -> None:
    original = Access.authenticate
    _MP.setattr(Access, "authenticate", lambda self, token: original(self, token or "anonymous"))


@mutant("idempotency-key-ignored", "idempotency")
def _() -> None:
    original = _rpc.Rpc.call

    def call(self: Any, method: str, message: Any, **kw: Any) -> Any:
        return original(self, method, message, **{**kw, "idempotency_key": None})

    _MP.setattr(_rpc.Rpc, "call", call)


@mutant("idempotency-key-bound-to-the-body", "another_body")
def _() -> None:
    """As the fake was before issue 16: a key repeated with another body is a new call."""
    original = _rpc.Rpc.call

    def call(self: Any, method: str, message: Any, **kw: Any) -> Any:
        key = kw.get("idempotency_key")
        if key:
            bound = uuid.uuid5(uuid.NAMESPACE_OID, key + repr(sorted(message.items())))
            kw = {**kw, "idempotency_key": str(bound)}
        return original(self, method, message, **kw)

    _MP.setattr(_rpc.Rpc, "call", call)


@mutant("cancel-by-get-refused", "cancel_by_get")
def _() -> None:
    """As the fake was before issue 16: only POST cancels."""
    original = rest.RestRouter._api

    def api(self: Any, request: Any, request_id: Any) -> Any:
        if request.method == "GET" and request.path.endswith(":cancel"):
            raise ServiceError(Code.UNIMPLEMENTED, "Method GET not allowed")
        return original(self, request, request_id)

    _MP.setattr(rest.RestRouter, "_api", api)


@mutant("filter-ignored", "filter")
def _() -> None:
    _MP.setattr(core, "parse_filter", lambda text, **kw: ())


@mutant("order-by-ignored", "order")
def _() -> None:
    _MP.setattr(core, "parse_order", lambda text: DEFAULT_ORDER)


@mutant("order-by-always-ascending", "order")
def _() -> None:
    original = core.parse_order
    _MP.setattr(core, "parse_order", lambda text: Order(original(text).column))


@mutant("filter-escapes-refused", "escape")
def _() -> None:
    _MP.setattr(filters, "_ESCAPES", {})
    filters.parse_filter.cache_clear()


@mutant("create-ignores-family", "create_polls or latest")
def _() -> None:
    _validating(lambda n, m: m.pop("family", None) if n == "CreateImageRequest" else None)


# --- access bindings ------------------------------------------------------------------------
@mutant("set-bindings-merges", "test_set_replaces")
def _() -> None:
    original = sharing.apply_deltas

    def merge(current: Any, method: str, deltas: Any) -> Any:
        return original(current, "UpdateAccessBindings", deltas)  # ADDs only: nothing goes

    _MP.setattr(operations, "apply_deltas", merge)


@mutant("update-bindings-ignores-remove", "test_update_adds")
def _() -> None:
    original = sharing.apply_deltas

    def adds_only(current: Any, method: str, deltas: Any) -> Any:
        return original(current, method, [d for d in deltas if d[0] == "ADD"])

    _MP.setattr(operations, "apply_deltas", adds_only)


@mutant("list-bindings-ignores-page-size", "test_list_pages")
def _() -> None:
    original = sharing.Sharing.list_access_bindings

    def whole(self: Any, caller: Any, **kw: Any) -> Any:
        return original(self, caller, **{**kw, "page_size": 1000})

    _MP.setattr(sharing.Sharing, "list_access_bindings", whole)


@mutant("set-metadata-typed-as-update", "sharing")
def _() -> None:
    def retype(node: dict[str, Any]) -> None:
        if str(node.get("@type", "")).endswith("access.SetAccessBindingsMetadata"):
            node["@type"] = node["@type"].replace("Set", "Update")

    _responses(lambda s, p: _walk(p, retype))


@mutant("access-bindings-1001-accepted", "accessBindings.maxItems")
def _() -> None:
    def change(name: str, message: Any) -> None:
        if len(message.get("accessBindings") or []) == 1001:
            del message["accessBindings"][1000:]

    _validating(change)


def _bindings_listed_in_reverse() -> None:
    original = sharing.Sharing.list_access_bindings

    def reverse(self: Any, caller: Any, **kw: Any) -> Any:
        chosen, token = original(self, caller, **kw)
        return list(reversed(chosen)), token

    _MP.setattr(sharing.Sharing, "list_access_bindings", reverse)


CORRECT["bindings-listed-in-reverse"] = _bindings_listed_in_reverse  # no order is documented


def _any_binding_taken() -> None:
    from pytest_yc_images._core.model import AccessBinding

    def take(raw: Any, field: str) -> Any:  # no role, subject type or system ID is refused
        subject = raw["subject"]
        return AccessBinding(raw["roleId"], subject["type"], subject["id"])

    _MP.setattr(sharing, "binding_from_json", take)


CORRECT["any-role-and-subject-taken"] = _any_binding_taken  # which roles exist is IAM's


def _done_false_sent() -> None:
    _responses(lambda s, p: _walk(p, lambda n: n.setdefault("done", False)
                                  if "metadata" in n and "id" in n else None))  # fmt: skip


CORRECT["done-false-sent-explicitly"] = _done_false_sent  # as the fake writes it (REST)


def _done_false_omitted() -> None:
    def omit(node: dict[str, Any]) -> None:
        if "metadata" in node and "id" in node and node.get("done") is False:
            del node["done"]

    _responses(lambda s, p: _walk(p, omit))


CORRECT["done-false-omitted"] = _done_false_omitted  # proto3 JSON's default, as gRPC has it


def _immediate() -> None:
    from pytest_yc_images import FakeImageService

    original = FakeImageService.__init__

    def init(self: Any, **kw: Any) -> None:
        original(self, **{**kw, "completion": "immediate"})

    _MP.setattr(FakeImageService, "__init__", init)


CORRECT["operations-done-at-once"] = _immediate


def apply(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Break (or vary) the fake as ``name`` says, through ``monkeypatch`` (undo to heal)."""
    global _MP
    _MP = monkeypatch
    (CORRECT.get(name) or MUTANTS[name][1])()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--mutant", default=None, help="(tests only) break the fake in one way")


def pytest_configure(config: pytest.Config) -> None:
    name = config.getoption("mutant")
    if name:
        apply(name, pytest.MonkeyPatch())  # for the whole (sub)process
