"""The conformance suite aimed at a gRPC face: the same contracts, through the SDK's stubs."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("yandexcloud", reason="pip install pytest-yc-images[grpc]")

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance import Target, TargetError
from pytest_yc_images.conformance.cli import main
from pytest_yc_images.conformance.client import NotExpressible
from pytest_yc_images.conformance.grpc_bridge import GrpcBridge

FOLDER = "b1gconformancegrpc01"
TOKEN = "grpc-t0ken-that-must-never-leak-4e1b"
# The contracts gRPC cannot carry, each with the words of its skip reason: protobuf has
# no enum value by that name, a oneof holds one member (REST sends two; gRPC cannot), and a
# request message has no field the REST body may still name.
NOT_OVER_GRPC = {
    "test_fields::test_boundary[CreateImageRequest.os.properties.type.enum-past-not-a-member]":
        "Invalid enum value NOT_A_MEMBER",
    "test_fields::test_boundary[CreateImageRequest.hardwareGeneration.properties.legacyFeatures"
    ".properties.pciTopology.enum-past-not-a-member]": "Invalid enum value NOT_A_MEMBER",
    "test_fields::test_boundary[UpdateAccessBindingsRequest.accessBindingDeltas.items.properties"
    ".action.enum-past-not-a-member]": "Invalid enum value NOT_A_MEMBER",
    "test_fields::test_boundary[CreateImageRequest.source.oneof-past-two-sources]":
        'multiple "source" oneof fields',
    **{f"test_requests_wire::test_a_body_that_is_not_a_json_object_is_invalid_argument[{i}]":
       words for i, words in [("unclosed", "not JSON"), ("not-json", "not JSON"),
                              ("array", "not a JSON object"), ("string", "not a JSON object"),
                              ("number", "not a JSON object"), ("null", "not a JSON object")]},
    **{f"test_requests_wire::test_an_error_echoes_the_request_id_sent[{header}]":
       "no request-id metadata" for header in ("X-Request-Id", "X-Client-Request-Id")},
    # UpdateImageRequest has no hardware_generation field for protobuf to carry.
    "test_reference_images::test_an_update_does_not_change_the_hardware_generation":
        'has no field named "hardwareGeneration"',
}  # fmt: skip


@pytest.fixture
def grpc_fake(tmp_path: Path) -> Iterator[tuple[FakeImageService, Any, Path]]:
    fake = FakeImageService()
    server = fake.serve_grpc()
    try:
        yield fake, server, server.write_ca(tmp_path / "ca.pem")
    finally:
        server.stop()


def _start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "YC_IAM_TOKEN"} | {"YC_IAM_TOKEN": TOKEN}
    command = [sys.executable, "-m", "pytest_yc_images.conformance.cli", *args]
    return subprocess.Popen(command, env=env, text=True, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def _outcomes(junit: Path) -> dict[str, tuple[str, str]]:
    """contract (module::name) -> (outcome, the skip or failure message)."""
    out: dict[str, tuple[str, str]] = {}
    for case in ET.parse(junit).iter("testcase"):
        key = f"{str(case.get('classname')).rsplit('.', 1)[-1]}::{case.get('name')}"
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome, message = tag, str(found.get("message", ""))
                break
        out[key] = outcome, message
    return out


def test_the_suite_passes_over_grpc_as_over_rest(
    grpc_fake: tuple[FakeImageService, Any, Path], tmp_path: Path
) -> None:
    fake, server, ca = grpc_fake
    over_grpc = _start("--grpc-endpoint", server.endpoint, "--ca", str(ca), "--folder-id", FOLDER,
                       "--allow-mutations", "--report", str(tmp_path / "grpc.md"),
                       "--junitxml", str(tmp_path / "grpc.xml"), "--", "-q",
                       cwd=tmp_path)  # fmt: skip
    over_rest = _start("--fake", "--junitxml", str(tmp_path / "rest.xml"), "--", "-q", cwd=tmp_path)
    for run in (over_grpc, over_rest):
        stdout, stderr = run.communicate(timeout=240)
        assert run.returncode == 0, stdout[-3000:] + stderr[-2000:]
        assert TOKEN not in stdout + stderr
    assert fake.images(FOLDER) == [], "the run over gRPC left images behind"
    grpc, rest = _outcomes(tmp_path / "grpc.xml"), _outcomes(tmp_path / "rest.xml")
    assert set(grpc) == set(rest), "both runs must collect the same contracts"
    # Over REST every contract passes but the minDiskSize cases at the documented minimum,
    # which the source image's data (several GiB) makes impossible on this target: they
    # skip, saying so, over both faces alike.
    rest_skipped = {k: why for k, (outcome, why) in rest.items() if outcome == "skipped"}
    assert all(outcome in ("passed", "skipped") for outcome, _ in rest.values()), rest
    assert rest_skipped, "the minDiskSize cases at 4194304 skip on the fake's catalogue"
    assert all(("minDiskSize" in k and "more than the volume" in why)
               or "exceed the image's data" in why for k, why in rest_skipped.items())  # fmt: skip
    skipped = {k: why for k, (outcome, why) in grpc.items() if outcome == "skipped"}
    assert set(skipped) == set(NOT_OVER_GRPC) | set(rest_skipped), skipped
    for contract, words in NOT_OVER_GRPC.items():
        assert "not expressible over gRPC" in skipped[contract]
        assert words in skipped[contract]
    passed = {k for k, (outcome, _) in grpc.items() if outcome == "passed"}
    assert passed == set(rest) - set(NOT_OVER_GRPC) - set(rest_skipped)
    assert len(passed) > 100
    report = (tmp_path / "grpc.md").read_text()
    assert f"target: gRPC {server.endpoint} (TLS, CA {ca})" in report
    assert "0 failed" in report
    assert "not expressible over gRPC" in report
    assert TOKEN not in report


def test_the_bridge_answers_as_the_rest_face(
    grpc_fake: tuple[FakeImageService, Any, Path],
) -> None:
    """The same requests, REST in-process and through the bridge: the same JSON."""
    fake, server, _ = grpc_fake
    headers = {"Authorization": f"Bearer {TOKEN}"}
    rest = httpx.Client(transport=fake.transport(), base_url="https://r", headers=headers)
    bridge = GrpcBridge(server.endpoint, ca_pem=server.ca_pem)
    over_grpc = httpx.Client(transport=bridge, base_url="https://g", headers=headers)
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/compute/v1/images", {"params": {"folderId": "standard-images", "pageSize": "2"}}),
        ("GET", "/compute/v1/images", {"params": {"folderId": FOLDER}}),  # {}: defaults left out
        ("GET", "/compute/v1/images:latestByFamily",
         {"params": {"folderId": "standard-images", "family": "debian-12"}}),
        ("GET", "/compute/v1/images/fd8no%21such", {}),  # a percent-encoded path parameter
        ("GET", "/compute/v1/images", {"params": {"folderId": FOLDER, "pageSize": "1001"}}),
        ("POST", "/compute/v1/images", {"json": {"folderId": FOLDER, "name": "Bad"}}),
        ("GET", "/operations/nosuchoperation", {}),
    ]  # fmt: skip
    with rest, over_grpc:
        for method, path, kwargs in requests:
            want = rest.request(method, path, **kwargs)
            got = over_grpc.request(method, path, **kwargs)
            assert got.status_code == want.status_code, (path, got.text)
            assert _no_request_id(got.json()) == _no_request_id(want.json()), path
        body = {"folderId": FOLDER, "name": "ok", "uri": "https://storage.example/a.qcow2"}
        key = {"Idempotency-Key": "bd6e7f80-91a2-43b4-8fc0-4b5c6d7e8f90"}
        created = over_grpc.post("/compute/v1/images", json=body, headers=key)
        again = over_grpc.post("/compute/v1/images", json=body, headers=key)
        assert created.status_code == again.status_code == 200, created.text
        assert again.json()["id"] == created.json()["id"]  # the key went as metadata
        anonymous = over_grpc.get("/compute/v1/images", params={"folderId": FOLDER},
                                  headers={"Authorization": ""})  # fmt: skip
        assert (anonymous.status_code, anonymous.json()["code"]) == (401, 16)
        # The bridge's own answers: no RPC for the path; no HTTP methods in gRPC.
        nowhere = over_grpc.get("/compute/v2/nowhere")
        assert (nowhere.status_code, nowhere.json()["code"]) == (404, 5)
        with pytest.raises(NotExpressible, match="405"):
            over_grpc.put("/compute/v1/images/fd8abc")
        with pytest.raises(NotExpressible, match="Invalid enum value"):
            over_grpc.post(
                "/compute/v1/images",
                json={
                    "folderId": FOLDER,
                    "uri": "https://storage.example/a.qcow2",
                    "os": {"type": "BSD"},
                },
            )
    # Closed clients closed the bridge's channels; it opens them again when used.
    with httpx.Client(transport=bridge, base_url="https://g", headers=headers) as reopened:
        assert reopened.get("/compute/v1/images", params={"folderId": FOLDER}).status_code == 200


def _no_request_id(body: dict[str, Any]) -> dict[str, Any]:
    details = [d for d in body.get("details", []) if "requestId" not in d]
    rest = {k: v for k, v in body.items() if k != "details"}
    return rest | ({"details": details} if details else {})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grpc-endpoint", "localhost:1", "--endpoint", "http://127.0.0.1:1"],
         "give only one of --fake, --endpoint and --grpc-endpoint"),
        (["--grpc-endpoint", "localhost:1", "--fake"], "not --fake and --grpc-endpoint"),
        (["--grpc-endpoint", "localhost", "--folder-id", "f"], "must be HOST:PORT"),
        (["--grpc-endpoint", "https://localhost:1", "--folder-id", "f"], "must be HOST:PORT"),
        (["--grpc-endpoint", "localhost:1"], "--folder-id is required with --grpc-endpoint"),
        (["--grpc-endpoint", "localhost:1", "--folder-id", "f", "--ca", "/no/such/ca.pem"],
         "--ca: no such file"),
        (["--grpc-endpoint", "localhost:1", "--folder-id", "f", "--operation-endpoint",
          "http://x"], "--operation-endpoint (with --grpc-endpoint) must be HOST:PORT"),
        (["sweep", "--grpc-endpoint", "localhost:1"], "--folder-id is required"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("YC_IAM_TOKEN", TOKEN)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err


def test_without_the_grpc_extra_it_says_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "grpc", None)  # as if grpcio were not installed
    monkeypatch.setenv("YC_IAM_TOKEN", TOKEN)
    assert main(["--grpc-endpoint", "localhost:1", "--folder-id", "f"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'pytest-yc-images[grpc]'" in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    ("endpoint", "operations", "loopback"),
    [
        ("localhost:5", "", True),
        ("127.0.0.1:5", "", True),
        ("[::1]:5", "", True),
        ("localhost:5", "operation.api.cloud.yandex.net:443", False),
        ("compute.api.cloud.yandex.net:443", "", False),
        ("10.0.0.1:443", "", False),
    ],
)
def test_mutations_need_loopback_or_allow_mutations(
    endpoint: str, operations: str, loopback: bool
) -> None:
    target = Target(grpc_endpoint=endpoint, operation_endpoint=operations, folder_id="f",
                    token=TOKEN)  # fmt: skip
    assert target.mutations_allowed is loopback
    assert target.operation_endpoint == (operations or endpoint)
    allowed = Target(grpc_endpoint=endpoint, folder_id="f", token=TOKEN, allow_mutations=True)
    assert allowed.mutations_allowed
    assert TOKEN not in repr(target)


def test_the_plugin_options_are_exclusive_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YC_IAM_TOKEN", TOKEN)
    with pytest.raises(TargetError, match="only one of"):
        Target.from_options(endpoint="http://127.0.0.1:1", grpc_endpoint="localhost:1")
    target = Target.from_options(grpc_endpoint="localhost:1", folder_id="f", ca=None)
    assert target.describe() == "gRPC localhost:1 (TLS, system roots), folder f"


def test_ca_applies_to_an_https_endpoint_too(tmp_path: Path) -> None:
    import trustme

    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    target = Target(endpoint="https://127.0.0.1:1", folder_id="f", token=TOKEN, ca=str(ca))
    transport, compute, _ = target.transports()
    assert isinstance(transport, httpx.HTTPTransport)
    assert compute == "https://127.0.0.1:1"


def test_sweep_over_grpc_deletes_only_labelled_leftovers(
    grpc_fake: tuple[FakeImageService, Any, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pytest_yc_images.conformance import RUN_LABEL

    fake, server, ca = grpc_fake
    left = fake.put_image(folderId=FOLDER, name="ycc-crashed", labels={RUN_LABEL: "crashed1"})
    kept = fake.put_image(folderId=FOLDER, name="precious", labels={"team": "a"})
    monkeypatch.setenv("YC_IAM_TOKEN", TOKEN)
    args = ["sweep", "--grpc-endpoint", server.endpoint, "--ca", str(ca), "--folder-id", FOLDER]
    assert main(args) == 0, capsys.readouterr().err
    assert left["id"] in capsys.readouterr().out
    assert [i["id"] for i in fake.images(FOLDER)] == [kept["id"]]
