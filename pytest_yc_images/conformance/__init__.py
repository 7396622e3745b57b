"""The conformance suite of the ImageService REST face: checks aimed at a target.

The same contracts (``contracts/conformance``) run against the in-process fake, the
loopback server and any URL (the live cloud), and over gRPC through :mod:`.grpc_bridge`.
Run them with ``yc-images-conformance``.
"""

from __future__ import annotations

from .api import Api, OperationTimeout, expect_error, violations
from .cases import MESSAGES, ROLE, Case, Constraint, boundary_cases, constraints, request_body
from .client import ContractViolation, NotExpressible, check_response
from .rules import Rule, catalogue, rule
from .safety import NAME_PREFIX, RUN_LABEL, RunIdentity
from .target import Target, TargetError

__all__ = [
    "MESSAGES",
    "NAME_PREFIX",
    "ROLE",
    "RUN_LABEL",
    "Api",
    "Case",
    "Constraint",
    "ContractViolation",
    "NotExpressible",
    "OperationTimeout",
    "Rule",
    "RunIdentity",
    "Target",
    "TargetError",
    "boundary_cases",
    "catalogue",
    "check_response",
    "constraints",
    "expect_error",
    "request_body",
    "rule",
    "violations",
]
