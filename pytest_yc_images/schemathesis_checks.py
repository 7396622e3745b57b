"""The ImageService's behaviour as schemathesis checks, for any endpoint of the API.

Load them into a CLI run with ``SCHEMATHESIS_HOOKS=pytest_yc_images.schemathesis_checks``;
in Python, importing this module registers them (``@schemathesis.check``), after which
``case.call_and_validate()`` runs them with the built-in checks.

- ``yc_operations``: a done operation has exactly one of ``error`` and ``response``, a
  running one no ``response``; the metadata's ``@type`` is the method's and its
  ``imageId`` (``resourceId`` for the access bindings', whose result is an
  ``AccessBindingsOperationResult``) the image in the path or the created one
  (Create: a done response is that image; a running one is found by a follow-up GET in the
  request's folder); while a Create or Delete runs, a follow-up GET shows the image
  ``CREATING`` or ``DELETING`` (a Delete may overtake a Create).
- ``yc_paging``: a List page holds at most the page size asked for (default 100, at most
  1000); following ``nextPageToken`` (up to ``MAX_PAGES`` pages) never repeats an item.
- ``yc_errors``: an error body is a ``google.rpc.Status`` whose code gives the HTTP status
  (API.md's table; 405 for UNIMPLEMENTED methods, as the gateway answers), and an
  INVALID_ARGUMENT carries a ``BadRequest`` naming at least one field of the request.

With ``YC_FOLDER_ID`` set, the module's ``map_body`` and ``map_query`` hooks also put that
folder in place of every valid ``folderId`` schemathesis generates, so that a run against
a real cloud works in a folder the token may use (an invalid one is left to be rejected).

The ``before_call`` hook makes schemathesis send ``Idempotency-Key`` as a careful client
does: one key per request, the same for its repeats. A drawn key (hypothesis draws the
same few UUIDs again and again) becomes a UUID derived from it and the request, so a key
is never reused for another request, which the API answers with the first request's
operation (a Delete answered with a Create's, to every check's surprise).

An INVALID_ARGUMENT may name a long field cut short (at least 64 characters kept).
Follow-up requests go to the same API with the request's own ``Authorization`` header;
none of them changes state, except that polling an operation (only to tell a race from a
failure) may finish it where operations finish on poll.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import schemathesis
from schemathesis import Case, CheckContext, Response

from ._contracts import schema as message_schema
from ._routes import routes
from .errors import Code

__all__ = [
    "FOLDER_ENV",
    "MAX_PAGES",
    "before_call",
    "map_body",
    "map_query",
    "yc_errors",
    "yc_operations",
    "yc_paging",
]

FOLDER_ENV = "YC_FOLDER_ID"
MAX_PAGES = 20
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

_TYPE = "type.googleapis.com/"
_IMAGE_TYPE = _TYPE + "yandex.cloud.compute.v1.Image"
_EMPTY_TYPE = _TYPE + "google.protobuf.Empty"
_ACCESS_RESULT = _TYPE + "yandex.cloud.access.AccessBindingsOperationResult"
_BAD_REQUEST = _TYPE + "google.rpc.BadRequest"
_ROUTES = routes()
_GET_IMAGE = _ROUTES["ImageService.Get"]
_GET_OPERATION = _ROUTES["OperationService.Get"]
_CREATE = _ROUTES["ImageService.Create"]
# Keys are (HTTP method, path template), as schemathesis names an API operation: every
# binding of the document (OperationService.Cancel is GET and POST).
_BINDINGS = _ROUTES.bindings
_REQUESTS = {(r.http_method, r.path): r.request for r in _BINDINGS}
# Calls that start an operation typed by their metadata ("Create") and that @type.
_MUTATIONS = {(r.http_method, r.path): r.rpc.split(".")[1] for r in _BINDINGS if r.metadata_type}
_METADATA = {r.metadata_type: r.rpc.split(".")[1] for r in _ROUTES if r.metadata_type}
_WHILE_RUNNING = {"Create": ("CREATING", "DELETING"), "Delete": ("DELETING",)}
_OPERATIONS = {(r.http_method, r.path) for r in _BINDINGS if r.response == "Operation"}
_LISTS = {(r.http_method, r.path): r.page_items for r in _BINDINGS if r.page_items}
# The path's image: imageId, or the resourceId of the access-binding RPCs.
_IDS = {"imageId", "resourceId"}
_ABOUT_IMAGE = {r.path: p for r in _BINDINGS for p in r.path_parameters[:1] if p in _IDS}


def _require(ok: object, message: str) -> None:
    """Fail the check (an AssertionError is how schemathesis takes a custom failure)."""
    if not ok:
        raise AssertionError(message)


def _key(case: Case[Any]) -> tuple[str, str]:
    return case.operation.method.upper(), case.operation.path


def _json(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _follow(
    case: Case[Any],
    response: Response,
    path: str,
    path_parameters: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
) -> Response:
    """A GET of ``path`` on the API that answered ``response``, with the same token."""
    headers = {}
    auth = response.request.headers.get("Authorization")
    if auth:
        headers["Authorization"] = auth
    operation = case.operation.schema[path]["GET"]
    probe = operation.Case(path_parameters=path_parameters, query=query, headers=headers)
    reply: Response = probe.call()
    return reply


# --- operations ---------------------------------------------------------------------------
@schemathesis.check
def yc_operations(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Operations: one outcome once done, metadata naming the right image, image status."""
    if not 200 <= response.status_code < 300:
        return None
    key = _key(case)
    body = _json(response)
    found: list[tuple[Any, str | None]]
    if key in _MUTATIONS:
        found = [(body, _MUTATIONS[key])]
    elif key in _OPERATIONS:
        found = [(body, None)]
    elif _LISTS.get(key) == "operations" and isinstance(body, dict):
        found = [(op, None) for op in body.get("operations", [])]
    else:
        return None
    for op, expected in found:
        _check_operation(case, response, op, expected)
    return True


