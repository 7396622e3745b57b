"""The ``access=`` configuration: the list form of before, the object form that names a
token's subject and groups, and a bad entry refused through every door (Python, the
``yc_images`` marker, ``serve --access FILE``) naming the entry and its field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pytest_yc_images import FakeImageService
from pytest_yc_images.cli import main
from tests._cli import serve, stop_server

OWNERS = "b1gownerfolder000001"
URI = "https://storage.yandexcloud.net/builds/golden.qcow2"
TIMEOUT = 20


@pytest.mark.parametrize(
    ("access", "field", "says"),
    [
        ({"t": "b1gfolder"}, "access['t']", "must be a list of folder IDs, not str"),
        ({"t": [""]}, "access['t'][0]", "must be a folder ID"),
        ({"t": 7}, "access['t']", "must be a list of folder IDs, not int"),
        ({"  ": []}, "access['  ']", "a token must not be empty"),
        (
            {"t": {"folder": []}},
            "access['t'].folder",
            "unknown key; the keys: folders, subject, groups",
        ),
        ({"t": {"folders": "b1g"}}, "access['t'].folders", "must be a list of folder IDs"),
        (
            {"t": {"subject": "aje1"}},
            "access['t'].subject",
            'must be an object {"id": ..., "type": ...}',
        ),
        (
            {"t": {"subject": {"id": "aje1", "type": "robot"}}},
            "access['t'].subject.type",
            "must be one of userAccount, serviceAccount, federatedUser (a token is one account), "
            "not 'robot'",
        ),
        (
            {"t": {"subject": {"id": "allUsers", "type": "system"}}},
            "access['t'].subject.type",
            "must be one of userAccount, serviceAccount, federatedUser",
        ),
        (
            {"t": {"subject": {"id": "allAuthenticatedUsers", "type": "userAccount"}}},
            "access['t'].subject.id",
            "is a system subject, not an account",
        ),
        (
            {"t": {"subject": {"type": "userAccount"}}},
            "access['t'].subject.id",
            "must be a non-empty string",
        ),
        ({"t": {"subject": {"id": "a" * 101}}}, "access['t'].subject.id", "at most 100 characters"),
        (
            {"t": {"subject": {"id": "aje1", "name": "x"}}},
            "access['t'].subject.name",
            "the keys: id, type",
        ),
        ({"t": {"groups": ["admins"]}}, "access['t'].groups[0]", "group:organization:<id>:users"),
        ({"t": {"groups": ["allUsers"]}}, "access['t'].groups[0]", "group:federation:<id>:users"),
    ],
)
def test_a_bad_entry_is_a_value_error_naming_it_and_its_field(
    access: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(ValueError, match=r"^access") as raised:
        FakeImageService(access=access)
    assert str(raised.value).startswith(f"{field}: ")
    assert says in str(raised.value)


def test_the_forms_mix_and_a_subject_names_the_operations_a_token_starts() -> None:
    fake = FakeImageService(
        access={
            "old": (OWNERS,),  # any iterable of folder IDs, as before
            "new": {
                "folders": [OWNERS],
                "subject": {"id": "ajerobot000000000001", "type": "serviceAccount"},
                "groups": ["group:federation:bpffed0000000000001:users"],
            },
        }
    )
    with fake.client(token="old") as old, fake.client(token="new") as new:
        body = {"folderId": OWNERS, "uri": URI}
        by_old = old.post("/compute/v1/images", json=body).json()["createdBy"]
        by_new = new.post("/compute/v1/images", json=body).json()["createdBy"]
    assert by_new == "ajerobot000000000001"
    assert by_old.startswith("aje")
    assert by_old != by_new


def test_a_bad_marker_access_names_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.yc_images(access={"t": {"subject": {"id": "a", "type": "group"}}})
        def test_it(yc_fake):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    expected = "@pytest.mark.yc_images(access=...): access['t'].subject.type: must be one of"
    assert expected in result.stdout.str()


def test_a_marker_access_with_subjects_shares_through_yc_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        ACCESS = {{
            "fake-iam-token": ["{OWNERS}"],
            "bob": {{"folders": ["b1gbob"], "subject": {{"id": "ajebob", "type": "userAccount"}}}},
        }}

        @pytest.mark.yc_images(access=ACCESS, completion="immediate")
        def test_it(yc_fake, yc_client):
            made = yc_client.post(
                "/compute/v1/images", json={{"folderId": "{OWNERS}", "uri": "{URI}"}}
            ).json()
            image = made["metadata"]["imageId"]
            with yc_fake.client(token="bob") as bob:
                assert bob.get(f"/compute/v1/images/{{image}}").status_code == 404
                subject = {{"id": "ajebob", "type": "userAccount"}}
                binding = {{"roleId": "viewer", "subject": subject}}
                yc_client.post(
                    f"/compute/v1/images/{{image}}:setAccessBindings",
                    json={{"accessBindings": [binding]}},
                )
                assert bob.get(f"/compute/v1/images/{{image}}").status_code == 200
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


# --- serve --access FILE ----------------------------------------------------------------
def test_serve_access_file_with_subjects_shares_an_image(tmp_path: Path) -> None:
    access = tmp_path / "access.json"
    access.write_text(
        json.dumps(
            {
                "owner": [OWNERS],
                "bob": {"folders": ["b1gbob"], "subject": {"id": "ajebob", "type": "userAccount"}},
                "carol": {"groups": ["group:organization:org1:users"]},
            }
        )
    )
    proc, (url, _) = serve("--access", str(access), "--completion", "immediate", lines=2)
    try:
        assert url.startswith("http://127.0.0.1:")

        def client(token: str) -> httpx.Client:
            headers = {"Authorization": f"Bearer {token}"}
            return httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT)

        with client("owner") as owner, client("bob") as bob, client("carol") as carol:
            made = owner.post("/compute/v1/images", json={"folderId": OWNERS, "uri": URI})
            image = made.json()["metadata"]["imageId"]
            path = f"/compute/v1/images/{image}"
            assert bob.get(path).status_code == 404
            bindings = [
                {
                    "roleId": "compute.images.user",
                    "subject": {"id": "ajebob", "type": "userAccount"},
                },
                {
                    "roleId": "viewer",
                    "subject": {"id": "group:organization:org1:users", "type": "system"},
                },
            ]
            shared = owner.post(f"{path}:setAccessBindings", json={"accessBindings": bindings})
            assert shared.json()["done"] is True
            assert bob.get(path).status_code == 200
            copy = bob.post("/compute/v1/images", json={"folderId": "b1gbob", "imageId": image})
            assert copy.json()["response"]["folderId"] == "b1gbob"
            assert bob.get("/compute/v1/images", params={"folderId": OWNERS}).status_code == 403
            assert carol.get(path).status_code == 200
            assert carol.delete(path).status_code == 403
    finally:
        stop_server(proc, timeout=TIMEOUT)


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        (
            {"bob": {"subject": {"id": "ajebob", "type": "robot"}}},
            "access['bob'].subject.type: must be one of userAccount, serviceAccount, federatedUser",
        ),
        (
            {"bob": {"groups": ["org1"]}},
            "access['bob'].groups[0]: must be group:organization:<id>:users",
        ),
        ({"bob": {"folders": ["b1g"], "roles": []}}, "access['bob'].roles: unknown key"),
    ],
)
def test_a_bad_access_file_entry_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: dict[str, Any], named: str
) -> None:
    access = tmp_path / "access.json"
    access.write_text(json.dumps(entry))
    assert main(["serve", "--access", str(access)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith(f"yc-images-fake: cannot load {access}: {named}")


def test_serve_help_describes_the_access_objects(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert '"subject": {"id": ..., "type": "userAccount"}' in text
    assert "group:organization:<id>:users" in text
