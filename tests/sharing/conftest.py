"""Fixtures of the sharing tests: a client of the three RPCs, and an image to bind."""

from __future__ import annotations

import httpx
import pytest

from pytest_yc_images import FakeImageService
from tests.conftest import FOLDER
from tests.sharing.bindings_api import Sharing


@pytest.fixture
def sharing(client: httpx.Client) -> Sharing:
    return Sharing(client)


@pytest.fixture
def image(fake: FakeImageService) -> str:
    return str(fake.put_image(folderId=FOLDER, name="golden")["id"])
