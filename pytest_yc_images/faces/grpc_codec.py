"""Protobuf messages to and from the JSON mapping the one request path speaks.

A request becomes the dictionary REST would have sent (``MessageToDict``: camelCase,
int64 as strings, a FieldMask as one comma-separated string, fields at their default
left out); a reply's dictionary is parsed back into the method's response message, with
``google.protobuf.Any`` resolved through the default descriptor pool. Importing this
module imports every message an ``Any`` of the fake can carry.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from google.protobuf import (
    descriptor_pool,
    empty_pb2,  # noqa: F401  # Delete's response Any
    message_factory,
)
from google.protobuf.json_format import MessageToDict, ParseDict
from google.protobuf.message import Message
from google.rpc import (
    error_details_pb2,  # noqa: F401  # BadRequest, RequestInfo in details
    status_pb2,
)
from yandex.cloud.compute.v1 import image_pb2  # noqa: F401  # Create's and Update's response Any

from .._routes import routes
from ..errors import ServiceError

__all__ = ["RESPONSES", "message_class", "status_proto", "to_mapping", "to_message"]


@cache
def message_class(full_name: str) -> type[Message]:
    """The generated class of a protobuf message, by full name, from the default pool
    (the module defining it must have been imported: ``Route.grpc_module``)."""
    found: type[Message] = message_factory.GetMessageClass(
        descriptor_pool.Default().FindMessageTypeByName(full_name)
    )
    return found


def _response_classes() -> dict[str, type[Message]]:
    """RPC (as the route table names it) -> the message its success reply is parsed into."""
    for route in routes():
        importlib.import_module(route.grpc_module)
    return {route.rpc: message_class(route.response_type) for route in routes()}


RESPONSES = _response_classes()


def to_mapping(request: Message) -> dict[str, Any]:
    """The request in the JSON mapping, as the REST face would receive it."""
    try:
        return dict(MessageToDict(request))
    except Exception:  # a value the JSON mapping cannot carry: name the field
        raise _unmappable(request) from None


def _unmappable(request: Message) -> ServiceError:
    fields = [field for field, _ in request.ListFields()]
    for field in fields:
        single = type(request)()
        single.CopyFrom(request)
        for other in fields:
            if other is not field:
                single.ClearField(other.name)
        try:
            MessageToDict(single)
        except Exception as exc:
            return ServiceError.invalid(field.json_name, f"has no JSON mapping: {exc}"[:300])
    return ServiceError.invalid("body", "has no JSON mapping")


def to_message(method: str, body: dict[str, Any]) -> Message:
    """A success reply's body as the method's response message."""
    return ParseDict(body, RESPONSES[method](), ignore_unknown_fields=True)


def status_proto(body: dict[str, Any]) -> Any:
    """An error reply's body (a google.rpc.Status in the JSON mapping) as the proto."""
    return ParseDict(body, status_pb2.Status(), ignore_unknown_fields=True)