def _check_operation(case: Case[Any], response: Response, op: Any, expected: str | None) -> None:
    if not isinstance(op, dict):
        raise AssertionError(f"an operation must be a JSON object, got {op!r:.200}")
    metadata = op.get("metadata")
    method = _METADATA.get(metadata.get("@type", "") if isinstance(metadata, dict) else "")
    if method is None or not isinstance(metadata, dict):
        raise AssertionError(
            f"operation {op.get('id')!r} has metadata of no known @type: {metadata!r:.200}"
        )
    named = metadata["@type"].rpartition(".")[2]
    _require(
        expected is None or method == expected,
        f"{expected} answered an operation whose metadata is {named}",
    )
    field = "resourceId" if method.endswith("AccessBindings") else "imageId"
    image_id = metadata.get(field)
    if not isinstance(image_id, str) or not image_id:
        raise AssertionError(f"metadata.{field} is missing: {metadata!r}")
    parameter = _ABOUT_IMAGE.get(_key(case)[1])
    in_path = (case.path_parameters or {}).get(parameter or "")
    if in_path is not None:
        _require(
            image_id == str(in_path),
            f"metadata.{field} is {image_id!r}, but the request was about image {in_path!r}",
        )
    outcomes = [name for name in ("error", "response") if name in op]
    if op.get("done") is True:
        _require(
            len(outcomes) == 1,
            f"done operation {op.get('id')!r} must have exactly one of error and response, "
            f"has {outcomes or 'neither'}",
        )
        _check_outcome(op, method, image_id)
        return
    _require("response" not in op, f"operation {op.get('id')!r} is not done but has a response")
    if method in _WHILE_RUNNING:
        _check_running_image(case, response, op, method, image_id)


def _check_outcome(op: dict[str, Any], method: str, image_id: str) -> None:
    result = op.get("response")
    if not isinstance(result, dict):
        return
    if method == "Delete":
        _require(result.get("@type") == _EMPTY_TYPE, f"a done Delete answers Empty: {result!r}")
        return
    if method.endswith("AccessBindings"):
        _require(result.get("@type") == _ACCESS_RESULT, f"a done {method}: {result!r:.200}")
        return
    _require(result.get("@type") == _IMAGE_TYPE, f"a done {method} answers the Image: {result!r}")
    _require(
        result.get("id") == image_id,
        f"{method} metadata names image {image_id!r}, its response is image {result.get('id')!r}",
    )


