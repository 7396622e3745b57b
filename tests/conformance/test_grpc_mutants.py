"""Over gRPC the suite still catches broken fakes: the bridge does not mask deviations.

Each run serves one broken variant of the fake over gRPC in this process and runs the
suite as shipped (plain pytest, ``--yc-grpc-endpoint``) against it, narrowed with -k and
stopped at the first failure, as test_mutants.py does over REST. Every mutant of
mutants.py that the gRPC face can show is run, plus breaks of the gRPC face itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance.cli import suite_path
from pytest_yc_images.errors import Code
from pytest_yc_images.faces import grpc as grpc_face
from pytest_yc_images.faces import grpc_codec

from . import mutants

FOLDER = "b1gconformancegrpc02"
# Mutants of the REST face only (rest._json_response, Reply.http_status, its routing): the
# gRPC face never runs that code, and protobuf would re-encode the JSON anyway.
REST_ONLY = {
    "bad-request-without-field-violations",
    "cancel-by-get-refused",  # an HTTP verb: gRPC has the one Cancel method
    "done-without-response",
    "error-body-without-code",
    "int64-as-json-numbers",
    "metadata-without-type",
    "not-found-as-http-400",
    "set-metadata-typed-as-update",  # rewrites the REST JSON answer
}
_FACE: dict[str, tuple[str, Callable[[pytest.MonkeyPatch], None]]] = {}


def _face_mutant(name: str, k: str) -> Callable[[Callable[[pytest.MonkeyPatch], None]], Any]:
    def register(patch: Callable[[pytest.MonkeyPatch], None]) -> Any:
        _FACE[name] = (k, patch)
        return patch

    return register


@_face_mutant("grpc-status-details-dropped", "past")
def _(mp: pytest.MonkeyPatch) -> None:
    """Errors without the grpc-status-details-bin trailer: no BadRequest to name a field."""

    async def abort(context: Any, code: Code, status: dict[str, Any]) -> Any:
        await context.abort(grpc_face._STATUS[int(code)], str(status.get("message", "")))

    mp.setattr(grpc_face, "_abort", abort)


@_face_mutant("grpc-call-code-not-the-status-code", "not_found")
def _(mp: pytest.MonkeyPatch) -> None:
    """NOT_FOUND in the trailer's Status, INTERNAL as the call's code."""
    original = grpc_face._abort
    mp.setattr(grpc_face, "_abort", lambda context, code, status: original(
        context, Code.INTERNAL if code is Code.NOT_FOUND else code, status))  # fmt: skip


@_face_mutant("grpc-create-metadata-mistyped", "create_polls")
def _(mp: pytest.MonkeyPatch) -> None:
    """Create's operation metadata packed as UpdateImageMetadata."""
    original = grpc_codec.to_message

    def to_message(method: str, body: dict[str, Any]) -> Any:
        if method == "ImageService.Create":
            at = "type.googleapis.com/yandex.cloud.compute.v1.UpdateImageMetadata"
            body = body | {"metadata": body["metadata"] | {"@type": at}}
        return original(method, body)

    mp.setattr(grpc_codec, "to_message", to_message)


class _Failures:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.append(report.nodeid)


@pytest.fixture
def grpc_target(tmp_path: Path) -> Iterator[list[str]]:
    """A fresh fake over gRPC; the suite's plugin options that aim at it."""
    server = FakeImageService().serve_grpc()
    ca = server.write_ca(tmp_path / "ca.pem")
    yield ["--yc-grpc-endpoint", server.endpoint, "--yc-ca", str(ca), "--yc-folder-id", FOLDER]
    server.stop()


def _run(monkeypatch: pytest.MonkeyPatch, target: list[str], k: str) -> tuple[int, _Failures]:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("YC_IAM_TOKEN", "grpc-mutant-token")
    suite, failures = suite_path(), _Failures()
    status = pytest.main([str(suite), "-c", str(suite / "pytest.ini"), "--rootdir", str(suite),
                          *target, "-q", "-x", "-k", k], plugins=[failures])  # fmt: skip
    return int(status), failures


@pytest.mark.parametrize("name", sorted(set(mutants.MUTANTS) - REST_ONLY))
def test_the_suite_catches_the_mutant_over_grpc(
    monkeypatch: pytest.MonkeyPatch, grpc_target: list[str], name: str
) -> None:
    mutants.apply(name, monkeypatch)
    status, failures = _run(monkeypatch, grpc_target, mutants.MUTANTS[name][0])
    assert status == 1, f"mutant {name} was not caught over gRPC"
    assert failures.failed


@pytest.mark.parametrize("name", sorted(_FACE))
def test_the_suite_catches_a_broken_grpc_face(
    monkeypatch: pytest.MonkeyPatch, grpc_target: list[str], name: str
) -> None:
    k, patch = _FACE[name]
    patch(monkeypatch)
    status, failures = _run(monkeypatch, grpc_target, k)
    assert status == 1, f"{name} was not caught over gRPC"
    assert failures.failed


def test_the_rest_only_mutants_exist() -> None:
    assert set(mutants.MUTANTS) >= REST_ONLY
