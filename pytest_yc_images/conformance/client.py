"""The one HTTP client of the suite: every response is checked against the contract.

The check is an httpx response event hook on every client this module makes, so no
contract can receive a response without it: a 2xx body is validated against the schema of
the message its route returns (typed operations with their ``@type`` included), an error
body against ``google.rpc.Status`` with the HTTP status API.md pairs with its code. Each
exchange is recorded, secrets redacted, for the report.

No contract passes on an answer it did not ask for: a 5xx (the target failed) and a 401 or
403 (the run's token or folder is not accepted) fail the contract in the hook, unless the
contract expects that code (:attr:`Recorder.expected`, set by ``Api.expecting``). A
transport error (refused, reset, TLS) is an exception the contract cannot catch by accident.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from pytest_yc_images import routes, validator

from .safety import Redactor

__all__ = [
    "HTTP_STATUS",
    "ContractViolation",
    "Exchange",
    "NotExpressible",
    "Recorder",
    "UnexpectedAnswer",
    "check_response",
    "make_http_client",
]

# API.md: google.rpc.Code -> HTTP status of the REST gateway.
HTTP_STATUS = {1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400}
HTTP_STATUS |= {10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401}
# metadata @type of a typed operation -> the schema of the operation that carries it
TYPED_OPERATIONS = {r.metadata_type: r.response for r in routes() if r.metadata_type}
_NAMES = {2: "UNKNOWN", 4: "DEADLINE_EXCEEDED", 7: "PERMISSION_DENIED", 12: "UNIMPLEMENTED",
          13: "INTERNAL", 14: "UNAVAILABLE", 15: "DATA_LOSS", 16: "UNAUTHENTICATED"}  # fmt: skip


class ContractViolation(AssertionError):
    """A response that breaks the contract, whatever the test was checking."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"[{rule}] {message}")
        self.rule = rule


class UnexpectedAnswer(AssertionError):
    """A 5xx, or a 401/403 the contract did not ask for: the contract fails, whatever it
    was checking (never a skip, never a pass)."""


class NotExpressible(Exception):
    """A request the target's face cannot carry (over gRPC: a value protobuf cannot hold,
    an HTTP-only feature). Raised by a transport; the plugin skips the contract with it."""


@dataclass(frozen=True)
class Exchange:
    """One request and its response, short and redacted."""

    method: str
    url: str
    request: str
    status: int
    response: str

    def short(self, limit: int = 300) -> str:
        def cut(text: str) -> str:
            return text if len(text) <= limit else text[: limit - 3] + "..."

        request = f" {cut(self.request)}" if self.request else ""
        return f"{self.method} {self.url}{request} -> {self.status} {cut(self.response)}"


class Recorder:
    """Exchanges of the current test (the plugin clears it between tests)."""

    def __init__(self, redact: Redactor) -> None:
        self.redact = redact
        self.exchanges: list[Exchange] = []
        self.checked = 0
        self.expected: frozenset[int] = frozenset()  # 401/403/5xx codes a contract asks for
        self._lock = threading.Lock()

    def record(self, response: httpx.Response) -> None:
        request = response.request
        body = request.content.decode("utf-8", "replace") if request.content else ""
        exchange = Exchange(
            method=request.method,
            url=self.redact(str(request.url.copy_with(scheme=None, host=None, port=None))),
            request=self.redact(body),
            status=response.status_code,
            response=self.redact(response.text),
        )
        with self._lock:
            self.exchanges.append(exchange)
            del self.exchanges[:-50]


def _errors(name: str, body: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator(name).iter_errors(body)][:5]  # fmt: skip


def _require(name: str, body: Any, where: str) -> None:
    errors = _errors(name, body)
    if errors:
        raise ContractViolation(
            f"wire.schema.{name}", f"{where}: the body is not a valid {name}: {errors}"
        )


def _check_operation(body: Any, expected: str | None, where: str) -> None:
    _require("Operation", body, where)
    typed = TYPED_OPERATIONS.get(str(body.get("metadata", {}).get("@type", "")))
    if expected is not None and typed != expected:
        raise ContractViolation(
            "wire.operation.metadata",
            f"{where}: expected a {expected} (metadata @type {expected[:-9]}Metadata), "
            f"got metadata {body.get('metadata')!r}",
        )
    if typed is not None:
        _require(typed, body, where)


