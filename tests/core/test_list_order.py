"""ImageService.List ``orderBy`` through the in-process REST face and the loopback server.

Documented (live/image_service.proto, ListImagesRequest.order_by): the format
``createdAt desc``; ``id asc`` if omitted; ascending when no direction is given; at most
100 characters. The fake's choices (docs/profiles.md): the columns id, name and
createdAt; asc/desc in any case; any whitespace around and between; ties broken by id;
images without a name first in ascending name order; a descending order is the exact
reverse of the ascending one. The seed profile has no orderBy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_yc_images import DEFAULT_TOKEN, FakeImageService
from tests.conftest import FOLDER, Api, checked_client, checked_http_client


def _id(letter: str) -> str:
    return f"fd8{letter}" + "0" * 16


# id letter -> (name, createdAt): two ties on createdAt, two images without a name.
IMAGES = {
    "c": ("bravo", "2026-01-03T00:00:00Z"),
    "a": ("delta", "2026-01-01T00:00:00Z"),
    "d": ("", "2026-01-02T00:00:00Z"),
    "b": ("alpha", "2026-01-02T00:00:00Z"),
    "e": ("charlie", "2026-01-04T00:00:00Z"),
    "f": ("", "2026-01-01T00:00:00Z"),
}
# The orders, written out by hand from the table above.
EXPECTED = {
    "id asc": "abcdef",
    "id desc": "fedcba",
    "name asc": "dfbcea",  # no name first (by id), then alpha, bravo, charlie, delta
    "name desc": "aecbfd",
    "createdAt asc": "afbdce",  # ties (a, f) and (b, d) by id
    "createdAt desc": "ecdbfa",
}


def _put_all(fake: FakeImageService, folder: str = FOLDER) -> None:
    for letter, (name, created) in IMAGES.items():
        fields = {"name": name} if name else {}
        fake.put_image(folderId=folder, id=_id(letter), createdAt=created, **fields)


@pytest.fixture
def six(api: Api, fake: FakeImageService) -> Api:
    _put_all(fake)
    fake.put_image(folderId="b1gotherfolder", name="alpha")
    return api


def _walk(api: Api, page_size: int, **params: Any) -> list[str]:
    """Every page's image IDs, in order; each page at most page_size long."""
    ids: list[str] = []
    token = ""
    for _ in range(100):
        query = {"pageSize": page_size, **params} | ({"pageToken": token} if token else {})
        reply = api.list(**query)
        assert reply.status_code == 200, reply.text
        page = reply.json().get("images", [])
        assert len(page) <= page_size
        ids += [image["id"] for image in page]
        token = reply.json().get("nextPageToken", "")
        if not token:
            return ids
        assert len(token) <= 100  # the pageToken limit: a token must be sendable back
    raise AssertionError("paging did not end")


def _letters(ids: list[str]) -> str:
    return "".join(i[3] for i in ids)


@pytest.mark.parametrize("order", EXPECTED)
@pytest.mark.parametrize("page_size", [1, 2, 4, 1000])
def test_each_order_pages_in_its_order(six: Api, order: str, page_size: int) -> None:
    assert _letters(_walk(six, page_size, orderBy=order)) == EXPECTED[order]


@pytest.mark.parametrize(
    ("written", "order"),
    [
        ("id", "id asc"),  # no direction: ascending (documented)
        ("name", "name asc"),
        ("createdAt", "createdAt asc"),
        ("createdAt DESC", "createdAt desc"),
        ("createdAt Desc", "createdAt desc"),
        ("id ASC", "id asc"),
        ("  name\t desc  ", "name desc"),
        ("", "id asc"),  # omitted: id asc (documented)
        ("   ", "id asc"),
    ],
)
def test_the_forms_of_an_order(six: Api, written: str, order: str) -> None:
    assert _letters(_walk(six, 2, orderBy=written)) == EXPECTED[order]


def test_omitted_is_id_ascending(six: Api) -> None:
    assert _walk(six, 2) == _walk(six, 2, orderBy="id asc") == [_id(x) for x in "abcdef"]


@pytest.mark.parametrize(
    "written",
    [
        "size",
        "created_at",  # the proto's name; the REST name is createdAt
        "createdat",
        "ID",
        "family asc",
        "createdAt up",
        "createdAt asc desc",
        "name asc, id desc",
        "name,id",
        "asc",
        "desc id",
        "-createdAt",
    ],
)
def test_anything_else_is_invalid_naming_order_by(six: Api, written: str) -> None:
    reply = six.list(orderBy=written)
    assert reply.status_code == 400, written
    assert six.violations(reply) == ["orderBy"]
    assert "id, name, createdAt" in reply.json()["message"]