def _check_running_image(
    case: Case[Any], response: Response, op: dict[str, Any], method: str, image_id: str
) -> None:
    shown = _follow(case, response, _GET_IMAGE.path, {"imageId": image_id})
    image = _json(shown) if shown.status_code == 200 else None
    image = image if isinstance(image, dict) else {}
    status = image.get("status")
    if status in _WHILE_RUNNING[method]:
        folder = case.body.get("folderId") if isinstance(case.body, dict) else None
        if _key(case) == (_CREATE.http_method, _CREATE.path) and isinstance(folder, str):
            _require(
                image.get("folderId") == folder,
                f"Create in folder {folder!r} names image {image_id!r}, which is in folder "
                f"{image.get('folderId')!r}",
            )
        return
    # Seen after the GET, a finished operation explains any status: it finished in between.
    again = _follow(case, response, _GET_OPERATION.path, {"operationId": op.get("id", "")})
    finished = _json(again) if again.status_code == 200 else None
    if isinstance(finished, dict) and finished.get("done") is True:
        return
    raise AssertionError(
        f"{method} operation {op.get('id')!r} is not done, yet GET image {image_id} answers "
        f"HTTP {shown.status_code} with status {status!r}; while it runs the image must be "
        f"{' or '.join(_WHILE_RUNNING[method])}"
    )


# --- paging -------------------------------------------------------------------------------
def _page_limit(value: Any) -> int | None:
    if value is None or value == "":
        return DEFAULT_PAGE_SIZE
    try:
        asked = int(str(value))
    except ValueError:
        return None
    return min(asked, MAX_PAGE_SIZE) if asked > 0 else DEFAULT_PAGE_SIZE


