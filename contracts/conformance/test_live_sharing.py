"""Profile live: an image's access bindings (live/image_service.proto's ListAccessBindings,
SetAccessBindings and UpdateAccessBindings; live/access.proto's messages).

Checked, as documented: the three routes; Set's and Update's operations carry the metadata
and result types the proto names, the metadata the image's ID; Set replaces the bindings
(List, once the operation is done, shows exactly those set); Update applies ADD and REMOVE
deltas; List pages with pageSize and nextPageToken; an image that does not exist is
NOT_FOUND. Each contract binds roles the real cloud has to one subject (the target's:
--subject-id beyond loopback) on the run's sharing image, whose bindings are cleared when
the contract ends (the bound_image fixture); the public groups only on loopback.

Not asserted (the fake's choices, or not documented): which roles exist and what they let
a subject do, which subject types and IDs are refused, the order List shows, whether a
binding shows before its operation is done, and what the effective deltas hold.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pytest_yc_images.conformance import ROLE, Api, expect_error

pytestmark = pytest.mark.profile("live")

ACCESS = "type.googleapis.com/yandex.cloud.access."
# Roles the real cloud has that only let a subject look at or use the image.
ROLES = (ROLE, "viewer", "compute.viewer")
NO_IMAGE = "fd8nosuchimageconformance"  # no image has it (IDs are 20 characters)
NOT_FOUND = 5
Key = tuple[str, str, str]


def _binding(subject: dict[str, str], role: str = ROLE) -> dict[str, Any]:
    return {"roleId": role, "subject": dict(subject)}


def _key(binding: dict[str, Any]) -> Key:
    return (binding["roleId"], binding["subject"]["type"], binding["subject"]["id"])


def _pages(api: Api, image_id: str, **params: Any) -> list[list[Key]]:
    """Every page of the image's bindings (bounded: at most 100 pages)."""
    pages: list[list[Key]] = []
    token = None
    for _ in range(100):
        reply = api.list_access_bindings(image_id, pageToken=token, **params)
        assert reply.status_code == 200, reply.text
        pages.append([_key(b) for b in reply.json().get("accessBindings", [])])
        token = reply.json().get("nextPageToken")
        if not token:
            return pages
    raise AssertionError("ListAccessBindings paging did not end after 100 pages")


def _listed(api: Api, image_id: str) -> list[Key]:
    return [key for page in _pages(api, image_id) for key in page]


def _done(api: Api, reply: httpx.Response, method: str, image_id: str) -> dict[str, Any]:
    """The operation of a Set or an Update (``method``), checked and waited for."""
    assert reply.status_code == 200, reply.text
    operation = reply.json()
    metadata = operation["metadata"]
    assert metadata["@type"] == f"{ACCESS}{method}AccessBindingsMetadata", metadata
    assert metadata["resourceId"] == image_id, metadata
    done = api.wait(operation)
    assert "error" not in done, done["error"]
    assert done["response"]["@type"] == f"{ACCESS}AccessBindingsOperationResult", done
    return done


def _set(api: Api, image_id: str, bindings: list[dict[str, Any]]) -> dict[str, Any]:
    return _done(api, api.set_access_bindings(image_id, bindings), "Set", image_id)


