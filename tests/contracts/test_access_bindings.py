"""The contract of ImageService's three access-binding RPCs (live/access.proto and
live/image_service.proto): the messages' constraints at each limit and just past it, the
typed operations, the REST face, and their absence from the seed profile.

Where the official SDK is installed, its generated descriptors (the proto's validation
options and the RPCs' ``(api.operation)`` types) are a second, independent oracle.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_yc_images import openapi_document, routes, schema, validator

ANY = "type.googleapis.com/"
IMAGE_ID = "fd8abcdefghijklmnopq"
ACCESS_PATHS = {
    "/compute/v1/images/{resourceId}:listAccessBindings": ("get", "ListAccessBindings"),
    "/compute/v1/images/{resourceId}:setAccessBindings": ("post", "SetAccessBindings"),
    "/compute/v1/images/{resourceId}:updateAccessBindings": ("post", "UpdateAccessBindings"),
}
ACCESS_RPCS = [f"ImageService.{rpc}" for _, rpc in ACCESS_PATHS.values()]

BINDING: dict[str, Any] = {
    "roleId": "compute.images.user",
    "subject": {"id": "ajeabcdefghijklmnopq", "type": "userAccount"},
}
DELTA: dict[str, Any] = {"action": "ADD", "accessBinding": BINDING}
# A minimal valid document of each message, and where in it each nested message sits.
BASES: dict[str, dict[str, Any]] = {
    "ListAccessBindingsRequest": {"resourceId": IMAGE_ID},
    "SetAccessBindingsRequest": {"resourceId": IMAGE_ID, "accessBindings": [BINDING]},
    "UpdateAccessBindingsRequest": {"resourceId": IMAGE_ID, "accessBindingDeltas": [DELTA]},
    "ListAccessBindingsResponse": {"accessBindings": [BINDING]},
    "AccessBindingsOperationResult": {"effectiveDeltas": [DELTA]},
}
SITES: dict[str, list[tuple[str, str]]] = {  # proto message -> (schema message, path)
    "ListAccessBindingsRequest": [("ListAccessBindingsRequest", "")],
    "SetAccessBindingsRequest": [("SetAccessBindingsRequest", "")],
    "UpdateAccessBindingsRequest": [("UpdateAccessBindingsRequest", "")],
    "AccessBinding": [
        ("SetAccessBindingsRequest", "accessBindings.0"),
        ("UpdateAccessBindingsRequest", "accessBindingDeltas.0.accessBinding"),
        ("ListAccessBindingsResponse", "accessBindings.0"),
    ],
    "Subject": [
        ("SetAccessBindingsRequest", "accessBindings.0.subject"),
        ("UpdateAccessBindingsRequest", "accessBindingDeltas.0.accessBinding.subject"),
        ("ListAccessBindingsResponse", "accessBindings.0.subject"),
    ],
    "AccessBindingDelta": [
        ("UpdateAccessBindingsRequest", "accessBindingDeltas.0"),
        ("AccessBindingsOperationResult", "effectiveDeltas.0"),
    ],
}
MISSING = object()  # a value meaning "leave the field out"


def _set(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``doc`` with the dotted ``path`` (list indexes as numbers) set to ``value``."""
    out = copy.deepcopy(doc)
    *parents, leaf = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is MISSING:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return out


def _valid(message: str, doc: Any) -> bool:
    return bool(validator(message).is_valid(doc))


# ---------------------------------------------------------------------------------------------
# live/access.proto's validation options, field by field, at each limit and just past it.
# (proto message, JSON field) -> (length, required, size, value) as the proto writes them.
PROTO: dict[tuple[str, str], dict[str, Any]] = {
    ("Subject", "id"): {"length": "<=100", "required": True},
    ("Subject", "type"): {"length": "<=100", "required": True},
    ("AccessBinding", "roleId"): {"length": "<=64", "required": True},
    ("AccessBinding", "subject"): {"required": True},
    ("ListAccessBindingsRequest", "resourceId"): {"length": "<=64", "required": True},
    ("ListAccessBindingsRequest", "pageSize"): {"value": "0-1000"},
    ("ListAccessBindingsRequest", "pageToken"): {"length": "<=100"},
    ("SetAccessBindingsRequest", "resourceId"): {"length": "<=64", "required": True},
    ("SetAccessBindingsRequest", "accessBindings"): {"size": "<=1000"},
    ("UpdateAccessBindingsRequest", "resourceId"): {"length": "<=64", "required": True},
    ("UpdateAccessBindingsRequest", "accessBindingDeltas"): {"size": "1-1000"},
    ("AccessBindingDelta", "action"): {"required": True},
    ("AccessBindingDelta", "accessBinding"): {"required": True},
}
# Where the installed SDK's descriptors differ from the reference protos (live/, cloudapi of
# 2026-07-23): the contract follows the reference.
SDK_DIFFERS = {("ListAccessBindingsRequest", "pageToken")}  # yandexcloud 0.413: "<=2000"


