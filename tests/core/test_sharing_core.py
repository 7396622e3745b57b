"""The core of the access-binding RPCs, below the wire: Set and Update deltas, and the
page tokens of ListAccessBindings when bindings change between pages."""

from __future__ import annotations

import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images._core.model import AccessBinding
from pytest_yc_images._core.sharing import apply_deltas

A = AccessBinding("viewer", "userAccount", "a")
B = AccessBinding("viewer", "userAccount", "b")
C = AccessBinding("admin", "serviceAccount", "c")


def test_set_replaces_and_reports_removals_then_additions() -> None:
    after, effective = apply_deltas([A, B], "SetAccessBindings", [("ADD", B), ("ADD", C)])
    assert after == [C, B]  # admin < viewer
    assert effective == [("REMOVE", A), ("ADD", C)]


def test_set_with_repeats_keeps_one_and_set_of_nothing_clears() -> None:
    after, effective = apply_deltas([], "SetAccessBindings", [("ADD", A), ("ADD", A)])
    assert (after, effective) == ([A], [("ADD", A)])
    assert apply_deltas([A, B], "SetAccessBindings", []) == ([], [("REMOVE", A), ("REMOVE", B)])


@pytest.mark.parametrize(
    ("deltas", "after", "effective"),
    [
        ([("ADD", A)], [A, B], []),  # held already: not effective
        ([("REMOVE", C)], [A, B], []),  # not held: not effective
        ([("REMOVE", A), ("ADD", C)], [C, B], [("REMOVE", A), ("ADD", C)]),
        ([("ADD", C), ("REMOVE", C)], [A, B], []),  # in order: the last one wins
        ([("REMOVE", A), ("ADD", A)], [A, B], []),
    ],
)
def test_update_applies_deltas_in_order(
    deltas: list[tuple[str, AccessBinding]],
    after: list[AccessBinding],
    effective: list[tuple[str, AccessBinding]],
) -> None:
    assert apply_deltas([A, B], "UpdateAccessBindings", deltas) == (after, effective)


def _binding(role: str, subject: str) -> dict[str, object]:
    return {"roleId": role, "subject": {"id": subject, "type": "userAccount"}}


def test_a_page_token_resumes_after_its_binding_even_when_earlier_ones_went() -> None:
    fake = FakeImageService(completion="immediate")
    image = fake.call("Create", {"folderId": "f", "uri": "https://storage.yandexcloud.net/b/x"})
    image_id = image["metadata"]["imageId"]
    subjects = [f"u{i}" for i in range(6)]
    fake.call(
        "SetAccessBindings",
        {"resourceId": image_id, "accessBindings": [_binding("viewer", s) for s in subjects]},
    )
    first = fake.call("ListAccessBindings", {"resourceId": image_id, "pageSize": 3})
    assert [b["subject"]["id"] for b in first["accessBindings"]] == ["u0", "u1", "u2"]
    assert len(first["nextPageToken"]) <= 100  # what the request's pageToken may hold
    # u0 goes: the next page still starts after u2, not one binding later.
    removal = {"action": "REMOVE", "accessBinding": _binding("viewer", "u0")}
    fake.call("UpdateAccessBindings", {"resourceId": image_id, "accessBindingDeltas": [removal]})
    second = fake.call(
        "ListAccessBindings",
        {"resourceId": image_id, "pageSize": 3, "pageToken": first["nextPageToken"]},
    )
    assert [b["subject"]["id"] for b in second["accessBindings"]] == ["u3", "u4", "u5"]
    assert "nextPageToken" not in second


def test_long_bindings_still_give_tokens_a_request_can_carry() -> None:
    fake = FakeImageService(completion="immediate")
    image = fake.call("Create", {"folderId": "f", "uri": "https://storage.yandexcloud.net/b/x"})
    image_id = image["metadata"]["imageId"]
    long_ids = ["x" * 99 + str(i) for i in range(3)]  # at the 100-character limit
    fake.call(
        "SetAccessBindings",
        {"resourceId": image_id, "accessBindings": [_binding("viewer", s) for s in long_ids]},
    )
    page = fake.call("ListAccessBindings", {"resourceId": image_id, "pageSize": 1})
    seen = [page["accessBindings"][0]["subject"]["id"]]
    for _ in range(5):  # bounded: three pages
        if "nextPageToken" not in page:
            break
        assert len(page["nextPageToken"]) <= 100
        page = fake.call(
            "ListAccessBindings",
            {"resourceId": image_id, "pageSize": 1, "pageToken": page["nextPageToken"]},
        )
        seen.append(page["accessBindings"][0]["subject"]["id"])
    assert seen == long_ids


def test_a_page_token_skips_nothing_when_its_binding_and_an_earlier_one_went() -> None:
    fake = FakeImageService(completion="immediate")
    image = fake.call("Create", {"folderId": "f", "uri": "https://storage.yandexcloud.net/b/x"})
    image_id = image["metadata"]["imageId"]
    fake.call(
        "SetAccessBindings",
        {"resourceId": image_id, "accessBindings": [_binding("viewer", f"u{i}") for i in range(6)]},
    )
    first = fake.call("ListAccessBindings", {"resourceId": image_id, "pageSize": 3})
    removals = [
        {"action": "REMOVE", "accessBinding": _binding("viewer", subject)}
        for subject in ("u0", "u2")  # an earlier binding and the page's last
    ]
    fake.call("UpdateAccessBindings", {"resourceId": image_id, "accessBindingDeltas": removals})
    second = fake.call(
        "ListAccessBindings",
        {"resourceId": image_id, "pageSize": 3, "pageToken": first["nextPageToken"]},
    )
    assert [b["subject"]["id"] for b in second["accessBindings"]] == ["u3", "u4", "u5"]
