"""Documented rules of ImageService, operations: the lifecycle (states in flight),
idempotency, authentication, IDs.

Rows of the catalogue (:mod:`.rules` adds them): id, method, source, the documentation's
words[, profiles]. Added where mutation testing (``tools/mutation/run.py``) found
documented behaviour no contract checked.
"""

from __future__ import annotations

__all__ = ["NOT_TESTABLE", "RULES"]

RULES: list[tuple[str, ...]] = [
    (
        "operations.fields",
        "OperationService.Get",
        "api.md",
        "An `Operation` has `id`, `description`, `createdAt`, `createdBy`, `modifiedAt`, "
        "`done`, `metadata`, and once done exactly one of `error` (a `google.rpc.Status`) "
        "or `response`.",
    ),
    (
        "operations.created-by",
        "OperationService.Get",
        "seed",
        "created_at google.protobuf.Timestamp Creation timestamp. created_by string ID of the "
        "user or service account who initiated the operation. modified_at "
        "google.protobuf.Timestamp The time when the Operation resource was last modified.",
    ),
    (
        "operations.result-oneof",
        "OperationService.Get",
        "seed",
        "If done == false and there was no failure detected, neither error nor response is "
        "set. If done == false and there was a failure detected, error is set. If done == "
        "true, exactly one of error or response is set.",
    ),
    (
        "operations.response-resource",
        "OperationService.Get",
        "seed",
        "If the original method returns no data on success, such as Delete, the response is "
        "google.protobuf.Empty. If the original method is the standard Create/Update, the "
        "response should be the target resource of the operation.",
    ),
    (
        "operations.error-cancelled",
        "OperationService.Cancel",
        "seed",
        "error google.rpc.Status The error result of the operation in case of failure or "
        "cancellation.",
    ),
    (
        "create.cancellable",
        "ImageService.Create",
        "seed",
        "Method starts an asynchronous operation that can be cancelled while it is in progress.",
    ),
    (
        "create.metadata",
        "ImageService.Create",
        "seed",
        "CreateImageMetadata Field Description image_id string ID of the image that "
        "is being created.",
    ),
    (
        "update.metadata",
        "ImageService.Update",
        "seed",
        "UpdateImageMetadata Field Description image_id string ID of the Image "
        "resource that is being updated.",
    ),
    (
        "delete.metadata",
        "ImageService.Delete",
        "seed",
        "DeleteImageMetadata Field Description image_id string ID of the image that "
        "is being deleted.",
    ),
    ("states.creating", "ImageService.Get", "seed", "CREATING: Image is being created."),
    ("states.deleting", "ImageService.Get", "seed", "DELETING: Image is being deleted."),
    (
        "states.error",
        "ImageService.Get",
        "seed",
        "ERROR: Image encountered a problem and cannot operate.",
    ),
    (
        "ids.shape",
        "*",
        "api.md",
        "IDs are 20 characters of `[a-z0-9]`, starting with a 3-character prefix (images in "
        "the default region look like `fd8...`).",
    ),
    (
        "errors.request-info",
        "*",
        "api.md",
        "Request ids: clients may send `X-Request-Id` / `X-Client-Request-Id`; the service "
        "echoes a request id in `RequestInfo`.",
    ),
    (
        "operations.separate-host",
        "OperationService.Get",
        "docs:en/compute/api-ref/Operation/get.md",
        "https://operation.api.cloud.yandex.net/operations/{id} (a separate host from "
        "compute.api.cloud.yandex.net)",
    ),
]

# Rules no contract can check, and why (the lead adds them to the catalogue's not_testable).
NOT_TESTABLE: dict[str, str] = {
    "states.error": "no documented request makes an image fail: an ERROR image cannot be "
    "produced on purpose",
    "operations.separate-host": "the suite reaches a target by the endpoints it is given "
    "(--operation-endpoint); which host serves operations is the deployment's, not a reply's",
}
