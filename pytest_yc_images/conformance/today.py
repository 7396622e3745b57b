"""The documented rules of today's ImageService beside the seed's (issue "Today's
ImageService"), row by row: each cites the live proto (``live/*.proto``) or the reference
page (``docs:en/...``) it comes from. :mod:`.rules` adds them to its catalogue.
"""

from __future__ import annotations

__all__ = ["TODAY"]

# id, method, source, quote[, profiles: "*", "live" or "seed" when not the default]
TODAY: list[tuple[str, ...]] = [
    # Today's ImageService, row by row (issue "Today's ImageService"); each rule cites the
    # live proto (live/*.proto) or the reference page it comes from.
    # -- listing: orderBy and the filter grammar
    (
        "live.filter-and",
        "ImageService.List",
        "live/image_service.proto",
        "The expression consists of one or more conditions united by `AND` operator: "
        "`<condition1> [AND <condition2> [<...> AND <conditionN>]]`.",
    ),
    (
        "live.filter-not-equal",
        "ImageService.List",
        "live/image_service.proto",
        "`<operator>` is a logical operator, one of `=`, `!=`, `IN`, `NOT IN`.",
    ),
    (
        "live.filter-in",
        "ImageService.List",
        "live/image_service.proto",
        "`<operator>` is a logical operator, one of `=`, `!=`, `IN`, `NOT IN`.",
    ),
    (
        "live.filter-not-in",
        "ImageService.List",
        "live/image_service.proto",
        "`<operator>` is a logical operator, one of `=`, `!=`, `IN`, `NOT IN`.",
    ),
    (
        "live.filter-single-quotes",
        "ImageService.List",
        "live/image_service.proto",
        "String values should be written in double (`\"`) or single (`'`) quotes.",
    ),
    (
        "live.filter-escapes",
        "ImageService.List",
        "live/image_service.proto",
        "C-style escape sequences are supported (`\\\"` turns to `\"`, `\\'` to `'`, `\\\\` "
        "to backslash).",
    ),
    (
        "live.order-by",
        "ImageService.List",
        "live/image_service.proto",
        "By which column the listing should be ordered and in which direction, format is "
        '"createdAt desc".',
    ),
    (
        "live.order-by-default",
        "ImageService.List",
        "live/image_service.proto",
        '"id asc" if omitted.',
    ),
    (
        "live.order-by-ascending",
        "ImageService.List",
        "live/image_service.proto",
        "The default sorting order is ascending",
    ),
    (
        "live.order-by-length",
        "ImageService.List",
        "live/image_service.proto",
        'format is "createdAt desc". "id asc" if omitted. [...] The length must be '
        "less than or equal to 100.",
    ),
    (
        "list.filter-seed-value",
        "ImageService.List",
        "seed",
        "The expression must specify: 1. The field name. [...] 2. An = operator. 3. The value "
        'in double quotes ("). Must be 3-63 characters long and match the regular expression '
        "[a-z]([-a-z0-9]{,61}[a-z0-9])?.",
        "seed",
    ),
    # -- create: sources, hardware generation, sizes, kmsKey, minDiskSize
    (
        "create.source-required",
        "ImageService.Create",
        "live",
        'the same oneof, "Only one field must by specified"; the proto carried '
        "`option (exactly_one) = true` on it from 2018 until the annotations became "
        "comments in 2026: **a Create with no source is INVALID_ARGUMENT**, in both "
        "profiles",
        "*",
    ),
    (
        "create.hardware-generation",
        "ImageService.Create",
        "live/image_service.proto",
        "Specify the overrides to hardware_generation of a source disk, image or "
        "snapshot, or to the default values if the source does not define it.",
    ),
    (
        "image.hardware-generation",
        "ImageService.Get",
        "live/image.proto",
        "If specified, forces the same HardwareGeneration features to be applied to "
        "the instance created using this image as a source for the boot disk. "
        "Otherwise the current default will be used.",
    ),
    (
        "image.size",
        "ImageService.Get",
        "live/image.proto",
        "The total size of the image, specified in bytes.",
    ),
    (
        "create.min-disk-size",
        "ImageService.Create",
        "live/image_service.proto",
        "Minimum size of the disk that will be created from this image. Specified in "
        "bytes. Should be more than the volume of source data.",
        "*",
    ),
    (
        "update.min-disk-size",
        "ImageService.Update",
        "live/image_service.proto",
        "Minimum size of the disk that can be created from this image. Specified in "
        "bytes. Should be more than the volume of source data and more than the "
        "virtual disk size.",
        "*",
    ),
    # -- operations: cancel, done, idempotency, timestamps
    (
        "operations.cancel-get",
        "OperationService.Cancel",
        "live/operation_service.proto",
        "Cancels the specified operation. [...] rpc Cancel(CancelOperationRequest) "
        "returns (Operation) { option (google.api.http) = { get: "
        '"/operations/{operation_id}:cancel" };',
        "*",
    ),
    (
        "operations.cancel-post",
        "OperationService.Cancel",
        "docs:en/api-design-guide/concepts/operation.md",
        'option (google.api.http) = { post: "/operations/{operation_id}:cancel" }; [...] In '
        "response, the server returns the Operation object with the current status of the "
        "operation being canceled.",
        "*",
    ),
    (
        "operations.cancel-best-effort",
        "OperationService.Cancel",
        "docs:en/api-design-guide/concepts/operation.md",
        "The Cancel method works on the Best Effort basis. Calling the method does not "
        "guarantee that the operation will be canceled.",
        "*",
    ),
    (
        "operations.idempotency-key-first-operation",
        "ImageService.Update",
        "docs:en/api-design-guide/concepts/idempotency.md",
        "When the service receives your request with the Idempotency-Key header, it checks "
        "whether an operation with this UUID has already been created. If so, the server "
        "returns the Operation object with this operation's current status.",
        "*",
    ),
    # -- names and the public catalogue
    (
        "live.name-underscore",
        "ImageService.Update",
        "live/image_service.proto",
        "Name of the image. The value must match the regular expression: "
        "`|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?`.",
    ),
    (
        "seed.name-pattern",
        "ImageService.Update",
        "seed",
        "Name of the image. Value must match the regular expression "
        "|[a-z]([-a-z0-9]{0,61}[a-z0-9])?.",
        "seed",
    ),
    (
        "live.catalogue-families",
        "ImageService.GetLatestByFamily",
        "docs:en/compute/operations/images-with-pre-installed-software/",
        "the public folder standard-images holds today's families: ubuntu-2404-lts, "
        "ubuntu-2204-lts, ubuntu-2004-lts, debian-12, debian-11, container-optimized-image, "
        "windows-2022-dc-gvlk (docs: image-family=windows-2022-dc-gvlk)",
    ),
    (
        "live.catalogue-gen2-gpu",
        "ImageService.GetLatestByFamily",
        "docs:en/compute/concepts/hardware-generations.md",
        "the image recommended for gpu-standard-v3i (ubuntu-2004-lts-secureboot-cuda-12-2) "
        "has the Gen 2 hardware generation assigned to it",
    ),
]