@schemathesis.check
def yc_paging(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """List pages: no more items than asked for; following the tokens repeats nothing."""
    key = _key(case)
    if key not in _LISTS or response.status_code != 200:
        return None
    items_key = str(_LISTS[key])
    query = dict(case.query or {})
    limit = _page_limit(query.get("pageSize"))
    page = _json(response)
    seen: set[str] = set()
    for number in range(1, MAX_PAGES + 1):
        if not isinstance(page, dict) or not isinstance(page.get(items_key, []), list):
            raise AssertionError(f"page {number} is not a page of {items_key}: {page!r:.200}")
        items = page.get(items_key, [])
        _require(
            limit is None or len(items) <= limit,
            f"page {number} has {len(items)} {items_key}, more than the page size {limit}",
        )
        for item in items:  # an access binding has no ID: the whole binding is its identity
            ident = json.dumps(item.get("id", item) if isinstance(item, dict) else item)
            _require(ident not in seen, f"{items_key} {ident!r} is on two pages (page {number})")
            seen.add(ident)
        token = page.get("nextPageToken")
        if not token:
            return True
        following = {**query, "pageToken": token}
        reply = _follow(case, response, key[1], case.path_parameters, following)
        _require(
            reply.status_code == 200,
            f"following nextPageToken from page {number} answered HTTP {reply.status_code}: "
            f"{reply.content[:300]!r}",
        )
        page = _json(reply)
    return True


# --- errors -------------------------------------------------------------------------------
_FIELD_HEAD = re.compile(r"[^.\[]*")
_SHORTENED = 64


def _head(field: str) -> str:
    """The top-level name of a field path: ``labels.env`` -> ``labels``."""
    match = _FIELD_HEAD.match(field)
    return match.group() if match else field


@schemathesis.check
def yc_errors(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Errors: a Status with the HTTP status of its code; INVALID_ARGUMENT names a field."""
    if response.status_code < 400:
        return None
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("code"), int):
        raise AssertionError(
            f"HTTP {response.status_code} without a google.rpc.Status body: "
            f"{response.content[:300]!r}"
        )
    code = body["code"]
    _require(1 <= code <= 16, f"Status code {code} is not an error code (1-16)")
    expected = Code(code).http_status
    allowed = {expected, 405} if code == Code.UNIMPLEMENTED else {expected}
    _require(
        response.status_code in allowed,
        f"HTTP {response.status_code} for {Code(code).name}; API.md's table says {expected}",
    )
    if code != Code.INVALID_ARGUMENT:
        return True
    fields = _violated_fields(body)
    _require(fields, f"INVALID_ARGUMENT without a BadRequest naming a field: {body!r:.300}")
    known = _request_fields(case, response)
    named = [f for f in fields if f in known or _head(f) in known or _shortened(f, known)]
    _require(
        named,
        f"INVALID_ARGUMENT names {fields}, none of them a field of the request "
        f"(known: {sorted(known)})",
    )
    return True


def _shortened(field: str, known: set[str]) -> bool:
    """A long name a service cut short when echoing it (at least ``_SHORTENED`` chars)."""
    return len(field) >= _SHORTENED and any(name.startswith(field) for name in known)


def _violated_fields(body: dict[str, Any]) -> list[str]:
    fields: list[str] = []
    details = body.get("details")
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and detail.get("@type") == _BAD_REQUEST:
            for violation in detail.get("fieldViolations") or []:
                if isinstance(violation, dict) and isinstance(violation.get("field"), str):
                    fields.append(violation["field"])
    return fields


def _request_fields(case: Case[Any], response: Response) -> set[str]:
    """Names a violation may give: the request message's fields, the operation's
    parameters and whatever was sent (query keys, body keys, header names; ``body`` for a
    body that is not a JSON object, ``query`` for an unreadable query string)."""
    known: set[str] = set()
    message = _REQUESTS.get(_key(case))
    if message is not None:
        known |= set(message_schema(message).get("properties", {}))
    known |= {parameter.name for parameter in case.operation.iter_parameters()}
    sent = response.request
    query = urlsplit(sent.url or "").query
    if query:
        known |= {"query", *(name for name, _ in parse_qsl(query, keep_blank_values=True))}
    known |= set(sent.headers)
    known |= {name.lower() for name in sent.headers}
    raw = sent.body
    if raw:
        try:
            payload = json.loads(raw) if isinstance(raw, str | bytes) else None
        except (ValueError, UnicodeDecodeError):
            payload = None
        known |= set(payload) if isinstance(payload, dict) else {"body"}
    return known


# --- the folder to work in ----------------------------------------------------------------
def _pin_folder(value: Any) -> Any:
    folder = os.environ.get(FOLDER_ENV)
    if folder and isinstance(value, dict):
        current = value.get("folderId")
        if isinstance(current, str) and 0 < len(current) <= 50:
            value["folderId"] = folder
    return value


@schemathesis.hook
def map_body(ctx: schemathesis.HookContext, body: Any) -> Any:
    """With YC_FOLDER_ID set, a valid generated ``folderId`` in a body becomes that folder."""
    return _pin_folder(body)


@schemathesis.hook
def map_query(ctx: schemathesis.HookContext, query: Any) -> Any:
    """With YC_FOLDER_ID set, a valid generated ``folderId`` query becomes that folder."""
    return _pin_folder(query)


# --- one Idempotency-Key per request --------------------------------------------------------
_KEY_HEADER = "idempotency-key"
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


@schemathesis.hook
def before_call(ctx: schemathesis.HookContext, case: Case[Any], **kwargs: Any) -> None:
    """A drawn UUID ``Idempotency-Key`` becomes one derived from it and the request: the
    same request keeps its key (a retry), another gets its own. Other values are left
    for the API to refuse. With YC_FOLDER_ID set, the folder is pinned here too: the
    ``map_*`` hooks see only the generated cases, not the examples and coverage phases'."""
    if isinstance(case.body, dict):
        case.body = _pin_folder(case.body)
    if isinstance(case.query, dict):
        case.query = _pin_folder(case.query)
    headers = case.headers
    if not headers:
        return
    for name, value in list(headers.items()):
        if name.lower() == _KEY_HEADER and isinstance(value, str) and _UUID_TEXT.fullmatch(value):
            request = repr((value, case.method, case.formatted_path, case.query, case.body))
            digest = hashlib.blake2b(request.encode(errors="surrogatepass"), digest_size=16)
            headers[name] = str(uuid.UUID(bytes=digest.digest()))
