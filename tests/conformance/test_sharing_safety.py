"""The access-binding contracts' safety: whom they bind, where, and that nothing stays bound.

The suite binds a role only to the target's subject (--subject-id; a made-up account only
in-process and on loopback), only on images the run created, never allUsers or
allAuthenticatedUsers beyond loopback; it clears an image's bindings (Set []) before it
deletes it, and after each contract on the run's sharing image.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.conformance.api import Api
from pytest_yc_images.conformance.cli import suite_path
from pytest_yc_images.conformance.safety import Budget, RunIdentity
from pytest_yc_images.conformance.target import Target, TargetError
from pytest_yc_images.faces import rest

FOLDER = "b1gconformanceshare01"
TOKEN = "t0ken-of-the-sharing-tests"
REMOTE = "http://192.0.2.1:9"  # TEST-NET-1: never answers; the guards refuse before it
ROLE = "compute.images.user"
ACCOUNT = {"id": "ajeconformance000001", "type": "userAccount"}


def _api(target: Target, tmp_path: Path) -> Api:
    run = RunIdentity("share001")
    return Api(target, run, Budget(run.run_id, 5, tmp_path / "budget"))


# --- the subject --------------------------------------------------------------------------
def test_a_made_up_account_only_in_process_and_on_loopback() -> None:
    assert Target(fake=True).subject == ACCOUNT
    assert Target(endpoint="http://127.0.0.1:9", token=TOKEN).subject == ACCOUNT
    assert Target(endpoint=REMOTE, token=TOKEN).subject is None


def test_the_subject_given_is_the_one_bound() -> None:
    target = Target(
        endpoint=REMOTE, token=TOKEN, subject_id="aje123", subject_type="serviceAccount"
    )
    assert target.subject == {"id": "aje123", "type": "serviceAccount"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject_type": "system"}, "--subject-type must be one of"),
        ({"subject_id": "allUsers"}, "--subject-id must be an account's ID"),
        ({"subject_id": "allAuthenticatedUsers"}, "--subject-id must be an account's ID"),
        ({"subject_id": "group:organization:o1:users"}, "--subject-id must be an account's ID"),
        ({"subject_id": "a" * 101}, "at most 100 characters"),
    ],
)
def test_a_subject_that_is_no_account_is_a_usage_error(
    fields: dict[str, str], message: str
) -> None:
    with pytest.raises(TargetError, match=message):
        Target(endpoint=REMOTE, token=TOKEN, **fields)


# --- the guards (they refuse before anything is sent) ---------------------------------------
@pytest.mark.parametrize("group", ["allUsers", "allAuthenticatedUsers"])
def test_the_public_groups_are_never_bound_beyond_loopback(tmp_path: Path, group: str) -> None:
    api = _api(Target(endpoint=REMOTE, token=TOKEN, allow_mutations=True), tmp_path)
    image_id = "fd8ownedbythisrun001"
    api.owned.add(image_id, None)
    public = {"roleId": ROLE, "subject": {"id": group, "type": "system"}}
    with pytest.raises(PermissionError, match=f"refusing to bind {group}"):
        api.set_access_bindings(image_id, [public])
    with pytest.raises(PermissionError, match=f"refusing to bind {group}"):
        api.update_access_bindings(image_id, {"accessBindingDeltas": [
            {"action": "ADD", "accessBinding": public}]})  # fmt: skip
    with pytest.raises(PermissionError, match=f"refusing to bind {group}"):  # a raw request
        api.http.post(f"/compute/v1/images/{image_id}:setAccessBindings", content=(
            b'[{"subject": {"id": "' + group.encode() + b'"}}'))  # fmt: skip
    assert api.recorder.exchanges == []
    api.close()


def test_bindings_only_on_images_of_this_run(tmp_path: Path) -> None:
    api = _api(Target(endpoint=REMOTE, token=TOKEN, allow_mutations=True), tmp_path)
    theirs = "fd8someoneelseimage1"  # the shape of a real ID: not this run's
    with pytest.raises(PermissionError, match="this run did not create it"):
        api.set_access_bindings(theirs, [])
    with pytest.raises(PermissionError, match="this run did not create it"):
        api.http.post(f"/compute/v1/images/{theirs}:updateAccessBindings", json={})
    assert api.bound == set()
    api.close()


def test_the_public_groups_are_bound_on_loopback(tmp_path: Path) -> None:
    fake = FakeImageService()
    with fake.serve() as server:
        api = _api(Target(endpoint=server.url, folder_id=FOLDER, token=TOKEN), tmp_path)
        image = api.create_ready(uri="https://storage.example/a.qcow2")
        public = {"roleId": ROLE, "subject": {"id": "allUsers", "type": "system"}}
        reply = api.set_access_bindings(str(image["id"]), [public])
        assert reply.status_code == 200, reply.text
        api.cleanup()
        api.close()
    assert fake.images(FOLDER) == []


# --- nothing stays bound --------------------------------------------------------------------
def test_cleanup_clears_the_bindings_before_deleting(tmp_path: Path) -> None:
    fake = FakeImageService()
    with fake.serve() as server:
        api = _api(Target(endpoint=server.url, folder_id=FOLDER, token=TOKEN), tmp_path)
        image_id = str(api.create_ready(uri="https://storage.example/a.qcow2")["id"])
        reply = api.set_access_bindings(image_id, [{"roleId": ROLE, "subject": ACCOUNT}])
        assert api.wait(reply.json())["done"] is True
        assert api.bound == {image_id}
        assert api.cleanup() == []
        api.close()
    calls = [(e.method.split(".")[-1], e.request) for e in fake.journal.entries
             if e.request.get("resourceId", e.request.get("imageId")) == image_id]  # fmt: skip
    methods = [m for m, _ in calls]
    cleared = methods.index("SetAccessBindings", 1 + methods.index("SetAccessBindings"))
    assert calls[cleared][1].get("accessBindings", []) == []
    assert cleared < methods.index("Delete")
    assert fake.images(FOLDER) == []


def test_a_run_leaves_no_binding_even_when_its_images_cannot_be_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sharing contracts against a loopback server that refuses every Delete: the
    images stay, and none of them holds a binding (each contract cleared its own)."""
    original = rest.RestRouter.handle

    def no_delete(self: rest.RestRouter, request: rest.HttpRequest) -> rest.HttpResponse:
        if request.method == "DELETE":
            body = b'{"code": 9, "message": "deletion refused by the test", "details": []}'
            return rest.HttpResponse(400, body, {"content-type": "application/json"})
        return original(self, request)

    monkeypatch.setattr(rest.RestRouter, "handle", no_delete)
    fake = FakeImageService()
    suite = suite_path()
    env = {k: v for k, v in os.environ.items() if k != "YC_IAM_TOKEN"} | {"YC_IAM_TOKEN": TOKEN}
    with fake.serve() as server:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(suite), "-c", str(suite / "pytest.ini"),
             "--rootdir", str(suite), "-p", "pytest_yc_images.conformance.plugin",
             "--yc-endpoint", server.url, "--yc-folder-id", FOLDER, "--yc-skip-preflight",
             "-q", "-k", "sharing or AccessBindingsRequest"],
            capture_output=True, text=True, env=env, timeout=120, cwd=tempfile.mkdtemp(),
            check=False,
        )  # fmt: skip
    left = fake.images(FOLDER)
    assert left, done.stdout[-2000:]  # the sharing image stayed: the check below means something
    bound = [e for e in fake.journal.calls("SetAccessBindings") if e.request.get("accessBindings")]
    assert bound, "the contracts bound nothing"
    for image in left:
        listed = fake.call("ListAccessBindings", {"resourceId": image["id"]})
        assert listed.get("accessBindings", []) == [], (image["id"], listed)


