"""Schema-derived contracts: each request field at its limit and just past it.

At the limit the request succeeds and, where the method stores the field, the value
round-trips into the image; or, when the value at the limit names something that does not
exist (an image ID, a folder), the answer is the one documented for that (NOT_FOUND:
API.md's codes; a folder the token cannot see: PERMISSION_DENIED). Any other answer fails
the case: an error that does not name the field is no pass. Just past the limit the
answer is INVALID_ARGUMENT (HTTP 400) with a google.rpc.BadRequest naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pytest_yc_images.conformance import (
    Api,
    Case,
    RunIdentity,
    expect_error,
    request_body,
    violations,
)

_SNAKE = {
    name: "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)
    for name in ("folderId", "imageId", "pageSize", "pageToken", "minDiskSize", "productIds",
                 "updateMask", "diskId", "snapshotId", "resourceId", "accessBindings",
                 "accessBindingDeltas")
}  # fmt: skip
_SOURCES = ("imageId", "diskId", "snapshotId", "uri")
_STORED = {"name", "description", "labels", "family", "minDiskSize", "productIds", "os"}
# Requests whose value at the limit names an image that does not exist: NOT_FOUND.
_MISSING_IMAGE = {"GetImageRequest", "DeleteImageRequest", "UpdateImageRequest",
                  "ListImageOperationsRequest", "ListAccessBindingsRequest",
                  "SetAccessBindingsRequest", "UpdateAccessBindingsRequest"}  # fmt: skip
_BINDING_CHANGES = {"SetAccessBindingsRequest", "UpdateAccessBindingsRequest"}
NOT_FOUND, PERMISSION_DENIED = 5, 7


def _names(field: str, named: str) -> bool:
    return any(
        named == f or named.startswith((f + ".", f + "["))
        for f in (field, _SNAKE.get(field, field))
    )


def _named(case: Case, response: httpx.Response) -> list[str]:
    fields = violations(response)
    targets = (
        [*list(_SOURCES), "source"]
        if case.constraint.field == "source"
        else [case.constraint.field]
    )
    return [f for f in fields if any(_names(t, f) for t in targets)]


def _image_for_operations(api: Api, scratch: Any) -> str:
    if scratch is not None:
        return str(scratch["id"])
    reply = api.list(pageSize=1)
    assert reply.status_code == 200, reply.text
    images = reply.json().get("images", [])
    if not images:
        pytest.skip("the folder has no image to list operations of (read-only run)")
    return str(images[0]["id"])


def _value(case: Case, run: RunIdentity) -> Any:
    if case.constraint.field == "labels":
        return {**case.value, **run.labels}
    return case.value


def _send(
    case: Case, api: Api, request: pytest.FixtureRequest
) -> tuple[httpx.Response, dict[str, Any]]:
    c = case.constraint
    run = api.run
    field, value = c.field, _value(case, run)
    fields: dict[str, Any] = {} if case.absent else {field: value}
    if c.message == "GetImageRequest":
        return api.get(value), fields
    if c.message == "DeleteImageRequest":
        return api.delete(value), fields
    if c.message in ("GetImageLatestByFamilyRequest", "ListImagesRequest"):
        query = {"folderId": api.folder_id} | fields
        if case.absent:
            query.pop(field, None)
        if c.message == "GetImageLatestByFamilyRequest":
            query.setdefault("family", "ubuntu-2204-lts")
        with api.expecting(*((PERMISSION_DENIED,) if field == "folderId" else ())):
            return api.http.get(
                "/compute/v1/images" + (":latestByFamily" if "Family" in c.message else ""),
                params={k: str(v) for k, v in query.items()},
            ), fields
    if c.message == "ListImageOperationsRequest":
        if field == "imageId":
            return api.list_operations(value), fields
        scratch = request.getfixturevalue("scratch_image") if api.target.mutations_allowed else None
        return api.list_operations(_image_for_operations(api, scratch), **fields), fields
    if c.message == "ListAccessBindingsRequest":
        if field == "resourceId":
            return api.list_access_bindings(value), fields
        scratch = request.getfixturevalue("scratch_image") if api.target.mutations_allowed else None
        return api.list_access_bindings(_image_for_operations(api, scratch), **fields), fields
    if c.message in _BINDING_CHANGES:
        return _send_bindings(case, api, request), fields
    if c.message == "CreateImageRequest":
        source = request.getfixturevalue("source_image_id")
        body = api.create_body(source)
        if field in _SOURCES:
            body.pop("imageId")
        if field == "minDiskSize" and case.kind == "at":
            reply = api.get(source)
            assert reply.status_code == 200, reply.text
            found = reply.json()
            data = max(int(found.get("storageSize", "0")), int(found.get("size", "0")))
            if int(value) < data:  # a Create names a source; its data must fit
                pytest.skip("documented: minDiskSize must be more than the volume of source "
                            "data, which is larger than this limit on this target")  # fmt: skip
        if case.absent:
            body.pop(field, None)
        elif field == "source":
            body |= dict(case.also)
        else:
            body[field] = value
        if field == "folderId":  # a folder the token cannot see may be PERMISSION_DENIED
            with api.expecting(PERMISSION_DENIED):
                return api.create(body), fields
        return api.create(body), fields
    if c.message == "UpdateImageRequest":
        scratch = request.getfixturevalue("scratch_image")
        if field == "imageId":
            return api.update(value, {"updateMask": "description", "description": "x"}), fields
        body: dict[str, Any] = {"updateMask": field, field: value}
        if field == "updateMask":
            fields = {"name": run.name("m"), "description": "every field", "labels": run.labels,
                      "minDiskSize": scratch.get("minDiskSize", "4194304")}  # fmt: skip
            body = {"updateMask": value} | fields
        too_small = (
            int(value) < max(int(scratch.get("storageSize", "0")), int(scratch.get("size", "0")))
            if field == "minDiskSize"
            else False
        )
        if too_small and case.kind == "at":
            pytest.skip("documented: minDiskSize must exceed the image's data, which is "
                        "larger than this limit on this target")  # fmt: skip
        return api.update(str(scratch["id"]), body), fields
    raise AssertionError(f"no way to send a {c.message}")


def _send_bindings(case: Case, api: Api, request: pytest.FixtureRequest) -> httpx.Response:
    """A Set/UpdateAccessBindings of the case on the run's sharing image (its resourceId
    cases: on the ID at the limit), binding only the target's subject."""
    body = request_body(case, api.run, request.getfixturevalue("subject"))
    field = case.constraint.field
    if field != "resourceId":
        body["resourceId"] = str(request.getfixturevalue("bound_image")["id"])
    resource_id = str(body.pop("resourceId"))
    if case.constraint.message == "SetAccessBindingsRequest":
        return api.set_access_bindings(resource_id, None, **body)
    deltas = body.get("accessBindingDeltas")
    if case.kind == "at" and isinstance(deltas, list) and deltas[0]["action"] == "REMOVE":
        # A REMOVE of a binding the image holds: what one of a binding not held gets is
        # not documented.
        held = api.set_access_bindings(resource_id, [deltas[0]["accessBinding"]])
        if held.is_success:
            assert "error" not in api.wait(held.json()), held.text
    return api.update_access_bindings(resource_id, body)


