"""A corpus of bad input, in process and over a real socket (the loopback server).

Malformed, truncated, huge and deeply nested JSON; a wrong type in every field of every
request body; unicode, control characters and NUL in every string field; lone surrogates;
very long query strings and headers; invalid tokens; unknown content types. Each request
gets a ``google.rpc.Status`` with the right code (never a 5xx), the server keeps serving,
and what it refused changes nothing (``fake.images()`` before and after).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pytest_yc_images import (
    COMPUTE_URL,
    Code,
    FakeImageService,
    LoopbackServer,
    ServiceError,
    schema,
    validator,
)
from pytest_yc_images._validation import MAX_LISTED
from pytest_yc_images.faces.rest import MAX_BODY

TOKEN = "bad-input-token"
FOLDER = "b1gbadinput000000001"
IMAGES = "/compute/v1/images"
SOURCE_URI = "https://storage.yandexcloud.net/bad-input/disk.qcow2"
MIB = 1024 * 1024
WRONG_TYPES: list[Any] = [None, True, 0, 1.5, "text", [], ["text"], {}, {"key": "value"}]
STRANGE_STRINGS = [
    "\x00",
    "nul\x00inside",
    "\x07\x1b[31mred",
    "tab\tand\nnewline",
    "naïve",
    "日本語",
    "😀",
    "\u202eright-to-left",
    "\ufeffbom",
    "\ud800",  # a lone surrogate: json.dumps sends it as the escape "\ud800"
    "\udc00\ud800",  # a reversed pair
]


class Target:
    """A fake behind a client (in process or over loopback), and what a test checks."""

    def __init__(self, fake: FakeImageService, base_url: str, transport: Any) -> None:
        self.fake = fake
        self.base_url = base_url
        self.transport = transport  # None: a real socket
        self.kept = fake.put_image(folderId=FOLDER, name="kept", family="kept")
        self.before = fake.images()
        self.baseline = fake.snapshot()
        self.http = self.client({"Authorization": f"Bearer {TOKEN}"})

    def client(self, headers: dict[str, Any]) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, transport=self.transport, headers=headers, timeout=30
        )

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, url, **kwargs)

    def send_json(self, method: str, url: str, body: Any) -> httpx.Response:
        """``body`` as ASCII JSON, so a lone surrogate goes as its escape (``\\ud800``)."""
        return self.send(method, url, content=json.dumps(body).encode(), headers=_JSON)

    def post_raw(self, body: bytes, content_type: str = "application/json") -> httpx.Response:
        return self.send("POST", IMAGES, content=body, headers={"Content-Type": content_type})

    def refused(self, response: httpx.Response, code: Code, field: str | None = None) -> None:
        """A Status with ``code`` and its HTTP status; BadRequest naming ``field``; no change."""
        what = f"{response.request.method} {str(response.request.url)[:120]}"
        assert response.status_code == code.http_status, f"{what}: {response.text[:300]}"
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["code"] == code, f"{what}: {body}"
        if field is not None:
            named = [
                violation["field"]
                for detail in body.get("details", [])
                if detail["@type"].endswith("google.rpc.BadRequest")
                for violation in detail["fieldViolations"]
            ]
            prefixes = (f"{field}.", f"{field}[")
            assert any(name == field or name.startswith(prefixes) for name in named), (
                f"{what}: expected a violation of {field}, got {named}"
            )
        self.unchanged()

    def unchanged(self) -> None:
        """Nothing changed, and the server still serves an ordinary call."""
        assert self.fake.images() == self.before
        page = self.send("GET", IMAGES, params={"folderId": FOLDER})
        assert page.status_code == 200, page.text
        assert [image["id"] for image in page.json()["images"]] == [self.kept["id"]]


_JSON = {"Content-Type": "application/json"}


@pytest.fixture(params=["in-process", "loopback"])
def target(
    request: pytest.FixtureRequest, loopback: Callable[[FakeImageService], LoopbackServer]
) -> Iterator[Target]:
    fake = FakeImageService(seed="bad-input", access={TOKEN: [FOLDER]}, completion="immediate")
    if request.param == "in-process":
        made = Target(fake, COMPUTE_URL, fake.transport())
    else:
        made = Target(fake, loopback(fake).url, None)
    with made.http:
        yield made


# --- JSON that is not a request -------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"folderId": }',
        b"nul",
        b'{"folderId": "x",}',
        b"\xff\xfe\x00",
        b"'single'",
        b'{"folderId": "x" "name": "y"}',
        b'"a string"',
        b"[1, 2]",
        b"123",
        b"null",
        b"NaN",
    ],
)
def test_malformed_json_is_invalid_argument_naming_the_body(target: Target, body: bytes) -> None:
    target.refused(target.post_raw(body), Code.INVALID_ARGUMENT, "body")
    image = f"{IMAGES}/{target.kept['id']}"
    patch = target.send("PATCH", image, content=body, headers={"Content-Type": "application/json"})
    target.refused(patch, Code.INVALID_ARGUMENT, "body")


def test_truncated_json_is_invalid_argument(target: Target) -> None:
    whole = json.dumps({"folderId": FOLDER, "name": "cut", "labels": {"a": "b"}}).encode()
    for end in range(1, len(whole), 3):  # 17 cuts, from "{" to all but the last brace
        target.refused(target.post_raw(whole[:end]), Code.INVALID_ARGUMENT, "body")


@pytest.mark.parametrize("kind", ["json", "garbage"])
def test_a_body_over_one_mib_is_resource_exhausted(target: Target, kind: str) -> None:
    if kind == "json":
        body = json.dumps({"folderId": FOLDER, "description": "d" * MIB}).encode()
    else:
        body = b"\x00" * (MIB + 1)
    target.refused(target.post_raw(body), Code.RESOURCE_EXHAUSTED)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "body"),
        (b'{"folderId": "x", "os": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001, "body"),
        (b'{"folderId": "x", "labels": ' + b'{"a": ' * 400 + b'"v"' + b"}" * 401, "labels"),
        (b'{"folderId": "x", "productIds": ' + b"[" * 400 + b"]" * 400 + b"}", "productIds"),
    ],
    ids=["arrays-100k", "objects-50k", "labels-400", "product-ids-400"],
)
def test_deeply_nested_json_is_invalid_argument(target: Target, body: bytes, field: str) -> None:
    target.refused(target.post_raw(body), Code.INVALID_ARGUMENT, field)


# --- every field ----------------------------------------------------------------------------
def _wrong_values(message: str, base: dict[str, Any], field: str) -> list[Any]:
    """The values of WRONG_TYPES the contract refuses in ``field`` (each a wrong type)."""
    check = validator(message)
    return [v for v in WRONG_TYPES if not check.is_valid({**base, field: v})]


@pytest.mark.parametrize(
    ("message", "method"), [("CreateImageRequest", "POST"), ("UpdateImageRequest", "PATCH")]
)
def test_a_wrong_type_in_every_field_is_invalid_argument_naming_it(
    target: Target, message: str, method: str
) -> None:
    fields = sorted(schema(message)["properties"])
    tried = 0
    for field in fields:
        if method == "PATCH" and field == "imageId":
            continue  # in the path
        base = {"folderId": FOLDER} if method == "POST" else {"imageId": target.kept["id"]}
        if method == "POST" and field not in ("imageId", "diskId", "snapshotId", "uri"):
            base["uri"] = SOURCE_URI  # a Create names one source
        for value in _wrong_values(message, base, field):
            body = {**base, field: value}
            url = IMAGES
            if method == "PATCH":
                url = f"{IMAGES}/{body.pop('imageId')}"
            target.refused(target.send_json(method, url, body), Code.INVALID_ARGUMENT, field)
            tried += 1
    assert tried >= 40  # every field met several wrong types


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"folderId": FOLDER, "pageSize": "many"}, "pageSize"),
        ({"folderId": FOLDER, "pageSize": "1.5"}, "pageSize"),
        ({"folderId": FOLDER, "pageSize": "-1"}, "pageSize"),
        ({"folderId": FOLDER, "pageSize": "1001"}, "pageSize"),
        ({"folderId": FOLDER, "pageSize": "1e3"}, "pageSize"),
        ({"folderId": ""}, "folderId"),
        ({"folderId": FOLDER, "pageToken": "t" * 101}, "pageToken"),
        ({"folderId": FOLDER, "filter": "name = 1"}, "filter"),
        ({"folderId": FOLDER, "unknown": "1"}, "unknown"),
    ],
)
def test_a_wrong_query_value_is_invalid_argument_naming_it(
    target: Target, params: dict[str, str], field: str
) -> None:
    target.refused(target.send("GET", IMAGES, params=params), Code.INVALID_ARGUMENT, field)


def _string_fields() -> Iterator[tuple[str, str, Callable[[str], dict[str, Any]]]]:
    """(message, field, body with that field set to a string) for every string field."""
    create = "CreateImageRequest"
    base = {"folderId": FOLDER, "uri": SOURCE_URI}  # a Create names one source
    for name in ("folderId", "name", "description", "family"):
        yield create, name, lambda v, n=name: {**base, n: v}
    for name in ("imageId", "diskId", "snapshotId", "uri"):  # the one source
        yield create, name, lambda v, n=name: {"folderId": FOLDER, n: v}
    yield create, "labels", lambda v: {**base, "labels": {v: "value"}}
    yield create, "labels", lambda v: {**base, "labels": {"key": v}}
    yield create, "productIds", lambda v: {**base, "productIds": [v]}
    yield create, "os", lambda v: {**base, "os": {"type": v}}
    for name in ("updateMask", "name", "description"):
        yield "UpdateImageRequest", name, lambda v, n=name: {"updateMask": "description", n: v}


def _sendable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("text", STRANGE_STRINGS, ids=ascii)
def test_unicode_control_characters_nul_and_lone_surrogates_in_every_string_field(
    target: Target, text: str
) -> None:
    for message, field, make in _string_fields():
        body = make(text)
        if message == "UpdateImageRequest":
            reply = target.send_json("PATCH", f"{IMAGES}/{target.kept['id']}", body)
            contract = {**body, "imageId": target.kept["id"]}
        else:
            reply = target.send_json("POST", IMAGES, body)
            contract = body
        if not _sendable(text) or not validator(message).is_valid(contract):
            target.refused(reply, Code.INVALID_ARGUMENT, field)
        elif reply.status_code >= 400:  # valid, but refused: no such source, a foreign folder
            assert reply.status_code < 500, reply.text
            target.refused(reply, Code(reply.json()["code"]))
        else:
            _accepted_exactly(target, message, field, body, reply)


def _accepted_exactly(
    target: Target, message: str, field: str, body: dict[str, Any], reply: httpx.Response
) -> None:
    """A valid request made its change, and the image shows the value as it was sent."""
    op = reply.json()
    assert op["done"] is True, op  # completion="immediate"
    image = target.send("GET", f"{IMAGES}/{op['metadata']['imageId']}").json()
    if message == "CreateImageRequest" and field in ("name", "description", "family", "labels"):
        assert image[field] == body[field]
    if message == "UpdateImageRequest" and field == "description":
        assert image["description"] == body["description"]
    target.fake.restore(target.baseline)


def test_an_invalid_utf8_query_is_invalid_argument(target: Target) -> None:
    for raw in ("folderId=%ED%A0%80", "folderId=%FF", "folderId=b1g%C3"):
        target.refused(target.send("GET", f"{IMAGES}?{raw}"), Code.INVALID_ARGUMENT, "query")


# --- sizes, tokens, content types -----------------------------------------------------------
def test_very_long_query_strings_and_headers(target: Target) -> None:
    long = "b" * 64_000
    too_long = target.send("GET", IMAGES, params={"folderId": long})
    target.refused(too_long, Code.INVALID_ARGUMENT, "folderId")
    unknown = target.send("GET", IMAGES, params={"folderId": FOLDER, "x" * 10_000: "1"})
    target.refused(unknown, Code.INVALID_ARGUMENT)
    big_headers = {"X-Big": long, "X-Request-Id": "r" * 8_000, "Idempotency-Key": "k" * 8_000}
    page = target.send("GET", IMAGES, params={"folderId": FOLDER}, headers=big_headers)
    assert page.status_code == 200  # headers the service does not read are no error
    refused = target.send("GET", IMAGES, params={"folderId": long}, headers=big_headers)
    target.refused(refused, Code.INVALID_ARGUMENT, "folderId")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Basic dXNlcjpwYXNz",
        "Token " + TOKEN,
        "Bearer not-the-token",
        "Bearer " + TOKEN + "x",
        "Bearer " + "t" * 16_000,
        "Bearer tök".encode("latin-1"),
    ],
)
def test_an_invalid_token_is_unauthenticated(
    target: Target, authorization: str | bytes | None
) -> None:
    if isinstance(authorization, str) and target.transport is None:
        authorization = authorization.rstrip()  # HTTP trims it on the wire (h11 refuses it)
    headers = {"Authorization": authorization} if authorization is not None else {}
    with target.client(headers) as anonymous:
        listed = anonymous.get(IMAGES, params={"folderId": FOLDER})
        target.refused(listed, Code.UNAUTHENTICATED)
        created = anonymous.post(IMAGES, json={"folderId": FOLDER})
        target.refused(created, Code.UNAUTHENTICATED)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "application/octet-stream",
        "image/png",
        "json",
    ],
)
def test_an_unknown_content_type_is_invalid_argument(target: Target, content_type: str) -> None:
    body = json.dumps({"folderId": FOLDER, "name": "typed"}).encode()
    target.refused(target.post_raw(body, content_type), Code.INVALID_ARGUMENT, "Content-Type")


@pytest.mark.parametrize("key", [1, None, ("a",)], ids=["int", "none", "tuple"])
def test_a_python_caller_s_non_string_key_is_named_not_a_crash(key: Any) -> None:
    """``fake.call`` takes any dict: a key JSON could never carry is an unknown field."""
    fake = FakeImageService()
    with pytest.raises(ServiceError) as caught:
        fake.call("Get", {key: "x", "imageId": "fd8nosuchimage000000"})
    assert caught.value.code is Code.INVALID_ARGUMENT
    assert caught.value.message == f"Request validation error: {key}"
    (entry,) = fake.journal.entries
    assert entry.error is not None
    violations = entry.error["details"][0]["fieldViolations"]
    assert [v["field"] for v in violations] == [str(key)]


# --- bodies just under the size cap, full of violations (issue 15, item 1) ------------------
@functools.cache
def _under_the_cap(kind: str) -> bytes:
    """The largest body ``HOSTILE[kind]`` makes that stays within MAX_BODY (1 MiB)."""
    make = HOSTILE[kind][0]
    low, high = 1, 1 << 20
    while low < high:  # the largest n whose body fits
        middle = (low + high + 1) // 2
        fits = len(json.dumps(make(middle)).encode()) <= MAX_BODY
        low, high = (middle, high) if fits else (low, middle - 1)
    return json.dumps(make(low)).encode()


HOSTILE: dict[str, tuple[Callable[[int], dict[str, Any]], str]] = {
    "label-keys": (
        lambda n: {"folderId": FOLDER, "labels": {f"K{i}": "V" for i in range(n)}},
        "labels",
    ),
    "unknown-fields": (lambda n: {"folderId": FOLDER, **{f"x{i}": 1 for i in range(n)}}, "x0"),
    "product-ids": (lambda n: {"folderId": FOLDER, "productIds": ["p" * 51] * n}, "productIds"),
    "short-product-ids": (lambda n: {"folderId": "", "productIds": ["p"] * n}, "folderId"),
    "nested-unknown": (lambda n: {"folderId": FOLDER, "os": {f"x{i}": 1 for i in range(n)}}, "os"),
    "surrogates": (lambda n: {"folderId": FOLDER, "productIds": ["\ud800"] * n}, "productIds"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_body_just_under_the_cap_full_of_violations_is_answered_bounded(
    target: Target, kind: str
) -> None:
    field = HOSTILE[kind][1]
    body = _under_the_cap(kind)
    assert MAX_BODY - 100 < len(body) <= MAX_BODY
    reply = target.post_raw(body)
    target.refused(reply, Code.INVALID_ARGUMENT, field)
    [bad_request] = [d for d in reply.json()["details"] if d["@type"].endswith("BadRequest")]
    assert len(bad_request["fieldViolations"]) <= MAX_LISTED
    assert len(reply.content) < 16_000  # the first violations and a count, not a megabyte
    if kind != "short-product-ids":  # one violation only: nothing left to count
        assert re.search(r" \(and \d+ more not listed\)$", reply.json()["message"])


def test_a_nested_unknown_field_is_invalid_argument_naming_it(target: Target) -> None:
    for os in ({"type": "LINUX", "x": 1}, {"x": {"y": [1]}}, {"type": "LINUX", "": None}):
        body = {"folderId": FOLDER, "uri": SOURCE_URI, "os": os}
        reply = target.send_json("POST", IMAGES, body)
        target.refused(reply, Code.INVALID_ARGUMENT, "os")
        named = reply.json()["details"][0]["fieldViolations"]
        assert [v["field"] for v in named] == [f"os.{next(k for k in os if k != 'type')}"]
