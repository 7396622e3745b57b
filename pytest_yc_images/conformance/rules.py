"""The catalogue of documented rules the suite checks, each with an id and its words.

Behaviour rules are written out here with a quote of the documentation (the seed, i.e.
the gRPC reference of ImageService, or API.md for the REST facts around it); field rules
are generated from the request schemas (:mod:`.cases`), one per constraint. A contract
names the rules it checks with ``@pytest.mark.rule("id", ...)``; the report lists every
rule of the profile no contract names as uncovered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from pytest_yc_images import routes, schema

from . import rules_images, rules_operations, rules_reference, rules_requests
from .cases import MESSAGES, constraints, skipped
from .rules_images import RULES as IMAGES
from .rules_operations import RULES as OPERATIONS
from .rules_reference import RULES as REFERENCE
from .rules_requests import RULES as REQUESTS
from .today import TODAY

__all__ = ["Rule", "catalogue", "rule"]


@dataclass(frozen=True)
class Rule:
    id: str
    method: str
    text: str  # the documentation's words (or, for a field rule, the schema's)
    # "seed": the gRPC reference; "api.md": the REST facts; "live" or "live/<file>.proto"
    # (today's protos) or a reference page of yandex-cloud/docs ("docs:en/...")
    source: str = "seed"
    not_testable: str = ""  # why no contract can check it over REST, if so
    # The profiles it holds in: "*" (both), "live" or "seed". By default a rule from
    # today's documentation is live only, any other holds in both.
    profiles: str = ""

    @property
    def profile(self) -> str:
        if self.profiles:
            return self.profiles
        return "live" if self.source.startswith(("live", "docs:")) else "*"

    def holds_in(self, profile: str) -> bool:
        return self.profile in ("*", profile)


_B: list[tuple[str, ...]] = [
    # id, method, source, quote[, profiles: "*", "live" or "seed" when not the default]
    ("get.returns-image", "ImageService.Get", "seed", "Returns the specified Image resource."),
    (
        "get.not-found",
        "ImageService.Get",
        "api.md",
        "Errors are `google.rpc.Status` [...] over REST as the body with this HTTP "
        "status: [...] | 5 | NOT_FOUND | 404 |",
    ),
    (
        "create.operation",
        "ImageService.Create",
        "seed",
        "rpc Create (CreateImageRequest) returns (operation.Operation) [...] "
        "Operation.metadata:CreateImageMetadata [...] Operation.response:Image",
    ),
    (
        "create.ready",
        "ImageService.Create",
        "seed",
        "Creates an image in the specified folder. [...] READY: Image is ready to use.",
    ),
    (
        "create.idempotency-key",
        "ImageService.Create",
        "api.md",
        "a repeat with the same key returns the operation made by the first call instead of "
        "doing the work again",
    ),
    (
        "operation.done",
        "OperationService.Get",
        "seed",
        "If the value is false, it means the operation is still in progress. If true, the "
        "operation is completed, and either error or response is available.",
    ),
    (
        "operation.poll",
        "OperationService.Get",
        "api.md",
        "the image shows CREATING (or DELETING) until the operation finishes. Clients poll "
        "OperationService.Get until done.",
    ),
    (
        "latest.newest-ready",
        "ImageService.GetLatestByFamily",
        "seed",
        "Returns the latest image that is part of an image family.",
    ),
    (
        "latest.folder",
        "ImageService.GetLatestByFamily",
        "seed",
        "folder_id string Required. ID of the folder to get the image from.",
    ),
    (
        "latest.not-found",
        "ImageService.GetLatestByFamily",
        "api.md",
        "Errors are `google.rpc.Status` [...] over REST as the body with this HTTP "
        "status: [...] | 5 | NOT_FOUND | 404 |",
    ),
    (
        "list.folder",
        "ImageService.List",
        "seed",
        "Retrieves the list of Image resources in the specified folder.",
    ),
    (
        "list.paging",
        "ImageService.List",
        "seed",
        "If the number of available results is larger than page_size, the service "
        "returns a ListImagesResponse.next_page_token that can be used to get the "
        "next page of results in subsequent list requests.",
    ),
    (
        "list.page-size",
        "ImageService.List",
        "seed",
        "The maximum number of results per page to return. [...] The maximum value is 1000.",
    ),
    (
        "list.page-token-issued",
        "ImageService.List",
        "api.md",
        "pageToken: opaque, at most 100 characters, only ever one that the service issued.",
    ),
    (
        "list.filter-name",
        "ImageService.List",
        "seed",
        "A filter expression that filters resources listed in the response. [...] "
        "Currently you can use filtering only on the Image.name field. [...] An = "
        "operator. [...] The value in double quotes",
    ),
    (
        "list.filter-invalid",
        "ImageService.List",
        "seed",
        "The expression must specify: [...] The field name. [...] An = operator. "
        "[...] The value in double quotes",
    ),
    (
        "update.operation",
        "ImageService.Update",
        "seed",
        "rpc Update (UpdateImageRequest) returns (operation.Operation) [...] "
        "Operation.metadata:UpdateImageMetadata [...] Operation.response:Image",
    ),
    (
        "update.mask",
        "ImageService.Update",
        "seed",
        "update_mask google.protobuf.FieldMask Field mask that specifies which fields"
        " of the Image resource are going to be updated.",
    ),
    (
        "update.mask-absent-resets",
        "ImageService.Update",
        "live",
        "Both sources agree on [...] the update mask (a field named and absent is reset)",
        "*",
    ),
    (
        "update.labels-replaced",
        "ImageService.Update",
        "seed",
        "Existing set of labels is completely replaced by the provided set.",
    ),
    (
        "delete.operation",
        "ImageService.Delete",
        "seed",
        "rpc Delete (DeleteImageRequest) returns (operation.Operation) [...] "
        "Operation.metadata:DeleteImageMetadata [...] "
        "Operation.response:google.protobuf.Empty",
    ),
    (
        "delete.gone",
        "ImageService.Delete",
        "seed",
        "Deleting an image removes its data permanently and is irreversible.",
    ),
    (
        "delete.operation-readable",
        "OperationService.Get",
        "api.md",
        "Long-running operations are read from the Operation service [...] Clients "
        "poll `OperationService.Get` until `done`.",
    ),
    (
        "list-operations.scope",
        "ImageService.ListOperations",
        "seed",
        "Lists operations for the specified image.",
    ),
    (
        "list-operations.paging",
        "ImageService.ListOperations",
        "seed",
        "If the number of available results is larger than page_size, the service returns a "
        "ListImageOperationsResponse.next_page_token",
    ),
    (
        "auth.required",
        "*",
        "api.md",
        "`Authorization: Bearer <IAM token>` on every call [...] Missing or bad "
        "token: UNAUTHENTICATED.",
    ),
    (
        "errors.status",
        "*",
        "api.md",
        'Errors are `google.rpc.Status`: `{"code": <int>, "message": str, "details": '
        "[Any...]}`, over gRPC as the call's status, over REST as the body with this "
        "HTTP status",
    ),
    (
        "errors.http_status",
        "*",
        "api.md",
        "over REST as the body with this HTTP status: [...] | 3 | INVALID_ARGUMENT | "
        "400 | [...] | 5 | NOT_FOUND | 404 | [...] | 16 | UNAUTHENTICATED | 401 |",
    ),
    (
        "errors.bad-request",
        "*",
        "api.md",
        "details commonly holds google.rpc.BadRequest (fieldViolations: [{field, description}]) "
        "for INVALID_ARGUMENT",
    ),
    (
        "wire.json",
        "*",
        "api.md",
        "The service is defined in protobuf and served twice: over gRPC [...] and "
        "over REST/JSON through a gateway",
    ),
    (
        "wire.route",
        "*",
        "api.md",
        "| ImageService.Get | `GET /compute/v1/images/{imageId}` | [...] | "
        "OperationService.Get | `GET /operations/{operationId}` |",
    ),
    ("wire.int64", "*", "api.md", "int64/uint64 values are decimal strings"),
    (
        "wire.any-type",
        "*",
        "api.md",
        'google.protobuf.Any carries "@type": "type.googleapis.com/<full.message.Name>"',
    ),
    (
        "wire.operation.metadata",
        "*",
        "seed",
        "Any method that returns a long-running operation should document the metadata type",
    ),
    *TODAY,
    *REQUESTS,
    *IMAGES,
    *OPERATIONS,
    *REFERENCE,
]


# Field rules whose schema constraint is today's wording where the seed's differs (names
# with "_"): cited from today's proto, checked in both profiles by the values both
# patterns agree on; live.name-underscore and seed.name-pattern check where they differ.
_TODAYS_PATTERNS = frozenset({"CreateImageRequest.name.pattern", "UpdateImageRequest.name.pattern"})


@cache
def catalogue() -> dict[str, Rule]:
    """Every rule by id: the behaviour rules, then one per schema constraint."""
    rules = {
        row[0]: Rule(row[0], row[1], row[3], row[2], profiles=row[4] if len(row) > 4 else "")
        for row in _B
    }
    for message, (method, _, _) in MESSAGES.items():
        for c in constraints(message):
            text = c.description or f"{c.field}: {c.keyword} {c.limit!r}"
            if c.field == "source":
                text = "source oneof: image_id, disk_id, snapshot_id or uri"
            why = " / ".join(filter(None, {skipped(c, "at"), skipped(c, "past")}))
            testable = "" if not skipped(c, "past") else why
            # A field the seed's message lacks (hardwareGeneration) is today's proto's; so is
            # every field of an RPC the seed lacks (the access bindings: access.proto's).
            source = "seed" if c.field in seed_fields(message) else "live/image_service.proto"
            if method not in seed_rpcs():
                source = "live/access.proto"
            if c.rule in _TODAYS_PATTERNS:  # the live pattern, quoted; both profiles check
                source = "live/image_service.proto"  # the part they share (no leading "_")
            rules[c.rule] = Rule(c.rule, method, f"{text} ({c.keyword}: {c.limit!r})"[:300],
                                 source, testable,
                                 "*" if c.rule in _TODAYS_PATTERNS else "")  # fmt: skip
    # Rules of the area modules no contract can check, with why.
    for module in (rules_requests, rules_images, rules_operations, rules_reference):
        for rid, why in getattr(module, "NOT_TESTABLE", {}).items():
            rules[rid] = replace(rules[rid], not_testable=why)
    # Every message a response carries: each route's, and an error's Status.
    seed_responses = {r.response for r in routes() if r.rpc in seed_rpcs()}
    for schema_name in dict.fromkeys([*(r.response for r in routes()), "Operation", "Status"]):
        rid = f"wire.schema.{schema_name}"
        source = "seed" if schema_name in {*seed_responses, "Operation", "Status"} else "live"
        rules[rid] = Rule(rid, "*", f"every {schema_name} a response carries matches its schema",
                          source)  # fmt: skip
    return rules


@cache
def seed_rpcs() -> frozenset[str]:
    """The RPCs of the seed's route table (today's service has more)."""
    return frozenset(r.rpc for r in routes(profile="seed"))


def seed_fields(message: str) -> set[str]:
    """The fields of ``message`` as the seed documents it (and its oneof, ``source``)."""
    return {*schema(message, profile="seed").get("properties", {}), "source"}


def rule(rule_id: str) -> Rule:
    try:
        return catalogue()[rule_id]
    except KeyError:
        raise KeyError(f"no documented rule {rule_id!r} in the catalogue") from None
