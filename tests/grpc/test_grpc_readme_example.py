"""The README's "Testing code that uses the official SDK" example runs, and passes."""

from __future__ import annotations

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

# In-process pytester runs drop the modules they imported when they end; cryptography
# (under trustme) cannot be imported twice in one process. Import the face out here.
import pytest_yc_images.faces.grpc  # noqa: F401
from tests import _downstream as readme

HEADING = "## Testing code that uses the official SDK"


def _section() -> str:
    return readme.section(HEADING)


def _example() -> str:
    return readme.example(HEADING)


def test_the_readme_sdk_example_passes(pytester: pytest.Pytester) -> None:
    readme.run_example(pytester, HEADING, "test_publish_sdk")


def test_the_readme_sdk_example_uses_the_sdk_as_users_do() -> None:
    example = _example()
    for used in (
        "yandexcloud.SDK(",
        "root_certificates=",
        "sdk.client(ImageServiceStub)",
        "wait_operation_and_get_result(",
        "yc_grpc",
        "grpc-status-details-bin",
    ):
        assert used in example


def test_the_readme_says_how_to_install_the_extra_and_why_to_pass_the_ca() -> None:
    section = _section()
    for said in ("pytest-yc-images[grpc]", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "sleeps 1 s"):
        assert said in section
