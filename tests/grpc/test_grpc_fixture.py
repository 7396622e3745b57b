"""The ``yc_grpc`` fixture, through pytester; the extra stays optional."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]

# In-process pytester runs drop the modules they imported when they end; cryptography
# (under trustme) cannot be imported twice in one process. Import the face out here.
with contextlib.suppress(ImportError):
    import pytest_yc_images.faces.grpc  # noqa: F401

STRICT_INI = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings =
    error
"""


def test_one_server_per_session_reset_for_each_test(pytester: pytest.Pytester) -> None:
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        test_it=textwrap.dedent(
            """
            import pytest
            from yandex.cloud.compute.v1.image_pb2 import Image
            from yandex.cloud.compute.v1.image_service_pb2 import (
                CreateImageMetadata, CreateImageRequest, ListImagesRequest)
            from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

            ENDPOINTS = set()

            def test_create(yc_grpc, yc_folder_id):
                ENDPOINTS.add(yc_grpc.endpoint)
                assert yc_grpc.endpoint.startswith("localhost:")
                assert yc_grpc.ca_path.read_bytes() == yc_grpc.ca_pem
                assert yc_grpc.ca_pem.startswith(b"-----BEGIN CERTIFICATE-----")
                images = yc_grpc.sdk.client(ImageServiceStub)
                op = images.Create(CreateImageRequest(
                    folder_id=yc_folder_id, name="x", uri="https://s.example/x.qcow2"))
                result = yc_grpc.sdk.wait_operation_and_get_result(
                    op, response_type=Image, meta_type=CreateImageMetadata)
                assert yc_grpc.fake.images(yc_folder_id)[0]["id"] == result.response.id

            def test_then_the_fake_is_fresh(yc_grpc, yc_server):
                ENDPOINTS.add(yc_grpc.endpoint)
                assert yc_grpc.fake is yc_server.fake
                assert yc_grpc.fake.journal.calls() == []
                assert len(ENDPOINTS) == 1

            @pytest.mark.yc_images(images=[{"name": "seeded"}])
            def test_the_marker_applies(yc_grpc, yc_folder_id):
                images = yc_grpc.sdk.client(ImageServiceStub)
                page = images.List(ListImagesRequest(folder_id=yc_folder_id))
                assert [i.name for i in page.images] == ["seeded"]
            """
        )
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_without_the_extra_the_fixture_skips_saying_what_to_install(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest("import sys\nsys.modules['grpc'] = None  # as if not installed\n")
    pytester.makepyfile(test_it="def test_sdk(yc_grpc):\n    pass\n")
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*pip install pytest-yc-images[[]grpc[]]*"])


def test_the_package_and_the_plugin_do_not_import_grpc() -> None:
    code = (
        "import sys, pytest_yc_images, pytest_yc_images.plugin, pytest_yc_images.cli\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('grpc', 'yandex', 'yandexcloud', 'trustme'))\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_only_the_sdk_waiters_own_deprecation_warning_is_ignored(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        test_it=textwrap.dedent(
            """
            import warnings
            from google.protobuf.empty_pb2 import Empty
            from yandex.cloud.compute.v1.image_service_pb2 import (
                CreateImageRequest, DeleteImageRequest)
            from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub

            def test_the_sdk_waits_under_filterwarnings_error(yc_grpc, yc_folder_id):
                images = yc_grpc.sdk.client(ImageServiceStub)
                op = images.Create(CreateImageRequest(
                    folder_id=yc_folder_id, name="x", uri="https://s.example/x.qcow2"))
                yc_grpc.sdk.wait_operation_and_get_result(op, response_type=Empty)

            def test_the_same_warning_from_elsewhere_still_fails():
                warnings.warn("Call to deprecated class RetryInterceptor", DeprecationWarning)
            """
        )
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["FAILED *test_the_same_warning_from_elsewhere_still_fails*"])
