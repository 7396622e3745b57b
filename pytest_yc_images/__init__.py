"""pytest-yc-images: the Yandex Cloud Compute ImageService, testable without a cloud."""

from __future__ import annotations

from ._contracts import (
    controls_document,
    message_names,
    openapi_document,
    registry,
    schema,
    validator,
)
from ._core.clock import VirtualClock
from ._core.faults import ErrorFault, Fault, LatencyFault, LostReplyFault, OperationFault
from ._core.journal import Journal, JournalEntry
from ._core.operations import Completion
from ._fake import COMPUTE_URL, DEFAULT_TOKEN, PUBLIC_FOLDER, FakeImageService
from ._fixture_values import YcGrpc, YcServer
from ._routes import Route, RouteTable, routes
from ._schema_model import Constraint, constraints
from .errors import Code, FieldViolation, ServiceError
from .faces.asgi import AsgiApp
from .faces.server import LoopbackServer
from .faces.transport import FakeTransport

__all__ = [
    "COMPUTE_URL",
    "DEFAULT_TOKEN",
    "PUBLIC_FOLDER",
    "AsgiApp",
    "Code",
    "Completion",
    "Constraint",
    "ErrorFault",
    "FakeImageService",
    "FakeTransport",
    "Fault",
    "FieldViolation",
    "Journal",
    "JournalEntry",
    "LatencyFault",
    "LoopbackServer",
    "LostReplyFault",
    "OperationFault",
    "Route",
    "RouteTable",
    "ServiceError",
    "VirtualClock",
    "YcGrpc",
    "YcServer",
    "constraints",
    "controls_document",
    "message_names",
    "openapi_document",
    "registry",
    "routes",
    "schema",
    "validator",
]