def test_order_by_takes_100_characters_and_no_more(six: Api) -> None:
    at_limit = "createdAt" + " " * 87 + "desc"  # 100 characters: spaces are the fake's choice
    assert _letters(_walk(six, 2, orderBy=at_limit)) == EXPECTED["createdAt desc"]
    reply = six.list(orderBy=at_limit + " ")  # 101 characters
    assert reply.status_code == 400
    assert six.violations(reply) == ["orderBy"]


@pytest.mark.parametrize("order", ["createdAt desc", "id desc", "name asc"])
def test_a_token_is_bound_to_its_order(six: Api, order: str) -> None:
    token = six.list(pageSize=2, orderBy=order).json()["nextPageToken"]
    for other in EXPECTED:
        if other == order:
            continue
        reply = six.list(pageSize=2, orderBy=other, pageToken=token)
        assert reply.status_code == 400, (order, other)
        assert six.violations(reply) == ["pageToken"]
    # The same order written another way is the same order.
    column, direction = order.split()
    same = six.list(pageSize=2, orderBy=f" {column}  {direction.upper()}", pageToken=token)
    assert _letters([i["id"] for i in same.json()["images"]]) == EXPECTED[order][2:4]


def test_a_default_order_token_is_refused_with_another_order(six: Api) -> None:
    token = six.list(pageSize=2).json()["nextPageToken"]
    assert six.list(pageSize=2, orderBy="id asc", pageToken=token).status_code == 200
    reply = six.list(pageSize=2, orderBy="id desc", pageToken=token)
    assert reply.status_code == 400
    assert six.violations(reply) == ["pageToken"]


@pytest.mark.parametrize("order", EXPECTED)
def test_a_filter_in_each_order(six: Api, order: str) -> None:
    chosen = 'name IN ("alpha", "charlie", "delta", "nope")'
    expected = [x for x in EXPECTED[order] if IMAGES[x][0] in ("alpha", "charlie", "delta")]
    assert _letters(_walk(six, 1, orderBy=order, filter=chosen)) == "".join(expected)
    unnamed = [x for x in EXPECTED[order] if IMAGES[x][0] != "bravo"]
    assert _letters(_walk(six, 2, orderBy=order, filter='name != "bravo"')) == "".join(unnamed)
    assert _letters(_walk(six, 1, orderBy=order, filter='name = ""')) == "".join(
        x for x in EXPECTED[order] if not IMAGES[x][0]
    )


@pytest.mark.parametrize("order", EXPECTED)
def test_paging_is_stable_while_images_come_and_go(
    api: Api, fake: FakeImageService, order: str
) -> None:
    stayers = {fake.put_image(folderId=FOLDER, name=f"stay-{i:03d}")["id"] for i in range(30)}
    goners = [fake.put_image(folderId=FOLDER, name=f"gone-{i:03d}")["id"] for i in range(30)]
    seen: list[str] = []
    token = ""
    for number in range(100):
        query = {"pageSize": 4, "orderBy": order} | ({"pageToken": token} if token else {})
        page = api.list(**query).json()
        seen += [image["id"] for image in page.get("images", [])]
        # Between pages: delete two images (listed or not) and create two, one with a
        # name sorting first and one last, one unnamed.
        for _ in range(2):
            if goners:
                api.poll(api.delete(goners.pop(number % len(goners))).json()["id"])
        api.create(name=f"a-new-{number:03d}")
        api.create(name=f"z-new-{number:03d}" if number % 2 else "")
        token = page.get("nextPageToken", "")
        if not token:
            break
    else:
        pytest.fail("paging did not end")
    assert len(seen) == len(set(seen)), "an image repeated across pages"
    assert stayers <= set(seen), f"skipped: {stayers - set(seen)}"


@pytest.mark.parametrize("order", EXPECTED)
def test_a_deleted_last_image_does_not_break_the_token(six: Api, order: str) -> None:
    first = six.list(pageSize=3, orderBy=order).json()
    last = first["images"][-1]["id"]
    six.poll(six.delete(last).json()["id"])  # the image the token points after
    rest = _walk(six, 1000, orderBy=order, pageToken=first["nextPageToken"])
    assert _letters(rest) == EXPECTED[order][3:]


def test_a_renamed_image_moves_in_the_name_order(six: Api) -> None:
    reply = six.update(_id("e"), updateMask="name", name="aardvark")
    six.poll(reply.json()["id"])
    assert _letters(_walk(six, 2, orderBy="name asc")) == "dfebca"
    reply = six.update(_id("b"), updateMask="name")  # the name reset: no name
    six.poll(reply.json()["id"])
    assert _letters(_walk(six, 2, orderBy="name asc")) == "bdfeca"
    assert _letters(_walk(six, 2, orderBy="name desc")) == "acefdb"
    assert _letters(_walk(six, 1, orderBy="name", filter='name = "aardvark"')) == "e"


