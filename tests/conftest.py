"""Shared fixtures: a fake, and clients whose every API response is checked against the contract.

The check is an httpx response event hook installed by every client fixture, so no test can
forget it: 2xx bodies are validated against the schema of the message the route returns,
error bodies against ``Status`` with the HTTP status API.md gives for ``body["code"]``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pytest_yc_images import Code, FakeImageService, routes, validator

FOLDER = "b1gtestfolder0000001"
SOURCES = {"imageId", "diskId", "snapshotId", "uri"}
# What tests create from when they name no source: a file the fake has not been told
# about, so its sizes are the documented defaults (4 MiB).
DEFAULT_URI = "https://storage.yandexcloud.net/tests/image.qcow2"

# metadata @type of a typed operation -> the schema of the operation that carries it
_TYPED = {r.metadata_type: r.response for r in routes() if r.metadata_type}


def _assert_valid(name: str, body: Any) -> None:
    errors = [e.message for e in validator(name).iter_errors(body)]
    assert not errors, f"response does not match {name}: {errors}\nbody: {body!r}"


def _check_operation(body: dict[str, Any], expected: str | None = None) -> None:
    _assert_valid("Operation", body)
    typed = _TYPED.get(body.get("metadata", {}).get("@type", ""))
    assert typed is not None, f"operation metadata has an unknown @type: {body!r}"
    if expected is not None:
        assert typed == expected, f"expected a {expected}, got {typed}"
    _assert_valid(typed, body)


def _success_schema(method: str, path: str) -> str | None:
    route = routes().find(method, path)
    return None if route is None else route.response


def check_contract(response: httpx.Response) -> None:
    """Validate one API response body against its contract schema (see module docstring)."""
    request = response.request
    path = request.url.path
    if path.startswith("/_fake"):
        if response.status_code >= 400:
            _assert_valid("Status", response.json())
        return
    assert response.headers["content-type"].startswith("application/json")
    body = json.loads(response.content)
    if response.is_success:
        name = _success_schema(request.method, path)
        assert name is not None, f"a 2xx from a path with no contract: {request.method} {path}"
        if name == "Operation":
            _check_operation(body)
            return
        _assert_valid(name, body)
        if name.endswith("Operation"):
            _check_operation(body, name)
        if name == "ListImageOperationsResponse":
            for op in body.get("operations", []):
                _check_operation(op)
        return
    _assert_valid("Status", body)
    if response.status_code == 405:
        assert body["code"] == Code.UNIMPLEMENTED
    else:
        expected = Code(body["code"]).http_status
        assert response.status_code == expected, (
            f"HTTP {response.status_code} for {Code(body['code']).name}, API.md says {expected}"
        )


def _hook(response: httpx.Response) -> None:
    response.read()
    check_contract(response)


async def _async_hook(response: httpx.Response) -> None:
    await response.aread()
    check_contract(response)


def checked_client(fake: FakeImageService, **kwargs: Any) -> httpx.Client:
    """``fake.client(...)`` with the contract check installed."""
    return fake.client(event_hooks={"response": [_hook]}, **kwargs)


def checked_async_client(fake: FakeImageService, **kwargs: Any) -> httpx.AsyncClient:
    return fake.async_client(event_hooks={"response": [_async_hook]}, **kwargs)


def checked_http_client(base_url: str, **kwargs: Any) -> httpx.Client:
    """A real-socket client (for the loopback server) with the contract check installed."""
    headers = {"Authorization": "Bearer fake-iam-token", **kwargs.pop("headers", {})}
    return httpx.Client(
        base_url=base_url, headers=headers, event_hooks={"response": [_hook]}, **kwargs
    )


class Api:
    """Small verbs over a checked client, so tests read as behaviour."""

    folder = FOLDER

    def __init__(self, client: httpx.Client, fake: FakeImageService) -> None:
        self.http = client
        self.fake = fake

    def create(self, folder_id: str = FOLDER, **body: Any) -> httpx.Response:
        headers = {}
        if "idempotency_key" in body:
            headers["Idempotency-Key"] = body.pop("idempotency_key")
        payload = {"folderId": folder_id, **body}
        if not SOURCES & set(body):  # a Create names exactly one source: a file by default
            payload["uri"] = DEFAULT_URI
        return self.http.post("/compute/v1/images", json=payload, headers=headers)

    def get(self, image_id: str) -> httpx.Response:
        return self.http.get(f"/compute/v1/images/{image_id}")

    def poll(self, operation_id: str) -> httpx.Response:
        return self.http.get(f"/operations/{operation_id}")

    def list(self, folder_id: str = FOLDER, **params: Any) -> httpx.Response:
        return self.http.get("/compute/v1/images", params={"folderId": folder_id, **params})

    def update(self, image_id: str, **body: Any) -> httpx.Response:
        return self.http.patch(f"/compute/v1/images/{image_id}", json=body)

    def delete(self, image_id: str) -> httpx.Response:
        return self.http.delete(f"/compute/v1/images/{image_id}")

    def ready_image(self, folder_id: str = FOLDER, **body: Any) -> dict[str, Any]:
        """Create an image and poll its operation to done; the image as Get shows it."""
        created = self.create(folder_id, **body)
        assert created.status_code == 200, created.text
        done = self.poll(created.json()["id"]).json()
        assert done.get("done") is True, done
        image = self.get(done["metadata"]["imageId"])
        assert image.status_code == 200, image.text
        return dict(image.json())

    @staticmethod
    def violations(response: httpx.Response) -> list[str]:
        """The fields a google.rpc.BadRequest in an error body names."""
        fields: list[str] = []
        for detail in response.json().get("details", []):
            if detail["@type"].endswith("google.rpc.BadRequest"):
                fields += [v["field"] for v in detail.get("fieldViolations", [])]
        return fields

    def list_all(self, folder_id: str = FOLDER, **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token = ""
        for _ in range(1000):
            reply = self.list(folder_id, **params, **({"pageToken": token} if token else {}))
            assert reply.status_code == 200, reply.text
            out += reply.json().get("images", [])
            token = reply.json().get("nextPageToken", "")
            if not token:
                return out
        raise AssertionError("paging did not end")


@pytest.fixture
def fake() -> FakeImageService:
    return FakeImageService(seed=1)


@pytest.fixture
def client(fake: FakeImageService) -> Iterator[httpx.Client]:
    with checked_client(fake) as c:
        yield c


@pytest.fixture
def api(client: httpx.Client, fake: FakeImageService) -> Api:
    return Api(client, fake)


@pytest.fixture
def make_api() -> Iterator[Callable[..., Api]]:
    """Api objects for other fakes or other client options (token=..., headers=...)."""
    opened: list[httpx.Client] = []

    def make(fake: FakeImageService, **kwargs: Any) -> Api:
        c = checked_client(fake, **kwargs)
        opened.append(c)
        return Api(c, fake)

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def async_client_factory() -> Callable[..., httpx.AsyncClient]:
    """``fake.async_client(...)`` with the contract check; the test closes it (async with)."""
    return checked_async_client


@pytest.fixture
def http_client_factory() -> Iterator[Callable[..., httpx.Client]]:
    """Real-socket clients for a base URL, contract-checked, closed at teardown."""
    opened: list[httpx.Client] = []

    def make(base_url: str, **kwargs: Any) -> httpx.Client:
        c = checked_http_client(base_url, **kwargs)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def contract_check() -> Callable[[httpx.Response], None]:
    """The check every client's hook runs, to test that it does reject bad bodies."""
    return check_contract


def fake_state(fake: FakeImageService) -> tuple[Any, ...]:
    """Everything a refused request or control must leave as it was."""
    store = fake.service.store
    return (
        fake.images(),
        fake.operations(),
        [(f, fake.fired(f)) for f in fake.faults],
        fake.completion,
        fake.clock.now(),
        dict(store.disks),
        dict(store.snapshots),
    )
