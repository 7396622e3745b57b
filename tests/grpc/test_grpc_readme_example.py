"""The README's "Testing code that uses the official SDK" example runs, and passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

# In-process pytester runs drop the modules they imported when they end; cryptography
# (under trustme) cannot be imported twice in one process. Import the face out here.
import pytest_yc_images.faces.grpc  # noqa: F401

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Testing code that uses the official SDK"

STRICT_INI = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings =
    error
"""


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    assert HEADING + "\n" in text, f"README.md has no {HEADING!r} section"
    body = text.split(HEADING + "\n", 1)[1]
    return re.split(r"^## ", body, maxsplit=1, flags=re.MULTILINE)[0]


def _example() -> str:
    match = re.search(r"^```python\n(.*?)^```$", _section(), re.DOTALL | re.MULTILINE)
    assert match is not None, f"no ```python block after {HEADING!r}"
    return match.group(1)


def test_the_readme_sdk_example_passes(pytester: pytest.Pytester) -> None:
    example = _example()
    tests = re.findall(r"^def (test_\w+)", example, re.MULTILINE)
    assert len(tests) >= 4
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_publish_sdk=example)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=len(tests))
    result.stdout.fnmatch_lines_random([f"*::{name} PASSED*" for name in tests])


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
