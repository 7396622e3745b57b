"""The official SDK's page (docs/sdk.md, which took over the README's SDK section) keeps
what users of the SDK need: an example that uses the SDK as they do, the extra to install
and why the CA must be passed. tests/docs/ runs the page's examples; this checks what
they show and what the page says."""

from __future__ import annotations

from tests import _downstream as readme

SDK_PAGE = readme.DOCS / "sdk.md"


def _page() -> str:
    return SDK_PAGE.read_text("utf-8")


def _examples() -> str:
    """Every python block of the page that uses the yc_grpc fixture, together."""
    blocks = [b for b in readme.python_blocks(_page()) if "yc_grpc" in b]
    assert blocks, "docs/sdk.md has no python example using yc_grpc"
    return "\n".join(blocks)


def test_the_sdk_page_examples_use_the_sdk_as_users_do() -> None:
    examples = _examples()
    for used in (
        "yandexcloud.SDK(",
        "root_certificates=",
        "sdk.client(ImageServiceStub)",
        "wait_operation_and_get_result(",
        "grpc-status-details-bin",
    ):
        assert used in examples, f"docs/sdk.md's examples do not show {used}"


def test_the_sdk_page_says_how_to_install_the_extra_and_why_to_pass_the_ca() -> None:
    page = _page()
    for said in ("pytest-yc-images[grpc]", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"):
        assert said in page
