"""The ``standard-images`` catalogue, read once from the package's data file."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from ._core.model import Image
from ._core.seed import Catalogue, catalogue_from_json

__all__ = ["CATALOGUE_FILE", "catalogue", "catalogue_data", "standard_images"]

CATALOGUE_FILE = "data/standard_images.json"  # inside the package (and the wheel)


def catalogue_data() -> dict[str, Any]:
    """The catalogue file's JSON, freshly parsed (callers may change it)."""
    text = files("pytest_yc_images").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def catalogue() -> Catalogue:
    """The catalogue, read and indexed once per process and shared by every fake."""
    return catalogue_from_json(catalogue_data())


def standard_images() -> list[Image]:
    """Fresh copies of the catalogue's images, oldest first."""
    return catalogue().images()
