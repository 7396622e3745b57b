"""Documented rules of ImageService, requests: listing, filters, paging, update masks,
malformed bodies, who may write where.

Rows of the catalogue (:mod:`.rules` adds them): id, method, source, the documentation's
words[, profiles]. Added where mutation testing (``tools/mutation/run.py``) found
documented behaviour no contract checked.
"""

from __future__ import annotations

__all__ = ["RULES"]

RULES: list[tuple[str, ...]] = [
    # -- paging
    (
        "list.page-size-default",
        "ImageService.List",
        "api.md",
        "pageSize: 0 to 1000, default 100 when 0 or absent.",
    ),
    (
        "list.last-page",
        "ImageService.List",
        "api.md",
        "An empty List page is {}; the last page has no nextPageToken.",
    ),
    (
        "list.empty-page",
        "ImageService.List",
        "api.md",
        "Fields at their default value (empty string, 0, false, empty list or map) are left "
        "out of responses. An empty List page is {}",
    ),
    # -- update masks
    (
        "update.no-mask-all-fields",
        "ImageService.Update",
        "docs:en/compute/api-ref/Image/update.md",
        "If updateMask is not sent in the request, all fields' values will be updated. Fields "
        "specified in the request will be updated to provided values.",
    ),
    (
        "update.no-mask-rest-reset",
        "ImageService.Update",
        "docs:en/compute/api-ref/Image/update.md",
        "If updateMask is not sent in the request, [...] The rest of the fields will be reset "
        "to the default.",
    ),
    (
        "update.mask-json-names",
        "ImageService.Update",
        "api.md",
        "Field names are lowerCamelCase (`folder_id` -> `folderId`, `min_disk_size` "
        "-> `minDiskSize`). [...] `google.protobuf.FieldMask` in REST is one "
        'comma-separated string: `"updateMask": "name,labels"`.',
    ),
    (
        "update.mask-unknown-field",
        "ImageService.Update",
        "seed",
        "Field mask that specifies which fields of the Image resource are going to be updated.",
    ),
    # -- bodies, int64, tokens, the public folder
    (
        "wire.malformed-body",
        "*",
        "docs:en/_includes/errors-handling.md",
        "3 INVALID_ARGUMENT 400: Incorrect request parameters specified. Details are provided "
        "in the details field. (API.md: REST/JSON through a gateway: every body is JSON)",
        "*",
    ),
    (
        "wire.int64-number-accepted",
        "*",
        "api.md",
        'int64/uint64 values are decimal strings ("storageSize": "2147483648"); a reader '
        "accepts a number too.",
    ),
    (
        "auth.bearer",
        "*",
        "api.md",
        "Authentication: `Authorization: Bearer <IAM token>` on every call (gRPC: the"
        " `authorization` metadata key). Missing or bad token: UNAUTHENTICATED.",
    ),
    (
        "access.public-readable",
        "*",
        "api.md",
        "Public images live in the folder standard-images and are readable by every account",
    ),
    (
        "access.public-read-only",
        "ImageService.Create",
        "api.md",
        "Public images live in the folder `standard-images` and are readable by every account",
    ),
    (
        "wire.request-id-echo",
        "*",
        "api.md",
        "Request ids: clients may send X-Request-Id / X-Client-Request-Id; the service echoes "
        "a request id in RequestInfo.",
    ),
    (
        "create.os-nvidia",
        "ImageService.Create",
        "live/image.proto",
        "Operating system type. The default is `LINUX`. [...] Gpu type. [...] Gpu driver version.",
    ),
]
