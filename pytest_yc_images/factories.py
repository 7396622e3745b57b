"""Builders of valid images and requests, checked against the contract schemas of a
profile (``"live"``, the default, or ``"seed"``; an ``ImageFactory`` on a fake takes the
fake's)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from ._contracts import DEFAULT_PROFILE, check_profile, validator
from ._control_checks import ControlError, refusal
from ._controls import SEED_HAS_NO_BINDINGS, binding_body
from ._core.clock import DEFAULT_EPOCH
from ._fake import FakeImageService
from ._schema_model import message as schema_model
from ._wire import encode_time
from .errors import FieldViolation

__all__ = ["TRAITS", "ImageFactory", "RequestFactory"]

_GIB = 1024**3
_ALPHABET = "abcdefghijklmnopqrstuv0123456789"

TRAITS: dict[str, dict[str, Any]] = {
    "linux": {"os": {"type": "LINUX"}},
    "windows": {
        "os": {"type": "WINDOWS"},
        "productIds": ["f2erln76ocjn0sph3v9a"],
        "storageSize": str(19 * _GIB),
        "minDiskSize": str(50 * _GIB),
    },
    "pooled": {"pooled": True},
}
# One trait per image status the schema names: creating, ready, error, deleting.
_STATUS = next(c for c in schema_model("Image").constraints if c.rule == "Image.status.enum")
TRAITS |= {status.lower(): {"status": status} for status in _STATUS.limit}


def _checked(message: str, document: dict[str, Any], profile: str) -> dict[str, Any]:
    errors = sorted(validator(message, profile).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        where = ".".join(map(str, errors[0].absolute_path)) or "(root)"
        raise ValueError(f"not a valid {message} ({profile} profile): {where}: {errors[0].message}")
    return document


def _id(prefix: str, number: int) -> str:
    tail = ""
    while number:
        number, digit = divmod(number, len(_ALPHABET))
        tail = _ALPHABET[digit] + tail
    return prefix + tail.rjust(17, "0")


class ImageFactory:
    """Valid ``Image`` documents (the JSON mapping), optionally stored in a fake.

    Names are unique by sequence (``image-1``, ``image-2``, ...); ``createdAt`` moves
    forward by a second per image, so "newest" is always well defined. Traits:
    ``linux``, ``windows``, ``pooled``, ``creating``, ``ready``, ``error``, ``deleting``.
    Overrides use the JSON names (``folderId``, ``minDiskSize``, ...) and win over traits.
    Images are checked against ``profile``'s ``Image`` schema: the fake's profile, else
    ``"live"``. ``create(..., shared_with=[...])`` also gives the stored image access
    bindings, in the forms :meth:`FakeImageService.put_bindings` takes
    (``"userAccount:ID"`` grants ``compute.images.user``; ``("viewer", "userAccount:ID")``;
    a binding mapping).
    """

    def __init__(
        self,
        fake: FakeImageService | None = None,
        *,
        folder_id: str = "b1gfactory0000000000",
        name_prefix: str = "image",
        profile: str | None = None,
    ) -> None:
        default = fake.profile if fake is not None else DEFAULT_PROFILE
        self.profile = check_profile(default if profile is None else profile)
        self.fake = fake
        self.folder_id = folder_id
        self.name_prefix = name_prefix
        self._numbers = itertools.count(1)

    def build(self, *traits: str, **overrides: Any) -> dict[str, Any]:
        """A valid image that is not stored anywhere."""
        if "shared_with" in overrides:
            raise TypeError("shared_with= gives a stored image bindings: use create()")
        number = next(self._numbers)
        image: dict[str, Any] = {
            "id": _id("fd8", number),
            "folderId": self.folder_id,
            "createdAt": encode_time(DEFAULT_EPOCH - 86_400 + number),
            "name": f"{self.name_prefix}-{number}",
            "storageSize": str(2 * _GIB),
            "minDiskSize": str(5 * _GIB),
            "status": "READY",
            "os": {"type": "LINUX"},
        }
        for trait in traits:
            try:
                image.update(TRAITS[trait])
            except KeyError:
                raise ValueError(f"unknown trait {trait!r}; known: {', '.join(TRAITS)}") from None
        image.update(overrides)
        kept = {k: v for k, v in image.items() if v not in (None, "", [], {})}
        return _checked("Image", kept, self.profile)

    def create(
        self, *traits: str, shared_with: Iterable[Any] | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """Build an image and put it straight into the fake (no operation); with
        ``shared_with``, its access bindings too (checked before anything is stored)."""
        if self.fake is None:
            raise RuntimeError("this ImageFactory has no fake to put images into")
        built = self.build(*traits, **overrides)
        if "id" not in overrides:
            del built["id"]  # the fake issues a fresh one: factories never collide
        if shared_with is not None:
            shared_with = _checked_bindings(shared_with)
            if shared_with and self.fake.profile == "seed":
                raise refusal([FieldViolation("shared_with", SEED_HAS_NO_BINDINGS)])
        image = self.fake.put_image(**built)
        if shared_with:
            self.fake.put_bindings(image["id"], shared_with)
        return image

    def family(self, family: str, *, versions: int = 3, **overrides: Any) -> list[dict[str, Any]]:
        """``versions`` images of one family, oldest first (stored if the factory has a fake)."""
        make = self.create if self.fake is not None else self.build
        return [
            make(family=family, name=f"{family}-v{version}", **overrides)
            for version in range(1, versions + 1)
        ]


def _checked_bindings(specs: Iterable[Any]) -> list[dict[str, Any]]:
    """``shared_with`` in the JSON mapping, checked as ``put_bindings`` checks it; a
    ControlError names the item (``shared_with[1].subject.type``)."""
    try:
        bindings: list[dict[str, Any]] = binding_body("-", specs)["accessBindings"]
    except ControlError as error:
        renamed = [
            FieldViolation(v.field.replace("accessBindings", "shared_with", 1), v.description)
            for v in error.violations
        ]
        raise refusal(renamed) from None
    return bindings


class RequestFactory:
    """Valid request messages of ``profile`` (``"live"`` by default): Create (from an https
    ``uri`` unless told otherwise), Update and List. Names are unique by sequence; a request
    the profile refuses (a name with ``_`` in ``seed``) is a ValueError naming the field."""

    def __init__(
        self,
        *,
        folder_id: str = "b1gfactory0000000000",
        name_prefix: str = "image",
        profile: str = DEFAULT_PROFILE,
    ) -> None:
        self.profile = check_profile(profile)
        self.folder_id = folder_id
        self.name_prefix = name_prefix
        self._numbers = itertools.count(1)

    def create_image(self, **overrides: Any) -> dict[str, Any]:
        number = next(self._numbers)
        request: dict[str, Any] = {
            "folderId": self.folder_id,
            "name": f"{self.name_prefix}-{number}",
        }
        if not set(schema_model("CreateImageRequest", self.profile).oneofs["source"]) & set(
            overrides
        ):
            request["uri"] = (
                f"https://storage.yandexcloud.net/images/{self.name_prefix}-{number}.qcow2"
            )
        request.update(overrides)
        return _checked("CreateImageRequest", request, self.profile)

    def update_image(self, image_id: str, **overrides: Any) -> dict[str, Any]:
        request = {"imageId": image_id, **overrides}
        return _checked("UpdateImageRequest", request, self.profile)

    def list_images(self, **overrides: Any) -> dict[str, Any]:
        request = {"folderId": self.folder_id, **overrides}
        return _checked("ListImagesRequest", request, self.profile)
