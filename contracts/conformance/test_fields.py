"""Schema-derived contracts: each request field at its limit and just past it.

At the limit the request is accepted (no INVALID_ARGUMENT naming the field) and, where
the method stores the field, the value round-trips into the image. Just past it the
answer is INVALID_ARGUMENT (HTTP 400) with a google.rpc.BadRequest naming the field.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pytest_yc_images.conformance import Api, Case, RunIdentity, expect_error, violations

_SNAKE = {
    name: "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)
    for name in ("folderId", "imageId", "pageSize", "pageToken", "minDiskSize", "productIds",
                 "updateMask", "diskId", "snapshotId")
}  # fmt: skip
_SOURCES = ("imageId", "diskId", "snapshotId", "uri")
_STORED = {"name", "description", "labels", "family", "minDiskSize", "productIds", "os"}


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
    images = api.list(pageSize=1).json().get("images", [])
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
        return api.http.get(
            "/compute/v1/images" + (":latestByFamily" if "Family" in c.message else ""),
            params={k: str(v) for k, v in query.items()},
        ), fields
    if c.message == "ListImageOperationsRequest":
        if field == "imageId":
            return api.list_operations(value), fields
        scratch = request.getfixturevalue("scratch_image") if api.target.mutations_allowed else None
        return api.list_operations(_image_for_operations(api, scratch), **fields), fields
    if c.message == "CreateImageRequest":
        source = request.getfixturevalue("source_image_id")
        body = api.create_body(source)
        if field in _SOURCES:
            body.pop("imageId")
        if field == "minDiskSize" and case.kind == "at":
            found = api.get(source).json()
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
    rejected = response.status_code == 400 and response.json().get("code") == 3
    assert not (rejected and _named(case, response)), (
        f"{case.id}: a value at the limit was rejected: {response.text[:300]}"
    )
    stored = {k: v for k, v in fields.items() if k in _STORED}
    if not response.is_success or not stored or response.request.method == "GET":
        return
    done = api.wait(response.json())
    assert "error" not in done, f"{case.id}: the operation failed: {done['error']}"
    image = api.get(str(done["metadata"]["imageId"])).json()
    for field, sent in stored.items():
        assert _same(field, sent, image), (
            f"{case.id}: sent {field}={sent!r}, the image has {image.get(field)!r}"
        )