def _update(api: Api, image_id: str, *deltas: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    body = {"accessBindingDeltas": [{"action": a, "accessBinding": b} for a, b in deltas]}
    return _done(api, api.update_access_bindings(image_id, body), "Update", image_id)


@pytest.mark.mutating
@pytest.mark.rule("live.access-list", "live.access-routes",
                  "wire.schema.ListAccessBindingsResponse")  # fmt: skip
def test_an_image_whose_bindings_were_set_to_none_lists_none(
    api: Api, bound_image: dict[str, Any]
) -> None:
    reply = api.list_access_bindings(str(bound_image["id"]))
    assert reply.status_code == 200, reply.text
    assert reply.json().get("accessBindings", []) == []
    assert not reply.json().get("nextPageToken")


@pytest.mark.mutating
@pytest.mark.rule("live.access-set", "live.access-routes", "wire.operation.metadata",
                  "wire.any-type", "wire.schema.SetAccessBindingsOperation")  # fmt: skip
def test_set_replaces_the_bindings(
    api: Api, bound_image: dict[str, Any], subject: dict[str, str]
) -> None:
    image_id = str(bound_image["id"])
    first = _binding(subject, ROLES[0])
    _set(api, image_id, [first])
    assert _listed(api, image_id) == [_key(first)]
    others = [_binding(subject, ROLES[1]), _binding(subject, ROLES[2])]
    _set(api, image_id, others)
    assert sorted(_listed(api, image_id)) == sorted(_key(b) for b in others)
    _set(api, image_id, [])
    assert _listed(api, image_id) == []


@pytest.mark.mutating
@pytest.mark.rule("live.access-update", "live.access-deltas", "live.access-routes",
                  "wire.schema.UpdateAccessBindingsOperation")  # fmt: skip
def test_update_adds_and_removes_bindings(
    api: Api, bound_image: dict[str, Any], subject: dict[str, str]
) -> None:
    image_id = str(bound_image["id"])
    user, viewer = _binding(subject, ROLES[0]), _binding(subject, ROLES[1])
    _update(api, image_id, ("ADD", user))
    assert _listed(api, image_id) == [_key(user)]
    _update(api, image_id, ("ADD", viewer), ("REMOVE", user))
    assert _listed(api, image_id) == [_key(viewer)]
    _update(api, image_id, ("REMOVE", viewer))
    assert _listed(api, image_id) == []


@pytest.mark.mutating
@pytest.mark.rule("live.access-page-size", "live.access-list")
def test_list_pages_the_bindings(
    api: Api, bound_image: dict[str, Any], subject: dict[str, str]
) -> None:
    image_id = str(bound_image["id"])
    bindings = [_binding(subject, role) for role in ROLES]
    _set(api, image_id, bindings)
    pages = _pages(api, image_id, pageSize=1)
    assert all(len(page) <= 1 for page in pages), pages
    found = [key for page in pages for key in page]
    assert sorted(found) == sorted(_key(b) for b in bindings)  # each once, none lost
    # Default value: 100: three bindings come on one page, with no token after it.
    assert [sorted(page) for page in _pages(api, image_id)] == [sorted(found)]


@pytest.mark.rule("live.access-list", "errors.http_status")
def test_the_bindings_of_an_image_that_does_not_exist_are_not_found(api: Api) -> None:
    expect_error(api.list_access_bindings(NO_IMAGE), NOT_FOUND)


@pytest.mark.mutating
@pytest.mark.rule("live.access-set", "live.access-update", "errors.http_status")
def test_binding_on_an_image_that_does_not_exist_is_not_found(
    api: Api, subject: dict[str, str]
) -> None:
    binding = _binding(subject)
    expect_error(api.set_access_bindings(NO_IMAGE, [binding]), NOT_FOUND)
    body = {"accessBindingDeltas": [{"action": "ADD", "accessBinding": binding}]}
    expect_error(api.update_access_bindings(NO_IMAGE, body), NOT_FOUND)


@pytest.mark.mutating
@pytest.mark.rule("live.access-all-users")
@pytest.mark.parametrize("group", ["allUsers", "allAuthenticatedUsers"])
def test_a_public_group_is_bound_as_a_system_subject(
    api: Api, request: pytest.FixtureRequest, group: str
) -> None:
    """access.proto: each "can be used only if the [type] is `system`"."""
    if not api.target.loopback:
        pytest.skip("the suite binds the public groups only on loopback (it would publish "
                    "the image)")  # fmt: skip
    image_id = str(request.getfixturevalue("bound_image")["id"])
    public = {"roleId": ROLE, "subject": {"id": group, "type": "system"}}
    _set(api, image_id, [public])
    assert _listed(api, image_id) == [_key(public)]