def _same(field: str, sent: Any, image: dict[str, Any]) -> bool:
    got = image.get(field)
    if field == "minDiskSize":
        return str(got) == str(int(sent))
    if field == "os":
        return (got or {}).get("type", "LINUX") == sent["type"]
    if field == "labels":
        return (got or {}) == sent
    if field == "productIds":
        return (got or []) == sent
    return (got or "") == sent


def test_boundary(boundary_case: Case, api: Api, request: pytest.FixtureRequest) -> None:
    case = boundary_case
    response, fields = _send(case, api, request)
    if case.kind == "past":
        expect_error(response, 3)  # INVALID_ARGUMENT, HTTP 400
        assert _named(case, response), (
            f"{case.id}: the BadRequest must name {case.constraint.field}; it names "
            f"{violations(response)}"
        )
        return
    check = _documented_outcome(case)
    if check is not None:
        check(api, response)
        return
    assert response.is_success, f"{case.id}: a value at the limit must be taken: {response.text}"
    stored = {k: v for k, v in fields.items() if k in _STORED}
    if not stored or response.request.method == "GET":
        return
    done = api.wait(response.json())
    assert "error" not in done, f"{case.id}: the operation failed: {done['error']}"
    image = api.get(str(done["metadata"]["imageId"])).json()
    for field, sent in stored.items():
        assert _same(field, sent, image), (
            f"{case.id}: sent {field}={sent!r}, the image has {image.get(field)!r}"
        )