def _bounds(rule: str) -> tuple[int, int]:
    low, _, high = rule.removeprefix("<=").rpartition("-")
    return (int(low) if rule[0] != "<" and low else 0), int(high)


def _checks(options: dict[str, Any]) -> Iterator[tuple[Any, bool, str]]:
    """(value, valid, why) for each option of one field."""
    if "length" in options:
        _, high = _bounds(options["length"])
        yield "x" * high, True, f"{high} chars"
        yield "x" * (high + 1), False, f"{high + 1} chars"
    if options.get("required"):
        yield MISSING, False, "missing"
    if "size" in options:
        low, high = _bounds(options["size"])
        yield [DELTA] * high, True, f"{high} items"
        yield [DELTA] * (high + 1), False, f"{high + 1} items"
        if low:
            yield [DELTA] * (low - 1), False, f"{low - 1} items"
    if "value" in options:
        low, high = _bounds(options["value"])
        for kind, convert in (("int", int), ("str", str)):
            yield convert(low), True, f"{low} {kind}"
            yield convert(high), True, f"{high} {kind}"
            yield convert(high + 1), False, f"{high + 1} {kind}"
            yield convert(low - 1), False, f"{low - 1} {kind}"


def _proto_rows() -> Iterator[pytest.ParameterSet]:
    for (proto, field), options in PROTO.items():
        for message, where in SITES[proto]:
            path = f"{where}.{field}" if where else field
            for value, valid, why in _checks(options):
                if isinstance(value, list) and field == "accessBindings":
                    value = [BINDING] * len(value)
                label = f"{message}.{path}:{why}->{'ok' if valid else 'bad'}"
                yield pytest.param(message, path, value, valid, id=label)


@pytest.mark.parametrize(("message", "path", "value", "valid"), list(_proto_rows()))
def test_the_proto_options(message: str, path: str, value: Any, valid: bool) -> None:
    doc = _set(BASES[message], path, value)
    errors = [error.message for error in validator(message).iter_errors(doc)]
    assert (not errors) is valid, errors or f"{path}: {value!r:.80} should be invalid"


def test_the_table_is_every_option_of_the_sdk_descriptors() -> None:
    """The table above is the reference proto's; the SDK's descriptors say the same."""
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    from yandex.cloud.access import access_pb2

    found: dict[tuple[str, str], dict[str, Any]] = {}
    for proto in SITES:
        for field in getattr(access_pb2, proto).DESCRIPTOR.fields:
            options = {ext.name: value for ext, value in field.GetOptions().ListFields()}
            if options:
                found[(proto, field.json_name)] = options
    assert set(found) == set(PROTO)
    assert {k: v for k, v in found.items() if k not in SDK_DIFFERS} == {
        k: v for k, v in PROTO.items() if k not in SDK_DIFFERS
    }


