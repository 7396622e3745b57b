"""Teardown checks: unfired scripted faults (on by default), unfinished operations (opt-in)."""

from __future__ import annotations

import pytest

from tests._downstream import STRICT_INI

UNFIRED_FAULTS = """
import httpx
import pytest


def test_scripted_but_never_called(yc_fake, yc_client, yc_folder_id):
    yc_fake.fail_next("Create", "UNAVAILABLE")
    yc_fake.lose_reply("Delete")
    yc_client.get("/compute/v1/images", params={"folderId": yc_folder_id})


@pytest.mark.yc_images(faults=[{"method": "Update", "code": "INTERNAL", "times": 2}])
def test_marker_fault_on_the_server(yc_server, yc_folder_id):
    pass
"""

UNFINISHED = """
import httpx
import pytest


def test_never_polls(yc_client, yc_folder_id):
    yc_client.post(
        "/compute/v1/images",
        json={"folderId": yc_folder_id, "uri": "https://s.example/a.qcow2", "name": "left"},
    )


def test_never_polls_on_the_server(yc_server, yc_folder_id):
    headers = {"Authorization": f"Bearer {yc_server.token}"}
    with httpx.Client(base_url=yc_server.url, headers=headers, timeout=10) as client:
        client.post(
            "/compute/v1/images",
            json={"folderId": yc_folder_id, "uri": "https://s.example/a.qcow2", "name": "left"},
        )


def test_polls(yc_client, yc_folder_id):
    reply = yc_client.post(
        "/compute/v1/images",
        json={"folderId": yc_folder_id, "uri": "https://s.example/a.qcow2", "name": "ok"},
    )
    yc_client.get(f"/operations/{reply.json()['id']}")
"""


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YC_IMAGES_UNFIRED_FAULTS", raising=False)
    monkeypatch.delenv("YC_IMAGES_UNFINISHED_OPERATIONS", raising=False)


def test_an_unfired_fault_fails_the_test_and_says_how_to_fix_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(UNFIRED_FAULTS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_scripted_but_never_called*",
            "yc_fake: 2 scripted fault(s) never fired:",
            "  - fail with UNAVAILABLE on ImageService.Create (1 call(s); fired 0)",
            "  - apply the change but lose the reply (UNAVAILABLE) on ImageService.Delete*",
            "Remove them, make the code under test reach them, or turn this check off with "
            "@pytest.mark.yc_images(unfired_faults='ignore') or --yc-unfired-faults=ignore.",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_marker_fault_on_the_server*",
            "yc_fake: 1 scripted fault(s) never fired:",
            "  - fail with INTERNAL on ImageService.Update (2 call(s); fired 0)",
        ]
    )
    # The message is the report: no traceback through the plugin's insides.
    assert "plugin.py" not in result.stdout.str()


def test_a_fault_that_fired_passes(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        def test_fired(yc_fake, yc_client, yc_folder_id):
            yc_fake.fail_next("List", "UNAVAILABLE", times=2)
            for _ in range(2):
                reply = yc_client.get("/compute/v1/images", params={"folderId": yc_folder_id})
                assert reply.status_code == 503
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("args", "ini"),
    [
        (["--yc-unfired-faults=ignore"], ""),
        ([], "yc_images_unfired_faults = ignore\n"),
    ],
)
def test_the_unfired_check_can_be_turned_off(
    pytester: pytest.Pytester, args: list[str], ini: str
) -> None:
    pytester.makeini(STRICT_INI + ini)
    pytester.makepyfile(UNFIRED_FAULTS)
    pytester.runpytest(*args).assert_outcomes(passed=2)


def test_the_marker_turns_the_unfired_check_off_for_one_test(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.yc_images(unfired_faults="ignore")
        def test_maybe(yc_fake):
            yc_fake.fail_next("Create")

        def test_strict(yc_fake):
            yc_fake.fail_next("Create")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_strict*", "yc_fake: 1 scripted fault(s) never fired:"]
    )
    assert "test_maybe" not in result.stdout.str()


def test_the_marker_turns_the_unfired_check_on_when_the_option_is_off(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.yc_images(unfired_faults="fail")
        def test_strict(yc_fake):
            yc_fake.fail_next("Create")
        """
    )
    pytester.runpytest("--yc-unfired-faults=ignore").assert_outcomes(passed=1, errors=1)


def test_unfinished_operations_pass_by_default(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(UNFINISHED)
    pytester.runpytest().assert_outcomes(passed=3)


def test_unfinished_operations_fail_with_the_option(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(UNFINISHED)
    result = pytester.runpytest("--yc-unfinished-operations=fail")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_never_polls*",
            "yc_fake: 1 operation(s) still running at the end of the test: fd8*. "
            "Poll them to completion (GET /operations/{id}) or turn this check off with "
            "@pytest.mark.yc_images(unfinished_operations='ignore').",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_never_polls_on_the_server*", "yc_fake: 1 operation(s)*"]
    )


def test_unfinished_operations_fail_with_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.yc_images(unfinished_operations="fail")

        def test_never_polls(yc_client, yc_folder_id):
            yc_client.post(
                "/compute/v1/images",
                json={"folderId": yc_folder_id, "uri": "https://s.example/a.qcow2", "name": "x"},
            )

        @pytest.mark.yc_images(unfinished_operations="ignore")
        def test_allowed_to_leave_it_running(yc_client, yc_folder_id):
            yc_client.post(
                "/compute/v1/images",
                json={"folderId": yc_folder_id, "uri": "https://s.example/a.qcow2", "name": "x"},
            )

        @pytest.mark.yc_images(completion="manual")
        def test_completed_by_hand(yc_client, yc_fake, yc_folder_id):
            reply = yc_client.post(
                "/compute/v1/images",
                json={"folderId": yc_folder_id, "uri": "https://s.example/a", "name": "x"},
            )
            yc_fake.complete(reply.json()["id"])
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_never_polls*", "yc_fake: 1 operation(s) still running*"]
    )