def success_schema(method: str, path: str) -> str | None:
    """The message a 2xx answer to ``method path`` carries (None: not an API path)."""
    route = routes().find(method, path)
    return None if route is None else route.response


def _unexpected(response: httpx.Response, expected: frozenset[int], where: str,
                redact: Redactor) -> None:  # fmt: skip
    """Raise :class:`UnexpectedAnswer` for a 5xx or a 401/403 outside ``expected``."""
    status = response.status_code
    allowed = {HTTP_STATUS[code] for code in expected}
    if status in allowed or not (status >= 500 or status in (401, 403)):
        return
    text = redact(response.text[:200])
    if status in (401, 403):
        code = 16 if status == 401 else 7
        why = ("the token is not accepted" if code == 16
               else "the run's token may not do this in this folder")  # fmt: skip
        raise UnexpectedAnswer(f"{where}: {_NAMES[code]} ({why}), which this contract did "
                               f"not ask for: {text}")  # fmt: skip
    raise UnexpectedAnswer(f"{where}: the target failed (a server error; no contract passes "
                           f"on one): {text}")  # fmt: skip


def check_response(
    response: httpx.Response, redact: Redactor | None = None, expected: frozenset[int] = frozenset()
) -> None:
    """Raise :class:`ContractViolation` unless ``response`` honours the contract, and
    :class:`UnexpectedAnswer` for a 5xx or a 401/403 whose code is not in ``expected``."""
    redact = redact or Redactor()
    request = response.request
    path = request.url.path
    where = redact(f"{request.method} {path} -> HTTP {response.status_code}")
    _unexpected(response, expected, where, redact)
    try:
        body = json.loads(response.content)
    except ValueError:
        raise ContractViolation(
            "wire.json", f"{where}: the body is not JSON: {redact(response.text[:200])!r}"
        ) from None
    if response.is_success:
        name = success_schema(request.method, path)
        if name is None:
            raise ContractViolation("wire.route", f"{where}: a 2xx from a path with no contract")
        if name.endswith("Operation"):
            _check_operation(body, None if name == "Operation" else name, where)
        else:
            _require(name, body, where)
        if name == "ListImageOperationsResponse":
            for operation in body.get("operations", []):
                _check_operation(operation, None, where)
        return
    _require("Status", body, where)
    paired = HTTP_STATUS.get(body["code"])
    if response.status_code != paired:
        raise ContractViolation(
            "errors.http_status",
            f"{where}: an error with code {body['code']} must be HTTP {paired} (API.md)",
        )


class _CheckedClient(httpx.Client):
    """An ``httpx.Client`` whose failures start at the call: a contract's traceback shows
    its own lines, not httpx's and httpcore's (pytest parses the source file of each frame
    it shows: with them, a broken target made every failure cost half a second)."""

    def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:
        __tracebackhide__ = True
        try:
            return super().request(method, url, **kwargs)
        except (AssertionError, httpx.TransportError) as exc:
            raise exc.with_traceback(None) from None

    def get(self, url: Any, **kwargs: Any) -> httpx.Response:
        __tracebackhide__ = True
        return self.request("GET", url, **kwargs)

    def post(self, url: Any, **kwargs: Any) -> httpx.Response:
        __tracebackhide__ = True
        return self.request("POST", url, **kwargs)

    def patch(self, url: Any, **kwargs: Any) -> httpx.Response:
        __tracebackhide__ = True
        return self.request("PATCH", url, **kwargs)

    def put(self, url: Any, **kwargs: Any) -> httpx.Response:
        __tracebackhide__ = True
        return self.request("PUT", url, **kwargs)

    def delete(self, url: Any, **kwargs: Any) -> httpx.Response:
        __tracebackhide__ = True
        return self.request("DELETE", url, **kwargs)


def make_http_client(
    base_url: str,
    *,
    token: str | None,
    recorder: Recorder,
    on_success: Callable[[httpx.Response, Any], None] | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 60.0,
) -> httpx.Client:
    """An ``httpx.Client`` whose every response is recorded and checked (see module doc)."""

    def hook(response: httpx.Response) -> None:
        response.read()
        recorder.record(response)
        check_response(response, recorder.redact, recorder.expected)
        recorder.checked += 1
        if on_success is not None and response.is_success:
            on_success(response, json.loads(response.content))

    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return _CheckedClient(
        base_url=base_url,
        headers=headers,
        transport=transport,
        timeout=timeout,
        event_hooks={"response": [hook]},
        follow_redirects=False,
    )
