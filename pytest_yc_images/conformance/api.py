"""Verbs over the checked client, with the safety rules built in.

Contracts call :class:`Api` only: Create claims a slot of the run's budget and marks the
image with the run's name prefix and label (unless a contract sets those fields on
purpose); Update and Delete refuse images this run did not create; every image this run
created is deleted by :meth:`Api.cleanup`. A request that changes access bindings, however a
contract builds it, passes :meth:`Api._check_binding` first: only on this run's images,
never the public groups beyond loopback; the images bound are cleared (Set []) before
they are deleted.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import httpx

from pytest_yc_images import routes

from .client import Recorder, make_http_client
from .safety import (
    PUBLIC_SUBJECTS,
    RUN_LABEL,
    Budget,
    BudgetExhausted,
    Ownership,
    Redactor,
    RunIdentity,
    public_subjects,
)
from .target import Target

__all__ = ["Api", "OperationTimeout", "expect_error", "violations"]

CREATE = "ImageService.Create"
BINDING_RPCS = ("ImageService.SetAccessBindings", "ImageService.UpdateAccessBindings")
Pages = list[list[dict[str, Any]]]
Ids = list[str]
Bindings = list[dict[str, Any]]  # AccessBinding in the JSON mapping


class OperationTimeout(AssertionError):
    """An operation that did not finish in the target's timeout."""


def _send(
    client: httpx.Client,
    rpc: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
    **in_path: str,
) -> httpx.Response:
    """Call ``rpc`` at its REST route (the route table's method and path)."""
    route = routes()[rpc]
    return client.request(
        route.http_method, route.url(**in_path), params=params, json=json, headers=headers
    )


def violations(response: httpx.Response) -> list[str]:
    """The fields the ``google.rpc.BadRequest`` details of an error body name."""
    fields: list[str] = []
    for detail in response.json().get("details", []):
        if str(detail.get("@type", "")).endswith("google.rpc.BadRequest"):
            fields += [str(v.get("field", "")) for v in detail.get("fieldViolations", [])]
    return fields


def expect_error(response: httpx.Response, code: int) -> None:
    """Assert that ``response`` is the error ``code`` (its HTTP status the hook checked)."""
    __tracebackhide__ = True
    got = response.json().get("code") if not response.is_success else None
    assert got == code, (
        f"expected error code {code}, got HTTP {response.status_code} {response.text[:300]}"
    )


