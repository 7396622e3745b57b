"""Programs: call sequences of the ImageService and OperationService, written with symbols.

A :class:`Step` is one request template. Wherever an ID, the folder or the run's marks
go, it holds a symbol in angle brackets (``<image#1>``, ``<op#2>``, ``<folder>``,
``<run>``, ``<source-image>``, ``<key#1>``); each side resolves the symbols to its own
values (:meth:`Symbols.resolve`), so one program runs against any implementation and a
cassette recorded on one replays on another. A program is a list of steps; both are plain
JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pytest_yc_images import routes

__all__ = ["SYMBOL", "WAIT", "Program", "Step"]

SYMBOL = re.compile(r"<([a-z][a-z-]*(?:#[0-9]+)?)>")
WAIT = "wait"  # the pseudo-RPC of a step that polls an operation until it is done
AUTH_MODES = ("token", "none", "malformed")
# The JSON type of each field but body (any JSON): what a cassette line must hold there.
_TYPES = {"path": dict, "query": dict, "auth": str, "key": str, "verb": str, "pages": bool,
          "note": str}  # fmt: skip
_KIND_NAMES = {dict: "an object of strings", str: "a string", bool: "true or false"}


def _is(value: Any, kind: type) -> bool:
    if kind is dict:
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, kind)


@dataclass(frozen=True)
class Step:
    """One call: the RPC (its REST route), path and query values, the JSON body.

    ``auth``: ``token`` (the side's), ``none`` (no Authorization header) or ``malformed``
    (a header that is not ``Bearer <token>``). ``key``: the symbol of an Idempotency-Key
    (a fresh UUID per side and run, the same for every step naming it). ``verb``: the
    HTTP method when not the route's own (Cancel by GET). ``pages``: for List RPCs,
    follow ``nextPageToken`` to the end (bounded) and compare the pages as a whole.
    """

    rpc: str
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    auth: str = "token"
    key: str = ""
    verb: str = ""
    pages: bool = False
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v for k, v in data.items() if v not in ("", None, {}, False) or k == "rpc"}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        """The step ``data`` describes; :class:`ValueError` names the field that is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("rpc"), str):
            raise ValueError(f"a step is a JSON object with an 'rpc', not {str(data)[:80]!r}")
        known = list(cls.__dataclass_fields__)
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"a step has no field {unknown[0]!r} (known: {', '.join(known)})")
        if data["rpc"] != WAIT and data["rpc"] not in routes():
            raise ValueError(f"a step's rpc is {WAIT!r} or an RPC of the contract, not "
                             f"{data['rpc']!r}")  # fmt: skip
        for name, kind in _TYPES.items():
            if name in data and not _is(data[name], kind):
                raise ValueError(f"a step's {name} must be {_KIND_NAMES[kind]}, not "
                                 f"{json.dumps(data[name])[:80]}")  # fmt: skip
        if data.get("auth", "token") not in AUTH_MODES:
            raise ValueError(f"a step's auth must be one of {', '.join(AUTH_MODES)}, not "
                             f"{data['auth']!r}")  # fmt: skip
        wanted = ("operationId",) if data["rpc"] == WAIT else routes()[data["rpc"]].path_parameters
        if set(data.get("path", {})) != set(wanted):
            raise ValueError(f"a step's path must give {', '.join(wanted) or 'nothing'}, not "
                             f"{json.dumps(data.get('path', {}))[:80]}")  # fmt: skip
        return cls(**data)

    def symbols(self) -> set[str]:
        """Every symbol the step names."""
        text = json.dumps([self.path, self.query, self.body, self.key and f"<{self.key}>"])
        return set(SYMBOL.findall(text))

    def render(self) -> str:
        """One line: ``Create POST {"folderId": "<folder>", ...}`` (symbols, never values)."""
        parts = [self.rpc.split(".")[-1] if self.rpc != WAIT else "wait for"]
        parts += [f"{k}={v}" for k, v in self.path.items()]
        parts += [f"?{k}={v}" for k, v in self.query.items()]
        if self.body is not None:
            parts.append(json.dumps(self.body, sort_keys=True)[:400])
        extras = [
            f"auth={self.auth}" if self.auth != "token" else "",
            f"Idempotency-Key={self.key}" if self.key else "",
            f"by {self.verb}" if self.verb else "",
            "all pages" if self.pages else "",
        ]
        parts += [f"[{e}]" for e in extras if e]
        return " ".join(parts)


@dataclass
class Program:
    """A sequence of steps, and the seed and index that generated it (for reports)."""

    steps: list[Step] = field(default_factory=list)
    label: str = ""

    def to_json(self) -> list[dict[str, Any]]:
        return [s.to_json() for s in self.steps]

    @classmethod
    def from_json(cls, data: Any, label: str = "") -> Program:
        if not isinstance(data, list):
            raise ValueError("a program is a JSON list of steps")
        return cls([Step.from_json(s) for s in data], label)

    def render(self) -> str:
        return "\n".join(f"{i}. {s.render()}" for i, s in enumerate(self.steps, 1))