def _other_rows() -> Iterator[pytest.ParameterSet]:
    def row(message: str, path: str, value: Any, valid: bool, why: str) -> pytest.ParameterSet:
        verdict = "ok" if valid else "bad"
        return pytest.param(message, path, value, valid, id=f"{message}.{path}:{why}->{verdict}")

    for message, where in SITES["Subject"]:
        for field in ("id", "type"):
            yield row(message, f"{where}.{field}", "", False, "empty (required)")
            yield row(message, f"{where}.{field}", 1, False, "not a string")
        system = {"id": "allAuthenticatedUsers", "type": "system"}
        yield row(message, where, system, True, "allAuthenticatedUsers")
        # The proto lists the types in prose, with no validation option: not an enum.
        yield row(message, f"{where}.type", "someNewType", True, "a type not listed")
    for message, where in SITES["AccessBinding"]:
        yield row(message, f"{where}.roleId", "", False, "empty roleId (required)")
        yield row(message, f"{where}.subject", "u", False, "subject not an object")
    for message, where in SITES["AccessBindingDelta"]:
        for action in ("ADD", "REMOVE"):
            yield row(message, f"{where}.action", action, True, action)
        for action in ("ACCESS_BINDING_ACTION_UNSPECIFIED", "add", "DELETE", ""):
            yield row(message, f"{where}.action", action, False, repr(action))
    for message in ("ListAccessBindingsRequest", "SetAccessBindingsRequest"):
        yield row(message, "resourceId", "", False, "empty resourceId (required)")
    yield row("SetAccessBindingsRequest", "accessBindings", [], True, "none: Set clears them")
    yield row("SetAccessBindingsRequest", "accessBindings", MISSING, True, "left out")
    yield row("ListAccessBindingsRequest", "pageSize", 1.5, False, "fraction")
    yield row("ListAccessBindingsRequest", "pageToken", 1, False, "not a string")
    # A request takes the proto's fields only, at every level; a response may carry newer.
    nested = [*SITES["AccessBinding"], *SITES["Subject"], *SITES["AccessBindingDelta"]]
    for message, where in nested:
        valid = not message.endswith("Request")
        yield row(message, f"{where}.nosuch", 1, valid, "unknown field")
    for message in ("ListAccessBindingsRequest", "SetAccessBindingsRequest",
                    "UpdateAccessBindingsRequest"):  # fmt: skip
        yield row(message, "nosuch", 1, False, "unknown field")
    yield row("ListAccessBindingsResponse", "nextPageToken", "t", True, "a token")
    yield row("ListAccessBindingsResponse", "nextPageToken", "", False, "an empty token")


@pytest.mark.parametrize(("message", "path", "value", "valid"), list(_other_rows()))
def test_constraint(message: str, path: str, value: Any, valid: bool) -> None:
    doc = _set(BASES[message], path, value)
    errors = [error.message for error in validator(message).iter_errors(doc)]
    assert (not errors) is valid, errors or f"{path}: {value!r:.80} should be invalid"


def test_the_actions_are_the_enums_values_but_its_zero() -> None:
    assert schema("AccessBindingDelta")["properties"]["action"]["enum"] == ["ADD", "REMOVE"]
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    from yandex.cloud.access import access_pb2

    values = access_pb2.AccessBindingAction.DESCRIPTOR.values
    assert [v.name for v in values if v.number] == ["ADD", "REMOVE"]


def test_empty_messages_as_proto3_json_writes_them() -> None:
    assert _valid("ListAccessBindingsResponse", {})  # an empty page
    assert _valid("AccessBindingsOperationResult", {})  # no effective delta
    assert not _valid("UpdateAccessBindingsRequest", {"resourceId": IMAGE_ID})


# ---------------------------------------------------------------------------------------------
# The typed operations


def _operation(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": "fd8operationidabcdef",
        "createdAt": "2024-05-06T10:11:12.345Z",
        "metadata": {"@type": f"{ANY}yandex.cloud.access.{kind}Metadata", "resourceId": IMAGE_ID},
        **fields,
    }


RESULT = {"@type": f"{ANY}yandex.cloud.access.AccessBindingsOperationResult"}


@pytest.mark.parametrize("kind", ["SetAccessBindings", "UpdateAccessBindings"])
def test_the_operations_are_typed(kind: str) -> None:
    message = f"{kind}Operation"
    assert _valid(message, _operation(kind))  # running
    assert _valid(message, _operation(kind, done=True, response=RESULT))  # no effective delta
    deltas = {**RESULT, "effectiveDeltas": [DELTA, {**DELTA, "action": "REMOVE"}]}
    assert _valid(message, _operation(kind, done=True, response=deltas))
    other = "Update" if kind.startswith("Set") else "Set"
    wrong_type = _operation(kind)
    wrong_type["metadata"]["@type"] = f"{ANY}yandex.cloud.access.{other}AccessBindingsMetadata"
    assert not _valid(message, wrong_type)
    assert not _valid(message, _operation(kind, done=True))  # done, neither
    image = {"@type": f"{ANY}yandex.cloud.compute.v1.Image", "id": IMAGE_ID}
    assert not _valid(message, _operation(kind, done=True, response=image))
    bad_delta = {**RESULT, "effectiveDeltas": [{**DELTA, "action": "NOPE"}]}
    assert not _valid(message, _operation(kind, done=True, response=bad_delta))