class Api:
    """ImageService and OperationService over REST, for one process of one run."""

    def __init__(self, target: Target, run: RunIdentity, budget: Budget) -> None:
        self.target = target
        self.run = run
        self.budget = budget
        self.owned = Ownership()
        self.shared: set[str] = set()
        self.bound: set[str] = set()  # images of this run a binding request was sent for
        self.cleanup_errors: dict[
            str, str
        ] = {}  # images of session fixtures: deleted at the end only
        self.recorder = Recorder(Redactor(target.token))
        transport, compute_url, operation_url = target.transports()
        self._transport = transport
        self._urls = (compute_url, operation_url)
        self.http = self._client(compute_url, target.token)
        self.ops = (
            self.http if operation_url == compute_url else self._client(operation_url, target.token)
        )
        self.folder_id = target.folder_id

    def _client(self, base_url: str, token: str | None) -> httpx.Client:
        client = make_http_client(
            base_url,
            token=token,
            recorder=self.recorder,
            on_success=self._seen,
            transport=self._transport,
        )
        client.event_hooks["request"] = [self._check_binding]
        return client

    def _check_binding(self, request: httpx.Request) -> None:
        """Refuse a Set/UpdateAccessBindings on an image this run did not create, or one
        naming allUsers or allAuthenticatedUsers beyond loopback; remember the images."""
        matched = routes().match(request.url.path)
        route = matched[0].get(request.method) if matched else None
        if matched is None or route is None or route.rpc not in BINDING_RPCS:
            return
        resource_id = unquote(str(matched[1].get("resourceId", "")))
        self._guard(resource_id)
        if not self.target.loopback:
            try:
                named = public_subjects(json.loads(request.content or b"{}"))
            except ValueError:  # not JSON: any mention refuses it
                named = [s for s in PUBLIC_SUBJECTS if s.encode() in request.content]
            if named:
                raise PermissionError(
                    f"refusing to bind {', '.join(sorted(set(named)))} on {resource_id}: "
                    "the suite binds the public groups only on loopback"
                )
        if resource_id in self.owned.images:
            self.bound.add(resource_id)

    def _seen(self, response: httpx.Response, body: Any) -> None:
        """Every successful Create, whoever sent it, makes an image this run must delete."""
        route = routes().find(response.request.method, response.request.url.path)
        if route is not None and route.rpc == CREATE:
            image_id = body.get("metadata", {}).get("imageId")
            if image_id:
                self.owned.add(str(image_id), str(body.get("id", "")) or None)

    @contextlib.contextmanager
    def expecting(self, *codes: int) -> Iterator[None]:
        """Within it, answers with these google.rpc codes reach the contract: a 401
        (16 UNAUTHENTICATED), a 403 (7 PERMISSION_DENIED) or a 5xx otherwise fail it in the
        checked client, so a contract that checks them says so: ``with api.expecting(16):``."""
        before = self.recorder.expected
        self.recorder.expected = before | frozenset(codes)
        try:
            yield
        finally:
            self.recorder.expected = before

    @contextlib.contextmanager
    def anonymous(self, token: str | None = None) -> Iterator[httpx.Client]:
        """A checked client without a token (or with ``token``), for authentication checks."""
        client = self._client(self._urls[0], token)
        try:
            yield client
        finally:
            client.close()

    def close(self) -> None:
        self.http.close()
        if self.ops is not self.http:
            self.ops.close()

    # --- ImageService ------------------------------------------------------------------
    def get(self, image_id: str) -> httpx.Response:
        return _send(self.http, "ImageService.Get", imageId=image_id)

    def latest(self, family: str | None, folder_id: str | None = None) -> httpx.Response:
        params = {"folderId": folder_id if folder_id is not None else self.folder_id}
        if family is not None:
            params["family"] = family
        return _send(self.http, "ImageService.GetLatestByFamily", params=params)

    def list(self, folder_id: str | None = None, **params: Any) -> httpx.Response:
        query = {"folderId": self.folder_id if folder_id is None else folder_id}
        query |= {k: str(v) for k, v in params.items() if v is not None}
        params = {k: v for k, v in query.items() if v is not None}
        return _send(self.http, "ImageService.List", params=params)

    def list_operations(self, image_id: str, **params: Any) -> httpx.Response:
        query = {k: str(v) for k, v in params.items() if v is not None}
        return _send(self.http, "ImageService.ListOperations", params=query, imageId=image_id)

    def create(
        self, body: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST a CreateImageRequest as given; one slot of the budget while it may succeed."""
        slot = self.budget.claim()
        try:
            response = _send(self.http, CREATE, json=body, headers=headers or {})
        except BaseException:  # nothing was created (or nothing we know of): the slot is free
            self.budget.release(slot)
            raise
        if not response.is_success:
            self.budget.release(slot)
        return response

    def update(self, image_id: str, body: dict[str, Any]) -> httpx.Response:
        self._guard(image_id)
        return _send(self.http, "ImageService.Update", json=body, imageId=image_id)

    def delete(self, image_id: str) -> httpx.Response:
        self._guard(image_id)
        return _send(self.http, "ImageService.Delete", imageId=image_id)

    def list_access_bindings(self, resource_id: str, **params: Any) -> httpx.Response:
        query = {k: str(v) for k, v in params.items() if v is not None}
        return _send(self.http, "ImageService.ListAccessBindings", params=query,
                     resourceId=resource_id)  # fmt: skip

    def set_access_bindings(
        self, resource_id: str, bindings: Bindings | None, **body: Any
    ) -> httpx.Response:
        """Set the image's bindings (None: the field left out)."""
        if bindings is not None:
            body["accessBindings"] = bindings
        return _send(self.http, BINDING_RPCS[0], json=body, resourceId=resource_id)

    def update_access_bindings(self, resource_id: str, body: dict[str, Any]) -> httpx.Response:
        return _send(self.http, BINDING_RPCS[1], json=body, resourceId=resource_id)

    def clear_access_bindings(self, image_id: str) -> None:
        """Set [] on an image of this run and wait for it (AssertionError if it fails)."""
        reply = self.set_access_bindings(image_id, [])
        assert reply.status_code == 200, f"Set [] on {image_id}: {reply.status_code} {reply.text}"
        done = self.wait(reply.json(), timeout=min(self.target.timeout, 120))
        assert "error" not in done, f"Set [] on {image_id} failed: {done['error']}"
        self.bound.discard(image_id)

    def _guard(self, image_id: str) -> None:
        if not self.owned.may_change(image_id):
            raise PermissionError(
                f"refusing to change image {image_id}: this run did not create it"
            )

    # --- OperationService ----------------------------------------------------------------
    def operation(self, operation_id: str) -> httpx.Response:
        return _send(self.ops, "OperationService.Get", operationId=operation_id)

    def wait(self, operation: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Poll an operation until ``done`` with bounded exponential backoff.

        An operation may already be done in the first answer (``done: true``) or not
        (``done`` false or omitted); both are fine. The first poll is immediate.
        """
        deadline = time.monotonic() + (timeout or self.target.timeout)
        delay = 0.02
        current = operation
        for _ in range(100_000):
            if current.get("done") is True:
                return current
            reply = self.operation(str(current["id"]))
            assert reply.status_code == 200, f"GET /operations/{current['id']}: {reply.text}"
            current = dict(reply.json())
            if current.get("done") is True:
                return current
            if time.monotonic() + delay > deadline:
                break
            time.sleep(delay)
            delay = min(delay * 1.6, 2.0)
        raise OperationTimeout(
            f"operation {operation.get('id')} not done after {timeout or self.target.timeout} s"
        )

    # --- helpers -------------------------------------------------------------------------
    def create_body(self, source: str | None = "", **fields: Any) -> dict[str, Any]:
        """A CreateImageRequest of this run: its folder, a fresh name, its label, a source."""
        body: dict[str, Any] = {"folderId": self.folder_id, "name": self.run.name()}
        body["labels"] = {**fields.pop("labels", {}), **self.run.labels}
        if source:
            body["imageId"] = source
        return body | fields

    def create_ready(self, source: str | None = "", **fields: Any) -> dict[str, Any]:
        """Create an image, wait for its operation, and return it as Get shows it."""
        reply = self.create(self.create_body(source, **fields))
        assert reply.status_code == 200, f"Create: {reply.status_code} {reply.text}"
        done = self.wait(reply.json())
        assert "error" not in done, f"Create failed: {done['error']}"
        image = self.get(str(done["metadata"]["imageId"]))
        assert image.status_code == 200, image.text
        found: dict[str, Any] = image.json()
        return found

    def list_all(self, folder_id: str | None = None, **params: Any) -> Pages:
        """Every page of a listing (bounded: at most 2,000 pages)."""
        pages: Pages = []
        token = None
        for _ in range(2000):
            reply = self.list(folder_id, pageToken=token, **params)
            assert reply.status_code == 200, f"List: {reply.status_code} {reply.text}"
            pages.append(reply.json().get("images", []))
            token = reply.json().get("nextPageToken")
            if not token:
                return pages
        raise AssertionError("List paging did not end after 2,000 pages")

    def cleanup(self, image_ids: Ids | None = None, rounds: int = 3) -> Ids:
        """Delete images of this run (all, or ``image_ids``); returns those that stayed.

        Waits for each image's pending operation first (an image being created or updated
        may refuse deletion), and tries ``rounds`` times. Never raises: it runs after
        failures, and a broken target must not stop it from trying the rest.
        """
        left = list(self.owned.images) if image_ids is None else list(image_ids)
        for _ in range(rounds):
            deleting: list[tuple[str, dict[str, Any]]] = []
            for image_id in left:
                with contextlib.suppress(Exception):
                    self._settle(image_id)
                if image_id in self.bound:  # its bindings go first: deleting may fail
                    try:
                        self.clear_access_bindings(image_id)
                    except Exception as exc:
                        self.cleanup_errors[image_id] = f"Set []: {exc}"[:300]
                try:
                    reply = self.delete(image_id)
                    if reply.status_code == 404:
                        self.owned.discard(image_id)
                    elif reply.status_code == 200:
                        deleting.append((image_id, reply.json()))
                    else:
                        self.cleanup_errors[image_id] = (
                            f"Delete: {reply.status_code} {reply.text[:200]}"
                        )
                except Exception as exc:
                    self.cleanup_errors[image_id] = f"Delete: {exc}"[:300]
            for image_id, operation in deleting:
                try:
                    done = self.wait(operation, timeout=min(self.target.timeout, 120))
                    if "error" not in done:
                        self.owned.discard(image_id)
                    else:
                        self.cleanup_errors[image_id] = f"Delete failed: {done['error']}"[:300]
                except Exception as exc:
                    self.cleanup_errors[image_id] = f"Delete: {exc}"[:300]
            left = [i for i in left if i in self.owned.images]
            if not left:
                break
        return left

    def _settle(self, image_id: str) -> None:
        """Wait for the image's unfinished operations (bounded by the target's timeout)."""
        reply = self.list_operations(image_id, pageSize=1000)
        if reply.status_code != 200:
            return
        for operation in reply.json().get("operations", []):
            if operation.get("done") is not True:
                self.wait(operation, timeout=min(self.target.timeout, 120))

    def sweep(self, run_id: str | None = None) -> tuple[Ids, Ids]:
        """Delete the folder's images labelled by a run (``run_id``, or any run).

        Returns (deleted, left): the IDs found and deleted, and those that would not go.
        """
        found = [
            str(image["id"])
            for page in self.list_all(pageSize=1000)
            for image in page
            if (value := image.get("labels", {}).get(RUN_LABEL))
            and (run_id is None or value == run_id)
        ]
        for image_id in found:
            self.owned.add(image_id, None)  # labelled by a run of this suite: ours to delete
        left = self.cleanup(found)
        return [i for i in found if i not in left], left


__all__ += ["BudgetExhausted"]