def test_the_longest_names_and_ids_give_tokens_that_fit(api: Api, fake: FakeImageService) -> None:
    for i in range(4):
        fake.put_image(folderId=FOLDER, id=f"{i}" * 50, name=f"{'n' * 62}{i}")
        fake.put_image(folderId=FOLDER, id=f"{i}" * 49 + "x", createdAt="2026-01-01T00:00:00Z")
    for order in EXPECTED:
        assert len(_walk(api, 1, orderBy=order)) == 8, order


def test_orders_survive_a_state_file_and_a_snapshot(
    six: Api, fake: FakeImageService, tmp_path: Any
) -> None:
    path = fake.save_state(tmp_path / "state.json")
    token = six.list(pageSize=2, orderBy="name desc").json()["nextPageToken"]
    loaded = FakeImageService(seed=1)
    loaded.load_state(path)
    with checked_client(loaded) as client:
        again = Api(client, loaded)
        for order in EXPECTED:
            assert _letters(_walk(again, 2, orderBy=order)) == EXPECTED[order]
        rest = _walk(again, 1000, orderBy="name desc", pageToken=token)  # same seed, same key
        assert _letters(rest) == EXPECTED["name desc"][2:]
    snapshot = fake.snapshot()
    six.poll(six.delete(_id("c")).json()["id"])
    fake.restore(snapshot)
    for order in EXPECTED:
        assert _letters(_walk(six, 3, orderBy=order)) == EXPECTED[order]


def _seed_fake() -> FakeImageService:
    fake = FakeImageService(seed=1, profile="seed")
    _put_all(fake)
    return fake


@pytest.mark.parametrize(
    ("written", "order"),
    [("id asc", "id asc"), ("createdAt desc", "createdAt desc"), ("name", "name asc")],
)
def test_order_by_is_live_only(six: Api, written: str, order: str) -> None:
    assert _letters(_walk(six, 2, orderBy=written)) == EXPECTED[order]
    seed = _seed_fake()
    with checked_client(seed) as client:
        api = Api(client, seed)
        reply = api.list(orderBy=written)
        assert reply.status_code == 400
        assert api.violations(reply) == ["orderBy"]
        assert _letters(_walk(api, 2)) == "abcdef"  # without it: by id, as before


def test_the_loopback_server_orders_in_live_only(fake: FakeImageService) -> None:
    _put_all(fake)
    with fake.serve() as server, checked_http_client(server.url) as client:
        api = Api(client, fake)
        for order in EXPECTED:
            assert _letters(_walk(api, 4, orderBy=order)) == EXPECTED[order]
        reply = api.list(orderBy="size")
        assert reply.status_code == 400
        assert api.violations(reply) == ["orderBy"]
        assert "id, name, createdAt" in reply.json()["message"]
    seed = _seed_fake()
    with (
        seed.serve() as server,
        httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        ) as client,
    ):
        reply = client.get("/compute/v1/images", params={"folderId": FOLDER, "orderBy": "id"})
    assert reply.status_code == 400
    fields = [v["field"] for d in reply.json()["details"] for v in d.get("fieldViolations", [])]
    assert fields == ["orderBy"]


# --- any images, any order: the pages are the images sorted by the stated rules --------
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_images = st.lists(
    st.tuples(
        st.text("abc", min_size=1, max_size=6),  # the ID's tail: few letters, many ties
        st.sampled_from(["", "x", "y", "z", "xa", "ya"]),  # the name: some unnamed
        st.integers(0, 3),  # createdAt, in seconds after _EPOCH: many ties
    ),
    max_size=12,
    unique_by=lambda image: image[0],
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    images=_images,
    column=st.sampled_from(["id", "name", "createdAt"]),
    descending=st.booleans(),
    page_size=st.integers(1, 5),
)
def test_any_images_page_in_the_stated_order(
    images: list[tuple[str, str, int]], column: str, descending: bool, page_size: int
) -> None:
    fake = FakeImageService(seed=1, standard=False)
    used: set[str] = set()
    expected_keys: dict[str, tuple[Any, ...]] = {}
    for tail, name, second in images:
        image_id = "fd8" + tail
        if name and name in used:
            name = ""  # names are unique in a folder
        used.add(name)
        created = (_EPOCH + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")
        fake.put_image(
            folderId=FOLDER, id=image_id, createdAt=created, **({"name": name} if name else {})
        )
        key = {"id": (image_id,), "name": (name, image_id), "createdAt": (second, image_id)}
        expected_keys[image_id] = key[column]
    expected = sorted(expected_keys, key=expected_keys.__getitem__, reverse=descending)
    with checked_client(fake) as client:
        order = f"{column} {'desc' if descending else 'asc'}"
        assert _walk(Api(client, fake), page_size, orderBy=order) == expected
