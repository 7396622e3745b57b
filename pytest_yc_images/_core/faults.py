"""Scripted faults: what a test asks to go wrong, and whether it did."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Code

__all__ = ["Fault", "Faults"]

KINDS = ("error", "latency", "lost_reply", "operation_error")


@dataclass(slots=True)
class Fault:
    """One scripted fault. ``times=None`` means every matching call."""

    kind: str
    method: str
    code: Code = Code.UNAVAILABLE
    message: str = ""
    times: int | None = 1
    seconds: float = 0.0
    after_polls: int = 0
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def describe(self) -> str:
        what = {
            "error": f"fail with {self.code.name}",
            "latency": f"add {self.seconds:g} s of latency",
            "lost_reply": "apply the change but lose the reply (UNAVAILABLE)",
            "operation_error": f"end the operation in {self.code.name}"
            + (f" after {self.after_polls} polls" if self.after_polls else ""),
        }[self.kind]
        count = "every call" if self.times is None else f"{self.times} call(s)"
        return f"{what} on {self.method} ({count}; fired {self.fired})"


@dataclass(slots=True)
class Faults:
    scripted: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; known: {', '.join(KINDS)}")
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be at least 1 (or None for every call)")
        self.scripted.append(fault)
        return fault

    def take(self, method: str, kind: str) -> Fault | None:
        """The first live fault of ``kind`` for ``method``; counts it as fired."""
        for fault in self.scripted:
            if fault.kind == kind and fault.method in (method, "*") and not fault.exhausted:
                fault.fired += 1
                return fault
        return None

    def unfired(self) -> list[Fault]:
        return [fault for fault in self.scripted if fault.fired == 0]

    def clear(self) -> None:
        self.scripted.clear()
