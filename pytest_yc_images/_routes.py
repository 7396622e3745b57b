"""The route table: every RPC the fake serves, read once from the OpenAPI document.

Each operation of ``contracts/openapi.yaml`` carries an ``x-yc-rpc`` extension naming its
gRPC method, its request message schema and the protobuf types of request and response;
the rest (path and query parameters, whether a body is taken, the ``Idempotency-Key``
header that marks a mutating call, the 200 response's schema) is read from the
operation itself. The REST router, the request path, the gRPC face, the gRPC bridge and
every checker of responses look routes up here, so adding an RPC to the contract adds
it everywhere.

An RPC has one route, its main binding; an operation whose ``x-yc-rpc`` says
``additionalBinding: true`` is one more HTTP method or path of an RPC that has its main
binding (as ``google.api.http``'s ``additional_bindings``: ``OperationService.Cancel``
is ``GET`` and ``POST /operations/{operationId}:cancel``). Iterating a table gives each
RPC once; :attr:`RouteTable.bindings` gives every binding, and :meth:`RouteTable.match`,
:meth:`~RouteTable.find` and :meth:`~RouteTable.template` find either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ._contracts import DEFAULT_PROFILE, openapi_document, schema

__all__ = ["Route", "RouteTable", "routes"]

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_REF = re.compile(r"^(?:\./)?schemas/([A-Za-z]+)\.json$")
_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SEGMENT = "[^/:]+"  # a path parameter's value: one segment, and no ":verb" in it
_IDEMPOTENCY_KEY = "idempotency-key"


@dataclass(frozen=True, slots=True)
class Route:
    """One operation of the API: its REST face, its gRPC method and its messages."""

    rpc: str  # "ImageService.Get": as the request path, the journal and faults name it
    grpc_service: str  # "yandex.cloud.compute.v1.ImageService"
    grpc_method: str  # "/yandex.cloud.compute.v1.ImageService/Get", as gRPC dials it
    http_method: str  # "GET"
    path: str  # "/compute/v1/images/{imageId}", the document's template
    operation_id: str  # "getImage"
    request: str  # the request message's schema: "GetImageRequest"
    response: str  # the 200 response's schema: "Image", "CreateImageOperation", ...
    request_type: str  # protobuf full names: "yandex.cloud.compute.v1.GetImageRequest"
    response_type: str  # "yandex.cloud.operation.Operation"
    path_parameters: tuple[str, ...]  # in the order of the path
    query_parameters: tuple[str, ...]
    body: bool  # takes a JSON body (the request's fields not in the path or query)
    mutating: bool  # declares Idempotency-Key
    metadata_type: str | None  # the @type of the operation metadata it answers, if typed
    page_items: str | None  # for a page of a listing: the repeated field ("images")
    pattern: re.Pattern[str] = field(compare=False, repr=False)  # matches a whole path
    # One more HTTP binding of an RPC whose main route is another (x-yc-rpc's
    # additionalBinding): REST answers it; gRPC, which has one method, does not see it.
    additional_binding: bool = False

    @property
    def grpc_module(self) -> str:
        """The Python module protoc makes of the service's ``.proto`` file, as the SDK
        names it: ``yandex.cloud.compute.v1.ImageService`` ->
        ``yandex.cloud.compute.v1.image_service_pb2`` (importing it registers the service
        and its messages with protobuf's default descriptor pool)."""
        package, _, service = self.grpc_service.rpartition(".")
        return f"{package}.{_snake(service)}_pb2"

    def url(self, **parameters: str) -> str:
        """The path with ``parameters`` put in, as given (the HTTP client encodes them)."""
        return _PARAMETER.sub(lambda m: str(parameters[m.group(1)]), self.path)


class RouteTable:
    """Routes in the document's order, with the lookups the faces and checkers need:
    iterating gives each RPC's main route once; :attr:`bindings` every HTTP binding."""

    def __init__(self, table: tuple[Route, ...]) -> None:
        self.bindings = table  # every operation of the document, in its order
        self._routes = tuple(r for r in table if not r.additional_binding)
        self._by_rpc = {route.rpc: route for route in self._routes}
        if len(self._by_rpc) != len(self._routes):
            raise ValueError("two operations of the document name the same RPC")
        for extra in table:
            if extra.additional_binding:
                _check_binding(extra, self._by_rpc.get(extra.rpc))
        by_path: dict[str, tuple[re.Pattern[str], dict[str, Route]]] = {}
        for route in table:
            by_path.setdefault(route.path, (route.pattern, {}))[1][route.http_method] = route
        # (pattern, {HTTP method: Route}) per path, in the document's order (most called
        # first); patterns match whole paths, so the order decides nothing else.
        self.by_path: tuple[tuple[re.Pattern[str], dict[str, Route]], ...] = tuple(by_path.values())
        self._by_template = {(r.http_method, r.path): r for r in table}

    def __iter__(self) -> Iterator[Route]:
        """Each RPC's main route, once (its additional bindings are in :attr:`bindings`)."""
        return iter(self._routes)

    def __len__(self) -> int:
        """The number of RPCs."""
        return len(self._routes)

    def __contains__(self, rpc: object) -> bool:
        return rpc in self._by_rpc

    def __getitem__(self, rpc: str) -> Route:
        """The main route of an RPC (``"ImageService.Get"``)."""
        try:
            return self._by_rpc[rpc]
        except KeyError:
            raise KeyError(f"no route for RPC {rpc!r}; known: {', '.join(self._by_rpc)}") from None

    def match(self, path: str) -> tuple[dict[str, Route], dict[str, str]] | None:
        """The routes at a request path, by HTTP method, and its path parameters (still
        percent-encoded); None when no route has that path."""
        for pattern, methods in self.by_path:
            found = pattern.fullmatch(path)
            if found is not None:
                return methods, found.groupdict()
        return None

    def find(self, http_method: str, path: str) -> Route | None:
        """The route a request (``"GET"``, ``"/compute/v1/images/fd8..."``) goes to."""
        matched = self.match(path)
        return None if matched is None else matched[0].get(http_method.upper())

    def template(self, http_method: str, path: str) -> Route | None:
        """The route of an HTTP method and a path template (``"/operations/{operationId}"``)."""
        return self._by_template.get((http_method.upper(), path))


def _check_binding(extra: Route, main: Route | None) -> None:
    """An additional binding is the same call as its RPC's main route, reached another way."""
    if main is None:
        raise ValueError(
            f"operation {extra.operation_id} is an additional binding of {extra.rpc}, "
            "which has no main binding in the document"
        )
    same = (
        "request",
        "response",
        "request_type",
        "response_type",
        "mutating",
        "body",
        "query_parameters",
    )
    differ = [name for name in same if getattr(extra, name) != getattr(main, name)]
    if differ or set(extra.path_parameters) != set(main.path_parameters):
        raise ValueError(
            f"operation {extra.operation_id}: an additional binding of {extra.rpc} must take "
            f"and answer what {main.operation_id} does (differs in: "
            f"{', '.join(differ) or 'path parameters'})"
        )


def routes(
    document: Mapping[str, Any] | None = None, *, profile: str = DEFAULT_PROFILE
) -> RouteTable:
    """The route table of ``document`` (an OpenAPI document as a dict; by default the
    shipped ``contracts/openapi.yaml`` in ``profile``, read once and cached)."""
    if document is None:
        return _shipped(profile)
    return _build(document)


@cache
def _shipped(profile: str) -> RouteTable:
    return _build(openapi_document(profile=profile))


def _build(document: Mapping[str, Any]) -> RouteTable:
    found: list[Route] = []
    for path, item in document.get("paths", {}).items():
        shared = [deref(document, p) for p in item.get("parameters", [])]
        for key, operation in item.items():  # the document's order: REST's Allow header
            if key in _HTTP_METHODS:
                found.append(_route(document, path, key.upper(), operation, shared))
    return RouteTable(tuple(found))


def _route(
    document: Mapping[str, Any],
    path: str,
    http_method: str,
    operation: Mapping[str, Any],
    shared: list[Mapping[str, Any]],
) -> Route:
    name = operation.get("operationId", f"{http_method} {path}")
    extension = operation.get("x-yc-rpc")
    if not isinstance(extension, Mapping):
        raise ValueError(f"operation {name} has no x-yc-rpc extension")
    own = [deref(document, p) for p in operation.get("parameters", [])]
    # An operation's parameter overrides the path item's of the same name and place.
    parameters = {(p["name"], p["in"]): p for p in [*shared, *own]}
    in_path = tuple(_PARAMETER.findall(path))
    declared = {n for n, where in parameters if where == "path"}
    if set(in_path) != declared:
        raise ValueError(f"operation {name}: the path has {in_path}, parameters say {declared}")
    service, _, method = str(extension["method"]).partition("/")
    if not service or not method:
        raise ValueError(f"operation {name}: x-yc-rpc method must be package.Service/Method")
    response = _response_schema(document, operation, name)
    response_schema = schema(response)
    return Route(
        rpc=f"{service.rsplit('.', 1)[-1]}.{method}",
        grpc_service=service,
        grpc_method=f"/{service}/{method}",
        http_method=http_method,
        path=path,
        operation_id=str(name),
        request=str(extension["request"]),
        response=response,
        request_type=str(extension["requestType"]),
        response_type=str(extension["responseType"]),
        path_parameters=in_path,
        query_parameters=tuple(n for n, where in parameters if where == "query"),
        body="requestBody" in operation,
        mutating=any(
            n.lower() == _IDEMPOTENCY_KEY and where == "header" for n, where in parameters
        ),
        metadata_type=_metadata_type(response_schema),
        page_items=_page_items(response_schema),
        pattern=path_pattern(path),
        additional_binding=extension.get("additionalBinding") is True,
    )


def deref(document: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """A parameter, following a local ``$ref`` (``#/components/parameters/...``)."""
    while "$ref" in node:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            raise ValueError(f"cannot follow {ref!r}: parameters must be local references")
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _response_schema(
    document: Mapping[str, Any], operation: Mapping[str, Any], name: object
) -> str:
    try:
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    except KeyError:
        raise ValueError(f"operation {name}: its 200 response must $ref a schema") from None
    match = _SCHEMA_REF.match(str(ref))
    if match is None:
        raise ValueError(f"operation {name}: its 200 response refers to {ref!r}, not a schema")
    return match.group(1)


def _metadata_type(response: Mapping[str, Any]) -> str | None:
    """The ``@type`` a typed operation's metadata must carry (a ``const`` in its schema)."""
    metadata = response.get("properties", {}).get("metadata", {})
    const = metadata.get("properties", {}).get("@type", {}).get("const")
    return str(const) if const is not None else None


def _page_items(response: Mapping[str, Any]) -> str | None:
    """A page of a listing has a ``nextPageToken`` and one repeated field: its name."""
    properties = response.get("properties", {})
    repeated = [k for k, v in properties.items() if v.get("type") == "array"]
    return repeated[0] if "nextPageToken" in properties and len(repeated) == 1 else None


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def path_pattern(path: str) -> re.Pattern[str]:
    out = ""
    last = 0
    for found in _PARAMETER.finditer(path):
        out += re.escape(path[last : found.start()]) + f"(?P<{found.group(1)}>{_SEGMENT})"
        last = found.end()
    return re.compile(out + re.escape(path[last:]))