Check = Callable[[Api, httpx.Response], None]


def _documented_outcome(case: Case) -> Check | None:
    """None: the case must succeed. Else the check of the documented answers to a value at
    the limit that names nothing."""
    c = case.constraint
    if c.field in ("imageId", "resourceId") and c.message in _MISSING_IMAGE:
        return _not_found
    if c.message in _BINDING_CHANGES:
        return _operation_succeeds
    if c.message == "CreateImageRequest" and c.field in ("imageId", "diskId", "snapshotId"):
        return _source_not_found
    if c.message == "GetImageLatestByFamilyRequest":
        return _latest_or_not_found
    if c.field == "folderId":
        return _folder_answer
    return None


def _code(response: httpx.Response) -> int | None:
    return None if response.is_success else response.json().get("code")


def _not_found(api: Api, response: httpx.Response) -> None:
    """A well-formed ID of no image: NOT_FOUND (API.md's codes)."""
    __tracebackhide__ = True
    expect_error(response, NOT_FOUND)


def _operation_succeeds(api: Api, response: httpx.Response) -> None:
    """A valid request that changes bindings: an operation that ends without an error."""
    __tracebackhide__ = True
    assert response.is_success, f"a value at the limit must be taken: {response.text[:300]}"
    done = api.wait(response.json())
    assert "error" not in done, f"the operation failed: {done['error']}"


def _source_not_found(api: Api, response: httpx.Response) -> None:
    """A Create from a source that does not exist: NOT_FOUND, at once or as the error its
    operation ends with."""
    __tracebackhide__ = True
    if not response.is_success:
        expect_error(response, NOT_FOUND)
        return
    done = api.wait(response.json())
    assert done.get("error", {}).get("code") == NOT_FOUND, (
        f"a Create from a source that does not exist must end NOT_FOUND: {done}"
    )


def _latest_or_not_found(api: Api, response: httpx.Response) -> None:
    """The newest image of the family in the folder, or NOT_FOUND (a folder the token
    cannot see: PERMISSION_DENIED)."""
    __tracebackhide__ = True
    if response.is_success:
        assert response.json().get("id"), response.text[:300]
        return
    assert _code(response) in (NOT_FOUND, PERMISSION_DENIED), (
        f"expected an image, NOT_FOUND or PERMISSION_DENIED, got HTTP {response.status_code} "
        f"{response.text[:300]}"
    )


def _folder_answer(api: Api, response: httpx.Response) -> None:
    """A folder ID at its limit that is no folder of the run: a page (any folder usable),
    or NOT_FOUND / PERMISSION_DENIED (a folder that does not exist or is not the token's)."""
    __tracebackhide__ = True
    assert response.is_success or _code(response) in (NOT_FOUND, PERMISSION_DENIED), (
        f"expected a page, NOT_FOUND or PERMISSION_DENIED, got HTTP {response.status_code} "
        f"{response.text[:300]}"
    )
