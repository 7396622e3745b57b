"""Issue 16, row 10 over REST: ``Idempotency-Key`` as the API design guide has it.

"The header must contain the UUID [...] the server checks whether an operation with this
UUID has already been created. If so, the server returns the Operation." The fake's
choices (docs/profiles.md): a key is its caller's and spans methods; a key that is not a
UUID is INVALID_ARGUMENT naming ``Idempotency-Key``; the journal marks every replay.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pytest_yc_images import FakeImageService

FOLDER = "b1gkeysfolder0000001"
IMAGES = "/compute/v1/images"
KEY = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
OTHER_KEY = "6fa459ea-ee8a-4ca4-894e-db77e160355e"
PROFILES = pytest.mark.parametrize("profile", ["live", "seed"])


def _create(
    client: httpx.Client, name: str, key: str | None = KEY, **fields: Any
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    body = {"folderId": FOLDER, "name": name, "uri": "https://storage.example/a.qcow2", **fields}
    return client.post(IMAGES, json=body, headers=headers)


@PROFILES
def test_a_key_repeated_with_another_body_returns_the_first_operation(profile: str) -> None:
    fake = FakeImageService(profile=profile)
    with fake.client() as client:
        first = _create(client, "first").json()
        same = _create(client, "first").json()
        other = _create(client, "second", description="another body").json()
        listed = client.get(IMAGES, params={"folderId": FOLDER}).json()["images"]
    assert same["id"] == other["id"] == first["id"]
    assert [image["name"] for image in listed] == ["first"]  # the repeats did no work
    marks = [(e.replayed, e.replayed_with_other_body) for e in fake.journal.calls("Create")]
    assert marks == [(False, False), (True, False), (True, True)]
    [reused] = fake.journal.reused_keys()
    assert reused.request["name"] == "second"
    assert [e.request["name"] for e in fake.journal.replays()] == ["first", "second"]


@PROFILES
def test_one_request_written_another_way_is_not_another_body(profile: str) -> None:
    """Found by review: the digest was of the raw JSON, so int64 as a string or a number,
    or a field at its default written out, marked a true repeat as another body (and a
    client's "never reuse a key" test failed against a client that did not)."""
    fake = FakeImageService(profile=profile)
    with fake.client() as client:
        _create(client, "same", minDiskSize="4194304")
        _create(client, "same", minDiskSize=4194304, description="", labels={}, pooled=False)
        _create(client, "same", minDiskSize=4194305)
    marks = [(e.replayed, e.replayed_with_other_body) for e in fake.journal.calls("Create")]
    assert marks == [(False, False), (True, False), (True, True)]


def test_a_key_spans_methods_of_its_caller() -> None:
    fake = FakeImageService()
    image = fake.put_image(folderId=FOLDER, name="kept")
    with fake.client() as client:
        created = _create(client, "made").json()
        headers = {"Idempotency-Key": KEY}
        deleted = client.delete(f"{IMAGES}/{image['id']}", headers=headers).json()
        updated = client.patch(f"{IMAGES}/{image['id']}", headers=headers,
                               json={"updateMask": "name", "name": "renamed"}).json()  # fmt: skip
        # Cancel starts no operation: its key is checked, never keyed.
        cancel = client.post(f"/operations/{created['id']}:cancel", headers=headers).json()
    assert deleted["id"] == updated["id"] == created["id"]
    assert cancel["id"] == created["id"]
    assert cancel["error"]["code"] == 1
    assert fake.images(FOLDER)[0]["name"] == "kept"  # neither Delete nor Update ran
    assert [e.method for e in fake.journal.reused_keys()] == [
        "ImageService.Delete",
        "ImageService.Update",
    ]


def test_keys_are_the_callers_own() -> None:
    fake = FakeImageService()
    with fake.client(token="alice") as alice, fake.client(token="bob") as bob:
        first = _create(alice, "alices").json()
        second = _create(bob, "bobs").json()
        again = _create(alice, "alices-other").json()  # another body, the same caller
    assert first["id"] != second["id"]
    assert again["id"] == first["id"]
    assert [e.replayed_with_other_body for e in fake.journal.calls("Create")] == [
        False,
        False,
        True,
    ]


@pytest.mark.parametrize(
    "written",
    [KEY.upper(), KEY[:8].upper() + KEY[8:]],
    ids=["upper", "mixed"],
)
def test_one_uuid_is_one_key_however_it_is_written(written: str) -> None:
    fake = FakeImageService()
    with fake.client() as client:
        first = _create(client, "a").json()
        again = _create(client, "a", key=written).json()
    assert again["id"] == first["id"]


@PROFILES
@pytest.mark.parametrize(
    "key",
    ["retry-1", "0", KEY + "0", KEY.replace("-", ""), "{" + KEY + "}", "k" * 8_000, "é" * 36],
    ids=["word", "digit", "long", "no-dashes", "braces", "huge", "not-hex"],
)
def test_a_key_that_is_not_a_uuid_is_invalid_argument_naming_it(profile: str, key: str) -> None:
    fake = FakeImageService(profile=profile)
    with fake.client() as client:
        reply = client.post(IMAGES, json={"folderId": FOLDER, "name": "k", "uri": "https://storage.example/a.qcow2"},
                            headers={"Idempotency-Key": key.encode()})  # fmt: skip
        cancel = client.get("/operations/fd8nosuchoperation00:cancel",
                            headers={"Idempotency-Key": "retry-1"})  # fmt: skip
    assert reply.status_code == 400
    body = reply.json()
    assert body["code"] == 3
    [violation] = body["details"][0]["fieldViolations"]
    assert violation["field"] == "Idempotency-Key"
    assert "UUID" in violation["description"]
    assert len(body["message"]) < 300  # a huge key is not echoed whole
    assert (cancel.status_code, cancel.json()["code"]) == (400, 3)
    assert fake.images(FOLDER) == []
    with fake.client() as client:  # an empty header is no key; reads ignore the header
        one = _create(client, "one", key="").json()
        two = _create(client, "two", key="").json()
        page = client.get(
            IMAGES, params={"folderId": FOLDER}, headers={"Idempotency-Key": key.encode()}
        )
    assert one["id"] != two["id"]
    assert page.status_code == 200


def test_the_journal_json_marks_replays() -> None:
    fake = FakeImageService()
    with fake.client() as client:
        _create(client, "a")
        _create(client, "b")
        entries = client.get("/_fake/journal").json()["entries"]
    assert [(e["replayed"], e["replayedWithOtherBody"]) for e in entries] == [
        (False, False),
        (True, True),
    ]


def test_a_state_file_keeps_keys_in_the_new_shape(tmp_path: Path) -> None:
    fake = FakeImageService()
    with fake.client() as client:
        first = _create(client, "saved").json()
    path = fake.save_state(tmp_path / "state.json")
    [entry] = json.loads(path.read_text())["idempotency"]
    assert set(entry) == {"subject", "key", "operationId", "method", "digest"}
    assert (entry["key"], entry["method"]) == (KEY, "ImageService.Create")
    again = FakeImageService()
    again.load_state(path)
    with again.client() as client:
        repeat = _create(client, "another").json()
    assert repeat["id"] == first["id"]
    assert [(e.replayed, e.replayed_with_other_body) for e in again.journal.entries] == [
        (True, True)
    ]


def test_an_old_state_file_with_request_fingerprints_still_loads(tmp_path: Path) -> None:
    fake = FakeImageService()
    with fake.client() as client:
        first = _create(client, "old").json()
        second = _create(client, "older", key=OTHER_KEY).json()
    state = fake.save_state(tmp_path / "state.json")
    data = json.loads(state.read_text())
    subject, one, two = (data["idempotency"][0]["subject"], *data["idempotency"])
    # As files were written before keys spanned methods: (subject, method, key, request),
    # where one key could stand for several requests; the first entry holds.
    old = [
        {"subject": subject, "method": e["method"], "key": e["key"], "request": e["digest"],
         "operationId": e["operationId"]}
        for e in (one, {**two, "key": KEY}, two)
    ]  # fmt: skip
    state.write_text(json.dumps({**data, "idempotency": old}))
    again = FakeImageService()
    again.load_state(state)
    with again.client() as client:
        assert _create(client, "old").json()["id"] == first["id"]
        assert _create(client, "older", key=OTHER_KEY).json()["id"] == second["id"]
    assert [e.replayed_with_other_body for e in again.journal.entries] == [False, False]


@pytest.mark.parametrize(
    ("change", "problem"),
    [({"digest": None}, "digest: is required"), ({"request": "d"}, "digest: and request")],
    ids=["neither", "both"],
)
def test_a_state_file_key_has_a_digest_or_an_old_request(
    tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    fake = FakeImageService()
    with fake.client() as client:
        _create(client, "saved")
    data = json.loads(fake.save_state(tmp_path / "state.json").read_text())
    entry = data["idempotency"][0]
    entry.update({k: v for k, v in change.items() if v is not None})
    for k in [k for k, v in change.items() if v is None]:
        del entry[k]
    with pytest.raises(ValueError, match=rf"idempotency\[0\]\.{problem}"):
        FakeImageService().load_state(data)


def test_a_new_state_file_may_not_give_a_key_twice(tmp_path: Path) -> None:
    fake = FakeImageService()
    with fake.client() as client:
        _create(client, "twice")
    data = json.loads(fake.save_state(tmp_path / "state.json").read_text())
    data["idempotency"] *= 2
    again = FakeImageService()
    with pytest.raises(ValueError, match=r"idempotency\[1\]\.key"):
        again.load_state(data)
