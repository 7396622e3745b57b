"""Scripted faults: what a test asks to go wrong, and whether it did.

A fault is a frozen value of one of four types, each consumed at one point of a call:

- :class:`ErrorFault`: the call fails with ``code`` before the core runs (``Rpc.call``);
- :class:`LatencyFault`: the reply waits ``seconds`` of real time (``Rpc.call`` reports
  the delay, the face waits);
- :class:`LostReplyFault`: the core applies the call, the caller gets UNAVAILABLE
  (``Rpc.call``, after the core);
- :class:`OperationFault`: the operation the call starts ends in ``code`` (the core, when
  it starts the operation; the lifecycle finishes it).

How often each fired is the registry's (:class:`Faults`) to count: the values never change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from ..errors import Code

__all__ = [
    "KINDS",
    "ErrorFault",
    "Fault",
    "Faults",
    "LatencyFault",
    "LostReplyFault",
    "OperationFault",
]


def _count(times: int | None, fired: int) -> str:
    count = "every call" if times is None else f"{times} call(s)"
    return f"{count}; fired {fired}"


@dataclass(frozen=True, slots=True)
class ErrorFault:
    """The next ``times`` calls of ``method`` (``"*"``: any) fail with ``code``;
    ``times=None``: every call."""

    kind: ClassVar[str] = "error"
    method: str
    code: Code = Code.UNAVAILABLE
    message: str = ""
    times: int | None = 1

    def describe(self, fired: int = 0) -> str:
        return f"fail with {self.code.name} on {self.method} ({_count(self.times, fired)})"


@dataclass(frozen=True, slots=True)
class LatencyFault:
    """Replies to ``method`` wait ``seconds`` of real time; ``times=None``: every call."""

    kind: ClassVar[str] = "latency"
    method: str
    seconds: float = 0.0
    times: int | None = None

    def describe(self, fired: int = 0) -> str:
        what = f"add {self.seconds:g} s of latency"
        return f"{what} on {self.method} ({_count(self.times, fired)})"


@dataclass(frozen=True, slots=True)
class LostReplyFault:
    """The call is applied but its caller gets UNAVAILABLE, as when a reply is lost."""

    kind: ClassVar[str] = "lost_reply"
    method: str
    times: int | None = 1

    def describe(self, fired: int = 0) -> str:
        what = "apply the change but lose the reply (UNAVAILABLE)"
        return f"{what} on {self.method} ({_count(self.times, fired)})"


@dataclass(frozen=True, slots=True)
class OperationFault:
    """The next operation(s) ``method`` starts end in ``code``, after ``after_polls`` polls."""

    kind: ClassVar[str] = "operation_error"
    method: str
    code: Code = Code.INTERNAL
    message: str = ""
    times: int | None = 1
    after_polls: int = 0

    def describe(self, fired: int = 0) -> str:
        what = f"end the operation in {self.code.name}" + (
            f" after {self.after_polls} polls" if self.after_polls else ""
        )
        return f"{what} on {self.method} ({_count(self.times, fired)})"


Fault = ErrorFault | LatencyFault | LostReplyFault | OperationFault
KINDS: dict[str, type[Fault]] = {
    kind.kind: kind for kind in (ErrorFault, LatencyFault, LostReplyFault, OperationFault)
}
F = TypeVar("F", bound=Fault)


@dataclass(slots=True)
class _Entry:
    fault: Fault
    fired: int = 0


@dataclass(slots=True)
class Faults:
    """The scripted faults of one fake, in the order they were added, and their counts."""

    entries: list[_Entry] = field(default_factory=list)

    def add(self, fault: Fault) -> Fault:
        if not isinstance(fault, tuple(KINDS.values())):
            raise ValueError(f"not a fault: {fault!r}; known kinds: {', '.join(KINDS)}")
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be at least 1 (or None for every call)")
        self.entries.append(_Entry(fault))
        return fault

    def take(self, method: str, kind: type[F]) -> F | None:
        """The first live fault of type ``kind`` for ``method``; counts it as fired."""
        for entry in self.entries:
            fault = entry.fault
            if (
                isinstance(fault, kind)
                and fault.method in (method, "*")
                and (fault.times is None or entry.fired < fault.times)
            ):
                entry.fired += 1
                return fault
        return None

    @property
    def scripted(self) -> list[Fault]:
        return [entry.fault for entry in self.entries]

    def fired(self, fault: Fault) -> int:
        """How often ``fault`` (this very object, as added) has fired."""
        for entry in self.entries:
            if entry.fault is fault:
                return entry.fired
        raise ValueError(f"not a scripted fault of this fake: {fault!r}")

    def counted(self) -> list[tuple[Fault, int]]:
        """Every fault with how often it fired."""
        return [(entry.fault, entry.fired) for entry in self.entries]

    def unfired(self) -> list[Fault]:
        return [entry.fault for entry in self.entries if entry.fired == 0]

    def clear(self) -> None:
        self.entries.clear()
