"""The ``/_fake/`` routes, derived once from ``contracts/controls.yaml``.

Each operation of that document names its control (``x-yc-control``); a route checks the
body against the operation's schema, then runs the control, or answers 400 naming the
field with nothing changed. HTTP itself (the path, the query string, the body's bytes)
is the face's: it matches a route with :meth:`ControlRoutes.match` and hands the parts
to :meth:`ControlRoute.run`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

from . import _contracts
from ._control_checks import check
from ._controls import (
    Controls,
    bindings_from_json,
    disk_from_json,
    error_from_json,
    fault_from_json,
    object_from_json,
    snapshot_from_json,
)
from ._core.faults import Fault
from ._core.journal import JournalEntry
from ._routes import deref, path_pattern  # the API's table reads its document the same way
from .errors import Code, FieldViolation, ServiceError

__all__ = ["ACTIONS", "ControlRoute", "ControlRoutes", "control_routes", "fault_json"]


def fault_json(fault: Fault, fired: int) -> dict[str, Any]:
    """A fault as ``GET /_fake/faults`` lists it: every field for every kind."""
    return {
        "kind": fault.kind,
        "method": fault.method,
        "code": getattr(fault, "code", Code.UNAVAILABLE).name,
        "times": fault.times,
        "seconds": getattr(fault, "seconds", 0.0),
        "afterPolls": getattr(fault, "after_polls", 0),
        "fired": fired,
        "description": fault.describe(fired),
    }


def _entry_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "method": entry.method,
        "request": entry.request,
        "response": entry.response,
        "error": entry.error,
        "code": entry.code,
        "virtualTime": entry.virtual_time,
        "wallTime": entry.wall_time,
        "idempotencyKey": entry.idempotency_key,
        "replayed": entry.replayed,
        "replayedWithOtherBody": entry.replayed_with_other_body,
    }


# Control -> what it runs: (the controls, the checked body with the query's parameters,
# the path's parameters) -> the JSON reply. The keys are the document's x-yc-control values.
_Action = Callable[[Controls, dict[str, Any], Mapping[str, str]], Any]
ACTIONS: dict[str, _Action] = {}


def _action(name: str) -> Callable[[_Action], _Action]:
    def register(run: _Action) -> _Action:
        ACTIONS[name] = run
        return run

    return register


@_action("list_images")
def _list_images(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return {"images": c.list_images(body.get("folderId"))}


@_action("put_image")
def _put_image(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return c.put_image(body)


@_action("list_bindings")
def _list_bindings(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return {"bindings": c.list_bindings(body.get("imageId"))}


@_action("put_bindings")
def _put_bindings(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return c.put_bindings(body["imageId"], bindings_from_json(body["accessBindings"]))


@_action("add_disk")
def _add_disk(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    c.add_disk(disk_from_json(body))
    return {}


@_action("add_snapshot")
def _add_snapshot(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    c.add_snapshot(snapshot_from_json(body))
    return {}


@_action("put_object")
def _put_object(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    c.put_object(object_from_json(body))
    return {}


@_action("list_operations")
def _list_operations(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return {"operations": c.list_operations(body.get("imageId"))}


@_action("complete_operation")
def _complete(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return c.finish_operation(path["operationId"])


@_action("fail_operation")
def _fail(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return c.finish_operation(path["operationId"], error_from_json(body))


@_action("advance_clock")
def _advance_clock(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return {"now": c.advance_clock(body["seconds"])}


@_action("set_completion")
def _set_completion(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    c.set_completion(body["mode"])
    return {}


@_action("list_faults")
def _list_faults(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return {"faults": [fault_json(fault, fired) for fault, fired in c.list_faults()]}


@_action("add_fault")
def _add_fault(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return fault_json(c.add_fault(fault_from_json(body)), 0)


@_action("clear_faults")
def _clear_faults(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    c.clear_faults()
    return {}


@_action("read_journal")
def _read_journal(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    return {
        "profile": c.rpc.service.profile,
        "entries": [_entry_json(entry) for entry in c.read_journal()],
    }


@_action("read_settings")
def _read_settings(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    service = c.rpc.service
    return {"profile": service.profile, "completion": str(service.lifecycle.completion)}


@_action("save_state")
def _save_state(c: Controls, body: dict[str, Any], path: Mapping[str, str]) -> Any:
    if c.state_saver is None:
        raise ServiceError(
            Code.FAILED_PRECONDITION, "This fake has no state file (serve --state FILE)"
        )
    try:
        return {"path": c.state_saver()}
    except OSError as exc:
        raise ServiceError(Code.INTERNAL, f"cannot write the state file: {exc}") from None


@dataclass(frozen=True, slots=True)
class ControlRoute:
    """One operation of the controls' document."""

    action: str  # its x-yc-control
    method: str  # GET, POST, DELETE
    path: str  # as the document writes it: /_fake/operations/{operationId}:complete
    query: tuple[str, ...]  # the query parameters it takes
    body: str | None  # the schema of its body (components/schemas); None: it takes none

    def run(
        self,
        controls: Controls,
        body: Mapping[str, Any],
        *,
        params: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> Any:
        """Check ``body`` (:func:`._control_checks.check`: its schema and the rules JSON Schema
        cannot state), then run the control; its JSON reply. A refused body raises
        :class:`._control_checks.ControlError` naming each field, and nothing changes."""
        check(self.body, body)
        message = dict(body)
        for name, value in (query or {}).items():
            if name in message:
                raise ServiceError.invalid(name, "given both in the query and in the body")
            message[name] = value
        try:
            return ACTIONS[self.action](controls, message, params or {})
        except ServiceError:  # the core's refusals, and the controls' (a ValueError too)
            raise
        except ValueError as exc:  # what only the control can tell (a clock running back)
            raise ServiceError(
                Code.INVALID_ARGUMENT,
                f"bad control request: {exc}",
                (FieldViolation("body", str(exc)),),
            ) from None


def _body_schema(operation: Mapping[str, Any]) -> str | None:
    content = operation.get("requestBody", {}).get("content", {})
    ref: str | None = content.get("application/json", {}).get("schema", {}).get("$ref")
    return ref.rpartition("/")[2] if ref else None


class ControlRoutes:
    """The route table of the controls: (path pattern, {HTTP method: route})."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.table: list[tuple[re.Pattern[str], dict[str, ControlRoute]]] = []
        self.actions: dict[str, ControlRoute] = {}
        for path, item in document["paths"].items():
            methods: dict[str, ControlRoute] = {}
            for method, operation in item.items():
                if not isinstance(operation, dict) or "x-yc-control" not in operation:
                    continue
                action = operation["x-yc-control"]
                if action not in ACTIONS:
                    raise ValueError(f"{method.upper()} {path}: no control named {action!r}")
                parameters = [*item.get("parameters", ()), *operation.get("parameters", ())]
                query = tuple(
                    p["name"]
                    for p in (deref(document, p) for p in parameters)
                    if p.get("in") == "query"
                )
                route = ControlRoute(action, method.upper(), path, query, _body_schema(operation))
                methods[route.method] = self.actions[action] = route
            self.table.append((path_pattern(path), methods))

    def match(self, method: str, path: str) -> tuple[ControlRoute, dict[str, str]]:
        """The route of ``method`` on ``path`` (as sent) and the path's parameters."""
        trimmed = path.rstrip("/") or path
        for pattern, methods in self.table:
            match = pattern.fullmatch(trimmed)
            if match is not None and method in methods:
                params = {k: unquote(v) for k, v in match.groupdict().items()}
                return methods[method], params
        raise ServiceError(Code.NOT_FOUND, f"No such control: {method[:20]} {path[:100]}")


@cache
def control_routes() -> ControlRoutes:
    """The controls' route table, built from the document at first use."""
    return ControlRoutes(_contracts.controls_document())
