"""ImageService and OperationService rules, on typed arguments, with no I/O."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..errors import Code, ServiceError
from . import sources
from .access import PUBLIC_FOLDER, Access, Caller
from .clock import VirtualClock
from .faults import Faults, OperationFault
from .filters import parse_filter
from .ids import IMAGE_PREFIX, OPERATION_PREFIX, IdSource
from .journal import Journal
from .listing import list_page, parse_order
from .masks import UPDATABLE, parse_mask
from .model import Delta, Image, Operation
from .operations import Completion, Lifecycle
from .paging import PageTokens
from .paging import page_size as effective_page_size
from .rpcs import implemented, implements
from .seed import Catalogue
from .sharing import BINDING_METHODS, Sharing
from .store import IdempotencyKeys, Store

__all__ = ["PUBLIC_FOLDER", "Caller", "ImageService"]

# The API profiles (the contracts' names; the core reads no files).
PROFILES = ("live", "seed")


def _not_found(kind: str, ident: str) -> ServiceError:
    return ServiceError(Code.NOT_FOUND, f"{kind} {ident} not found")


class ImageService(Sharing):
    """The fake's rules. Every public method is one RPC or one test control (the
    access-binding RPCs are :class:`~.sharing.Sharing`'s)."""

    def __init__(
        self,
        *,
        clock: VirtualClock,
        ids: IdSource,
        completion: Completion | str = Completion.ON_POLL,
        durations: dict[str, float] | None = None,
        access: Mapping[str, Any] | None = None,
        profile: str = "live",
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(
                f"unknown API profile {profile!r}; choose one of: {', '.join(PROFILES)}"
            )
        # "live" (today's service) or "seed" (the seed's text): what the rules follow.
        self.profile = profile
        self.clock = clock
        self.ids = ids
        self.store = Store()
        self.tokens = PageTokens(ids.secret())
        self.lifecycle = Lifecycle(self.store, Completion(completion))
        if durations:
            self.lifecycle.durations.update(durations)
        self.access = Access(access)
        # (caller, Idempotency-Key) -> the first call made with it (store.FirstCall)
        self.idempotency = IdempotencyKeys()
        self.faults = Faults()
        self.journal = Journal(
            profile=profile, methods=_RPCS, default_clock=self.lifecycle.poll_clock
        )
        self._seq = 0
        self.last_stamp = 0.0  # the latest stamp given out: stamps only grow

    # --- callers and folders -------------------------------------------------------
    def _image_for(self, caller: Caller, image_id: str, action: str) -> Image:
        """The image, if ``caller`` may do ``action`` (roles.ACTIONS) to it: NOT_FOUND if
        it may not even get it (its existence does not leak), PERMISSION_DENIED if only."""
        image = self.store.images.get(image_id)
        bindings = self.store.bindings.get(image_id, ())
        if image is None or not self.access.may(caller, image.folder_id, bindings, "get"):
            raise _not_found("Image", image_id)
        if action != "get":
            self.access.check_image(caller, image_id, image.folder_id, bindings, action)
        return image

    def _visible_image(self, caller: Caller, image_id: str) -> Image:
        return self._image_for(caller, image_id, "get")

    # --- time ----------------------------------------------------------------------
    def stamp(self) -> float:
        """Now, strictly later than every stamp before it (creation order is total)."""
        self.last_stamp = max(self.clock.now(), self.last_stamp + 1e-6)
        return self.last_stamp

    def settle(self) -> None:
        self.lifecycle.settle(self.clock.now())

    # --- ImageService ----------------------------------------------------------------
    @implements("ImageService.Get")
    def get_image(self, caller: Caller, *, image_id: str) -> Image:
        return self._visible_image(caller, image_id)

    @implements("ImageService.GetLatestByFamily")
    def get_latest_by_family(self, caller: Caller, *, folder_id: str, family: str = "") -> Image:
        self.access.check_read(caller, folder_id)
        index = self.store.folders.get(folder_id)
        members = index.families.get(family, []) if index and family else []
        for image_id in reversed(members):  # kept in (createdAt, seq) order by the store
            image = self.store.images[image_id]
            if image.status == "READY":
                return image
        raise ServiceError(
            Code.NOT_FOUND, f"No READY image of family {family!r} in folder {folder_id}"
        )

    @implements("ImageService.List")
    def list_images(
        self,
        caller: Caller,
        *,
        folder_id: str,
        page_size: int = 0,
        page_token: str = "",
        filter: str = "",
        order_by: str = "",
    ) -> tuple[list[Image], str]:
        self.access.check_read(caller, folder_id)
        return list_page(
            self.store,
            self.tokens,
            folder_id=folder_id,
            limit=effective_page_size(page_size),
            page_token=page_token,
            filter_text=filter,
            conditions=parse_filter(filter, live=self.profile == "live"),
            order=parse_order(order_by),
        )

    @implements("ImageService.Create")
    def create_image(
        self,
        caller: Caller,
        *,
        folder_id: str,
        name: str = "",
        description: str = "",
        labels: dict[str, str] | None = None,
        family: str = "",
        min_disk_size: int = 0,
        product_ids: list[str] | None = None,
        image_id: str = "",
        disk_id: str = "",
        snapshot_id: str = "",
        uri: str = "",
        os_type: str = "",
        nvidia_driver: str = "",
        pooled: bool = False,
        hardware_generation: dict[str, Any] | None = None,
    ) -> Operation:
        self.access.check_write(caller, folder_id)
        index = self.store.folder(folder_id)
        if name and name in index.by_name:
            raise ServiceError(
                Code.ALREADY_EXISTS, f"Image with name {name!r} already exists in the folder"
            )
        src = sources.resolve(
            self.store, self.access, caller, self._image_for,
            image_id=image_id, disk_id=disk_id, snapshot_id=snapshot_id, uri=uri,
        )  # fmt: skip
        failure = None
        if min_disk_size and min_disk_size < src.needed:
            if not src.deferred:
                why = sources.too_small(min_disk_size, src.needed, "the source's size")
                raise ServiceError.invalid("minDiskSize", why)
            # The file's sizes are known once the upload runs: the operation fails.
            why = sources.too_small(min_disk_size, src.needed, "the file's size")
            failure = ServiceError(Code.INVALID_ARGUMENT, f"Image upload failed: minDiskSize {why}")
        if not os_type and not nvidia_driver:  # no os given: the source's (proto: inherited)
            os_type, nvidia_driver = src.os_type, src.nvidia_driver
        live = self.profile == "live"
        now = self.stamp()
        self._seq += 1
        image = Image(
            id=self.ids.new(IMAGE_PREFIX, self.store.images),
            folder_id=folder_id,
            created_at=now,
            name=name,
            description=description,
            labels=dict(labels or {}),
            family=family,
            storage_size=src.storage_size,
            min_disk_size=min_disk_size or src.min_disk_size,
            product_ids=list(product_ids) if product_ids else src.product_ids,
            status="CREATING",
            os_type=os_type or "LINUX",
            pooled=pooled,
            seq=self._seq,
            size=src.size,
            # {} names no features: the source's (or the default) stay.
            hardware_generation=(hardware_generation or src.hardware_generation) if live else None,
            kms_key=src.kms_key if live else None,
            nvidia_driver=nvidia_driver if live else "",
        )
        self.store.add_image(image)
        return self._start("Create", caller, image.id, "Create image", now, failure=failure)

    @implements("ImageService.Update")
    def update_image(
        self,
        caller: Caller,
        *,
        image_id: str,
        update_mask: str = "",
        name: str = "",
        description: str = "",
        min_disk_size: int = 0,
        labels: dict[str, str] | None = None,
    ) -> Operation:
        image = self._image_for(caller, image_id, "update")
        if image.status == "DELETING":
            raise ServiceError(Code.FAILED_PRECONDITION, f"Image {image_id} is being deleted")
        given = {
            "name": name,
            "description": description,
            "minDiskSize": min_disk_size,
            "labels": dict(labels or {}),
        }
        changes: dict[str, Any] = {UPDATABLE[f]: given[f] for f in parse_mask(update_mask)}
        new_name = changes.get("name")
        if new_name:
            holder = self.store.folders[image.folder_id].by_name.get(new_name)
            if holder is not None and holder != image_id:
                raise ServiceError(
                    Code.ALREADY_EXISTS,
                    f"Image with name {new_name!r} already exists in the folder",
                )
        needed = max(image.storage_size, image.size)  # its data and its virtual disk
        if "min_disk_size" in changes and changes["min_disk_size"] == 0:
            # Reset to its default: the smallest disk the image fits on.
            changes["min_disk_size"] = max(needed, sources.MIN_DISK_SIZE)
        wanted = changes.get("min_disk_size", image.min_disk_size)
        if "min_disk_size" in changes and wanted < needed:
            what = "the image's size" if image.size >= image.storage_size else "its storageSize"
            raise ServiceError.invalid("minDiskSize", sources.too_small(wanted, needed, what))
        now = self.stamp()
        return self._start("Update", caller, image_id, "Update image", now, pending=changes)

    @implements("ImageService.Delete")
    def delete_image(self, caller: Caller, *, image_id: str) -> Operation:
        image = self._image_for(caller, image_id, "delete")
        if image.status == "DELETING":
            raise ServiceError(
                Code.FAILED_PRECONDITION, f"Image {image_id} is already being deleted"
            )
        before = image.status  # what a failed or cancelled Delete goes back to
        image.status = "DELETING"
        return self._start(
            "Delete", caller, image_id, "Delete image", self.stamp(), pending={"status": before}
        )

    @implements("ImageService.ListOperations")
    def list_image_operations(
        self, caller: Caller, *, image_id: str, page_size: int = 0, page_token: str = ""
    ) -> tuple[list[Operation], str]:
        self._image_for(caller, image_id, "list_operations")
        limit = effective_page_size(page_size)
        op_ids = self.store.operations_by_image.get(image_id, [])
        scope = f"operations\x00{image_id}"
        start = 0
        if page_token:
            after = self.tokens.read(scope, page_token)
            start = op_ids.index(after) + 1 if after in op_ids else len(op_ids)
        chosen = op_ids[start : start + limit]
        more = start + limit < len(op_ids)
        page = [self.store.operations[i] for i in chosen]
        return page, self.tokens.issue(scope, chosen[-1]) if more and chosen else ""

    # --- OperationService ----------------------------------------------------------
    def _visible_operation(self, caller: Caller, operation_id: str) -> Operation:
        """An operation ``caller`` may see: one of a folder it may use, one it started,
        or one of an image it may get (a bound subject follows the image's operations);
        an access-binding operation shows the bindings, so only to who may list them."""
        op = self.store.operations.get(operation_id)
        if op is None:
            raise _not_found("Operation", operation_id)
        if not (self.access.can_read(caller, op.folder_id) or op.created_by == caller.subject):
            action = "list_bindings" if op.method in BINDING_METHODS else "get"
            try:
                self._image_for(caller, op.image_id, action)
            except ServiceError:
                raise _not_found("Operation", operation_id) from None
        return op

    @implements("OperationService.Get")
    def get_operation(self, caller: Caller, *, operation_id: str) -> Operation:
        op = self._visible_operation(caller, operation_id)
        self.lifecycle.polled(op, self.stamp())
        return op

    @implements("OperationService.Cancel")
    def cancel_operation(self, caller: Caller, *, operation_id: str) -> Operation:
        op = self._visible_operation(caller, operation_id)
        if not (self.access.can_read(caller, op.folder_id) or op.created_by == caller.subject):
            raise ServiceError(
                Code.PERMISSION_DENIED,
                f"Permission denied to cancel operation {operation_id}: only its creator or "
                f"a caller with access to folder {op.folder_id} may",
            )
        if not op.done:
            self.lifecycle.finish(
                op, self.stamp(), ServiceError(Code.CANCELLED, "Operation was cancelled")
            )
        return op

    # --- operations ------------------------------------------------------------------
    def _start(
        self,
        method: str,
        caller: Caller,
        image_id: str,
        description: str,
        now: float,
        pending: dict[str, Any] | None = None,
        failure: ServiceError | None = None,
        deltas: list[Delta] | None = None,
    ) -> Operation:
        op = Operation(
            id=self.ids.new(OPERATION_PREFIX, self.store.operations),
            method=method,
            folder_id=self.store.images[image_id].folder_id,
            image_id=image_id,
            description=description,
            created_at=now,
            created_by=caller.subject,
            modified_at=now,
            pending=pending,
            fail_with=failure,  # ends with it when it finishes, as its completion mode says
            deltas=deltas,
        )
        fault = self.faults.take("ImageService." + method, OperationFault)
        if fault is not None:
            op.fail_with = ServiceError(fault.code, fault.message or f"{method} failed")
            op.fail_after_polls = fault.after_polls
        self.store.add_operation(op)
        self.lifecycle.started(op, self.clock.now())
        return op

    # --- test controls ---------------------------------------------------------------
    def put_image(self, image: Image) -> Image:
        """Store ``image`` as given (any status), keeping names unique per folder."""
        index = self.store.folder(image.folder_id)
        if image.id in self.store.images:
            raise ServiceError(Code.ALREADY_EXISTS, f"Image {image.id} already exists")
        if image.name and image.name in index.by_name:
            raise ServiceError(
                Code.ALREADY_EXISTS, f"Image with name {image.name!r} already exists in the folder"
            )
        self._seq += 1
        image.seq = self._seq
        self.last_stamp = max(self.last_stamp, image.created_at)
        # An ID reused from a removed image: that image's operations are not this one's.
        self.store.operations_by_image.pop(image.id, None)
        self.store.add_image(image)
        return image

    def share_catalogue(self, catalogue: Catalogue) -> None:
        """Serve the public catalogue from records built once per process, uncopied."""
        self.store.share(catalogue.store, catalogue.folder_id)
        self._seq = max(self._seq, catalogue.seq)
        self.last_stamp = max(self.last_stamp, catalogue.last_stamp)

    def finish_operation(self, operation_id: str, error: ServiceError | None = None) -> Operation:
        op = self.store.operations.get(operation_id)
        if op is None:
            raise _not_found("Operation", operation_id)
        if op.done:
            raise ServiceError(
                Code.FAILED_PRECONDITION, f"Operation {operation_id} is already done"
            )
        self.lifecycle.finish(op, self.stamp(), error)
        return op

    def snapshot(self) -> object:
        """Everything a test may want back later; the journal and faults are not state."""
        state: tuple[Any, ...] = (
            self.store,
            self.idempotency,
            self._seq,
            self.last_stamp,
            self.clock.now(),
            self.ids.state(),
            self.lifecycle.due,
        )
        return copy.deepcopy(state)

    def restore(self, state: object) -> None:
        parts: Any = copy.deepcopy(state)
        store, idempotency, seq, last_stamp, now, ids, due = parts
        self.store = self.lifecycle.store = store
        self.idempotency, self._seq, self.last_stamp = idempotency, seq, last_stamp
        self.clock.set(max(now, self.clock.now()))
        self.ids.restore(ids)
        self.lifecycle.due = due


_RPCS = tuple(implemented(ImageService))  # every RPC the core answers, in some profile
