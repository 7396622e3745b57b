"""The one error type of the fake: a gRPC status code, a message and typed details."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

__all__ = ["Code", "FieldViolation", "ServiceError"]


class Code(IntEnum):
    """google.rpc.Code, with the HTTP status the REST gateway answers with."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @property
    def http_status(self) -> int:
        return _HTTP[self]

    @classmethod
    def parse(cls, value: Code | int | str) -> Code:
        """A code from itself, its number or its name (``"NOT_FOUND"``, any case)."""
        try:
            return cls[value.strip().upper()] if isinstance(value, str) else cls(value)
        except KeyError:
            raise _unknown(value) from None

    @classmethod
    def _missing_(cls, value: object) -> Code:
        # Code(503), Code("NOPE"): what the error says, with the valid codes.
        raise _unknown(value)


def _unknown(value: object) -> ValueError:
    known = ", ".join(f"{code.name} ({code.value})" for code in Code)
    return ValueError(f"unknown gRPC code {value!r:.100}; the codes: {known}")


_HTTP = {
    Code.OK: 200,
    Code.CANCELLED: 499,
    Code.UNKNOWN: 500,
    Code.INVALID_ARGUMENT: 400,
    Code.DEADLINE_EXCEEDED: 504,
    Code.NOT_FOUND: 404,
    Code.ALREADY_EXISTS: 409,
    Code.PERMISSION_DENIED: 403,
    Code.RESOURCE_EXHAUSTED: 429,
    Code.FAILED_PRECONDITION: 400,
    Code.ABORTED: 409,
    Code.OUT_OF_RANGE: 400,
    Code.UNIMPLEMENTED: 501,
    Code.INTERNAL: 500,
    Code.UNAVAILABLE: 503,
    Code.DATA_LOSS: 500,
    Code.UNAUTHENTICATED: 401,
}


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One entry of google.rpc.BadRequest: the field (JSON name, dotted path) and why."""

    field: str
    description: str


@dataclass(slots=True)
class ServiceError(Exception):
    """An error as the service gives it: a code, a message and BadRequest field violations."""

    code: Code
    message: str
    violations: tuple[FieldViolation, ...] = field(default=())

    def __post_init__(self) -> None:
        Exception.__init__(self, f"{self.code.name}: {self.message}")

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}"

    @classmethod
    def invalid(cls, field_name: str, description: str) -> ServiceError:
        """INVALID_ARGUMENT naming one field, in the message and in BadRequest."""
        return cls(
            Code.INVALID_ARGUMENT,
            f"Request validation error: {field_name}: {description}",
            (FieldViolation(field_name, description),),
        )
