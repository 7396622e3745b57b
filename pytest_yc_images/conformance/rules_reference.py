"""Documented rules found reading the reference sentence by sentence (issue 17, "Coverage
of the documentation"): the seed, API.md, LIVE.md and today's protos (``live/*.proto``),
each sentence that states behaviour and that no other module's rule quoted yet.

Rows of the catalogue (:mod:`.rules` adds them): id, method, source, the documentation's
words[, profiles]. ``NOT_TESTABLE``: rules of this module no contract can check, with why.
"""

from __future__ import annotations

__all__ = ["NOT_TESTABLE", "RULES"]

SEED = "seed"
API = "api.md"
LIVE_SERVICE = "live/image_service.proto"
GET = "ImageService.Get"
CREATE = "ImageService.Create"
LIST = "ImageService.List"
UPDATE = "ImageService.Update"
DELETE = "ImageService.Delete"
LIST_OPS = "ImageService.ListOperations"
OP_GET = "OperationService.Get"
OP_CANCEL = "OperationService.Cancel"

RULES: list[tuple[str, ...]] = [
    # --- resources a request refers to ---------------------------------------------------
    (
        "get.id-from-list",
        GET,
        SEED,
        "Required. ID of the Image resource to return. To get the image ID, use a"
        " ImageService.List request.",
    ),
    (
        "get.list-request",
        GET,
        SEED,
        "To get the list of available Image resources, make a List request.",
    ),
    ("update.image-id", UPDATE, SEED, "Required. ID of the Image resource to update."),
    ("delete.image-id", DELETE, SEED, "Required. ID of the image to delete."),
    (
        "list-operations.image-id",
        LIST_OPS,
        SEED,
        "Required. ID of the Image resource to list operations for.",
    ),
    (
        "operations.get-returns",
        OP_GET,
        "live/operation_service.proto",
        "Returns the specified Operation resource.",
        "*",
    ),
    (
        "operations.cancel-id",
        OP_CANCEL,
        "live/operation_service.proto",
        "ID of the operation to cancel.",
        "*",
    ),
    (
        "create.source-not-ready",
        CREATE,
        SEED,
        "CREATING: Image is being created. READY: Image is ready to use.",
    ),
    # --- what a Create makes, and the fields of the image it shows ---------------------------
    (
        "create.sources",
        CREATE,
        SEED,
        "You can create an image from a disk, snapshot, other image or URI.",
    ),
    ("create.folder", CREATE, SEED, "ID of the folder to create an image in."),
    ("update.updates-image", UPDATE, SEED, "Updates the specified image."),
    ("delete.deletes-image", DELETE, SEED, "Deletes the specified image."),
    ("image.id", GET, SEED, "id string ID of the image."),
    ("image.folder-id", GET, SEED, "folder_id string ID of the folder that the image belongs to."),
    ("image.name", GET, SEED, "name string Name of the image. 1-63 characters long."),
    (
        "image.description",
        GET,
        SEED,
        "description string Description of the image. 0-256 characters long.",
    ),
    (
        "image.labels",
        GET,
        SEED,
        "labels map<string,string> Resource labels as key:value pairs. Maximum of 64 per resource.",
    ),
    (
        "image.family",
        GET,
        SEED,
        "family string The name of the image family to which this image belongs.",
    ),
    (
        "image.family-latest",
        "ImageService.GetLatestByFamily",
        SEED,
        "You can get the most recent image from a family by using the"
        " yandex.cloud.compute.v1.ImageService.GetLatestByFamily request",
    ),
    (
        "create.family-latest",
        "ImageService.GetLatestByFamily",
        SEED,
        "To get an information about the most recent image from a family, use a"
        " ImageService.GetLatestByFamily request.",
    ),
    (
        "image.min-disk-size",
        GET,
        SEED,
        "min_disk_size int64 Minimum size of the disk which will be created from this image.",
    ),
    ("image.status", GET, SEED, "status enum Status Current status of the image."),
    (
        "image.pooled",
        GET,
        SEED,
        "pooled bool When true, indicates there is an image pool for fast creation disks from"
        " the image.",
    ),
    (
        "image.storage-size-live",
        GET,
        "live/image.proto",
        "The storage size of the image, specified in bytes.",
    ),
    (
        "image.product-ids-charges",
        GET,
        SEED,
        "License IDs are used to calculate additional charges for the use of the virtual machine.",
    ),
    (
        "image.os-cost",
        GET,
        SEED,
        "This field is used to correctly emulate a vCPU and calculate the cost of using an"
        " instance.",
    ),
    (
        "create.product-ids-lost",
        CREATE,
        SEED,
        "For example, if you create a disk image using a third-party utility and load it into"
        " Object Storage, the license IDs will be lost.",
    ),
    (
        "create.uri-formats",
        CREATE,
        SEED,
        "Currently only supports Qcow2, VMDK, and VHD formats.",
        "seed",
    ),
    (
        "live.uri-formats",
        CREATE,
        LIVE_SERVICE,
        "Currently only supports Qcow2, VMDK, and RAW image formats.",
    ),
    (
        "image.kms-key-fields",
        GET,
        "live/kek.proto",
        "ID of KMS symmetric key [...] Version of KMS symmetric key",
    ),
    # --- hardware generations: fixed to an image --------------------------------------------
    (
        "live.hardware-generation-fixed",
        UPDATE,
        "live/hardware_generation.proto",
        "they are fixed to an image and are applied to all instances created with it as their"
        " boot disk image. These features significantly determine how the instance is"
        " created, thus cannot be changed after the fact.",
    ),
    (
        "live.hardware-legacy",
        GET,
        "live/hardware_generation.proto",
        "A first hardware generation, by default compatible with all legacy images. Allows"
        " switching to PCI_TOPOLOGY_V2 and back.",
    ),
    (
        "live.hardware-generation2",
        GET,
        "live/hardware_generation.proto",
        "A second hardware generation, which by default assumes PCI_TOPOLOGY_V2 and UEFI boot"
        " (with UEFI related features).",
    ),
    # --- listing -------------------------------------------------------------------------------
    ("list.images", LIST, SEED, "images[] Image List of images."),
    (
        "list.page-token",
        LIST,
        SEED,
        "Page token. To get the next page of results, set page_token to the"
        " ListImagesResponse.next_page_token returned by a previous list request.",
    ),
    (
        "list.next-page-token-each",
        LIST,
        SEED,
        "Each subsequent list request will have its own next_page_token to continue paging"
        " through the results.",
    ),
    (
        "live.filter-limited-fields",
        LIST,
        LIVE_SERVICE,
        "Currently you can use filtering only on the limited number of fields.",
    ),
    (
        "list-operations.operations",
        LIST_OPS,
        SEED,
        "operations[] operation.Operation List of operations for the specified image.",
    ),
    (
        "list-operations.page-token",
        LIST_OPS,
        SEED,
        "set page_token to the ListImageOperationsResponse.next_page_token returned by a"
        " previous list request.",
    ),
    # --- operations: fields, states in flight ----------------------------------------------------
    ("operations.id", OP_GET, SEED, "id string ID of the operation."),
    (
        "operations.description",
        OP_GET,
        SEED,
        "description string Description of the operation. 0-256 characters long.",
    ),
    (
        "operations.metadata-target",
        OP_GET,
        SEED,
        "Service-specific metadata associated with the operation. It typically contains the ID"
        " of the target resource that the operation is performed on.",
    ),
    (
        "operations.response-success",
        OP_GET,
        SEED,
        "response google.protobuf.Any<Image> if operation finished successfully.",
    ),
    (
        "operations.response-type",
        OP_GET,
        SEED,
        "Any method that returns a long-running operation should document the response type,"
        " if any.",
    ),
    (
        "operations.in-flight-neither",
        OP_GET,
        API,
        "While `done` is false neither is set (an `error` may appear early while the service"
        " rolls back).",
    ),
    (
        "operations.in-flight-states",
        GET,
        API,
        "the image shows `CREATING` (or `DELETING`) until the operation finishes.",
    ),
    (
        "operations.done-false-shown",
        OP_GET,
        "live",
        'the reference\'s example replies show `"done": false` on a running operation',
    ),
    (
        "operations.cancel-object-storage",
        OP_CANCEL,
        "live/operation_service.proto",
        "Note that currently Object Storage API does not support cancelling operations.",
    ),
    # --- the wire, endpoints, IDs -------------------------------------------------------------
    (
        "wire.operation-not-resource",
        "*",
        API,
        "Create, Update and Delete return an `Operation`, not the resource.",
    ),
    (
        "wire.forward-compatible",
        "*",
        API,
        "a contract must let an implementation return fields it does not know (forward"
        " compatible).",
    ),
    (
        "wire.endpoints",
        "*",
        API,
        "over gRPC (`compute.api.cloud.yandex.net:443`) and over REST/JSON through a gateway"
        " (`https://compute.api.cloud.yandex.net`).",
    ),
    (
        "wire.endpoint-discovery",
        "*",
        API,
        "Endpoints are discovered by the official SDKs through"
        " `yandex.cloud.endpoint.ApiEndpointService/List` on `api.cloud.yandex.net:443`.",
    ),
    ("ids.folder-shape", "*", API, "Folder IDs look like `b1g...`."),
    # --- who may write where: the access-binding RPCs of today's service -------------------------
    (
        "live.access-list",
        "ImageService.ListAccessBindings",
        LIVE_SERVICE,
        "Lists access bindings for the image.",
    ),
    (
        "live.access-set",
        "ImageService.SetAccessBindings",
        LIVE_SERVICE,
        "Sets access bindings for the image.",
    ),
    (
        "live.access-update",
        "ImageService.UpdateAccessBindings",
        LIVE_SERVICE,
        "Updates access bindings for the image.",
    ),
    (
        "live.access-routes",
        "ImageService.ListAccessBindings",
        "live",
        "`GET /compute/v1/images/{resourceId}:listAccessBindings`, `POST"
        " …:setAccessBindings`, `POST …:updateAccessBindings`",
    ),
    (
        "live.access-page-size",
        "ImageService.ListAccessBindings",
        "live/access.proto",
        "The maximum number of results per page that should be returned. [...] Default value: 100.",
    ),
    (
        "live.access-all-users",
        "ImageService.SetAccessBindings",
        "live/access.proto",
        "`allUsers`: A special public group that represents anyone. No authentication is required.",
    ),
    (
        "live.access-deltas",
        "ImageService.UpdateAccessBindings",
        "live/access.proto",
        "Updates to access bindings. [...] Addition of an access binding. [...] Removal of an"
        " access binding.",
    ),
]