def test_without_a_subject_the_binding_contracts_are_reported_not_run(tmp_path: Path) -> None:
    """A remote target with mutations allowed and no --subject-id: the contracts that bind
    are not run, each saying it needs --subject-id, and the report says why up front."""
    suite = suite_path()
    report = tmp_path / "r.md"
    env = {k: v for k, v in os.environ.items() if k != "YC_IAM_TOKEN"} | {"YC_IAM_TOKEN": TOKEN}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(suite), "-c", str(suite / "pytest.ini"),
         "--rootdir", str(suite), "-p", "pytest_yc_images.conformance.plugin",
         "--yc-endpoint", REMOTE, "--yc-folder-id", FOLDER, "--yc-allow-mutations",
         "--yc-skip-preflight", "--yc-conformance-report", str(report), "-q",
         "-k", "(sharing and not does_not_exist_are) or SetAccessBindingsRequest"],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    text = report.read_text()
    assert "**no --subject-id**" in text
    rows = [line for line in text.splitlines() if line.startswith("| `test_")]
    assert len(rows) > 10, rows
    for row in rows:
        assert "| not run |" in row, row
        assert "needs --subject-id" in row or "only on loopback" in row, row
    assert "passed" not in done.stdout.splitlines()[-1]


def test_the_check_hook_sees_every_client_of_the_api(tmp_path: Path) -> None:
    """``Api.anonymous`` (another token's client) is guarded as ``api.http`` is."""
    api = _api(Target(endpoint=REMOTE, token=TOKEN, allow_mutations=True), tmp_path)
    with api.anonymous("other") as client, pytest.raises(PermissionError):
        client.post("/compute/v1/images/fd8someoneelseimage1:setAccessBindings", json={})
    assert isinstance(api.http, httpx.Client)
    api.close()