def _resolve(name: str, package: str) -> str:
    """A message name as a .proto file writes it, resolved from ``package`` outward."""
    from google.protobuf import descriptor_pool

    parts = package.split(".")
    for end in range(len(parts), -1, -1):
        full = ".".join([*parts[:end], name])
        try:
            descriptor_pool.Default().FindMessageTypeByName(full)
        except KeyError:
            continue
        return full
    raise LookupError(name)


@pytest.mark.parametrize("rpc", [r.rpc for r in routes() if r.metadata_type], ids=str)
def test_every_typed_operation_is_the_sdks_api_operation(rpc: str) -> None:
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    import importlib

    from yandex.cloud.api import operation_pb2

    route = routes()[rpc]
    module = importlib.import_module(route.grpc_module)
    service = module.DESCRIPTOR.services_by_name[route.grpc_service.rsplit(".", 1)[1]]
    method = service.methods_by_name[rpc.rsplit(".", 1)[1]]
    option = method.GetOptions().Extensions[operation_pb2.operation]
    package = module.DESCRIPTOR.package
    typed = schema(route.response)["properties"]
    assert route.metadata_type == ANY + _resolve(option.metadata, package)
    assert typed["metadata"]["properties"]["@type"]["const"] == route.metadata_type
    assert typed["response"]["properties"]["@type"]["const"] == ANY + _resolve(
        option.response, package
    )


# ---------------------------------------------------------------------------------------------
# The REST face, and the profiles


def test_the_rest_face_as_the_proto_binds_it() -> None:
    table = routes()
    for path, (verb, name) in ACCESS_PATHS.items():
        route = table[f"ImageService.{name}"]
        assert (route.http_method, route.path) == (verb.upper(), path)
        assert route.path_parameters == ("resourceId",)
        assert route.request_type == f"yandex.cloud.access.{name}Request"
        # POST with body "*": what is not in the path is the body; the writes are keyed.
        assert route.body is route.mutating is (verb == "post")
    assert table["ImageService.ListAccessBindings"].query_parameters == ("pageSize", "pageToken")
    update = openapi_document()["paths"]["/compute/v1/images/{resourceId}:updateAccessBindings"]
    body = update["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["accessBindingDeltas"]


def test_a_custom_verb_is_not_an_image_id() -> None:
    table = routes()
    for _, name in ACCESS_PATHS.values():
        verb = name[0].lower() + name[1:]
        found = table.find("POST" if not verb.startswith("list") else "GET",
                           f"/compute/v1/images/{IMAGE_ID}:{verb}")  # fmt: skip
        assert found is not None
        assert found.rpc == f"ImageService.{name}"
    assert table.find("GET", f"/compute/v1/images/{IMAGE_ID}:setAccessBindings") is None
    get = table.find("GET", f"/compute/v1/images/{IMAGE_ID}")
    assert get is not None
    assert get.rpc == "ImageService.Get"


def test_the_seed_profile_has_none_of_them() -> None:
    seed = routes(profile="seed")
    assert not set(ACCESS_RPCS) & {r.rpc for r in seed.bindings}
    assert not set(ACCESS_PATHS) & set(openapi_document(profile="seed")["paths"])
    assert seed.match(f"/compute/v1/images/{IMAGE_ID}:listAccessBindings") is None
    live = openapi_document(profile="live")["paths"]
    assert set(ACCESS_PATHS) <= set(live)
    assert all(live[path]["x-yc-profile"] == "live" for path in ACCESS_PATHS)
    assert set(ACCESS_RPCS) <= {r.rpc for r in routes(profile="live")}