_STORAGE = (
    "needs a file in Object Storage behind a pre-signed URL, which a conformance run has no"
    " way to make"
)
_INSTANCES = (
    "about the instances made from an image (their vCPU, boot, PCI topology, cost), which"
    " ImageService does not show"
)
NOT_TESTABLE: dict[str, str] = {
    "create.source-not-ready": "what a Create naming a source that is not READY answers is"
    " not written anywhere (the states are; the suite asserts only documented behaviour)",
    "create.sources": "a disk, a snapshot or an Object Storage file as the source needs"
    " resources a conformance run has no way to make (an image source is checked under"
    " create.source-exists)",
    "image.product-ids-charges": "billing: charges are not visible through ImageService",
    "image.os-cost": _INSTANCES,
    "live.hardware-legacy": _INSTANCES,
    "live.hardware-generation2": _INSTANCES,
    "create.product-ids-lost": _STORAGE,
    "create.uri-formats": _STORAGE,
    "live.uri-formats": _STORAGE,
    "image.kms-key-fields": "needs an encrypted disk or snapshot as the source, which a"
    " conformance run has no way to make",
    "operations.done-false-shown": "timing: whether an operation is still running when the"
    " suite reads it is the target's (the fake may finish at once); a running reply that"
    " omits done reads as false in proto3 JSON",
    "operations.cancel-object-storage": "about Object Storage's API, not Compute's",
    "wire.forward-compatible": "a rule for the suite itself: its schemas accept fields they"
    " do not name, so no reply can break it",
    "wire.endpoints": "the suite reaches a target by the endpoints it is given; which host"
    " serves is the deployment's, not a reply's",
    "wire.endpoint-discovery": "endpoint discovery is the SDKs' and the cloud's, outside"
    " ImageService",
    "ids.folder-shape": "folders are given to the suite, not made by the target: no reply"
    " of ImageService makes a folder ID",
}
