"""Options: each one as a flag, an ini key and an environment variable; help and fixture docs."""

from __future__ import annotations

import re

import pytest

from tests._downstream import STRICT_INI

FIRST_CREATE_IS_DONE = """
def test_first_create_is_done(yc_client, yc_folder_id):
    reply = yc_client.post(
        "/compute/v1/images",
        json={"folderId": yc_folder_id, "uri": "https://storage.example/a.qcow2", "name": "i"},
    )
    assert reply.json()["done"] is True
    assert reply.json()["response"]["status"] == "READY"
"""

ENV_NAMES = [
    "YC_IMAGES_COMPLETION",
    "YC_IMAGES_SEED",
    "YC_IMAGES_TOKEN",
    "YC_IMAGES_UNFIRED_FAULTS",
    "YC_IMAGES_UNFINISHED_OPERATIONS",
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings from the outer environment must not reach the runs under test."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_default_completion_is_on_poll(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(FIRST_CREATE_IS_DONE)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*assert False is True*"])  # done: false, on the first answer


def test_completion_from_the_command_line(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(FIRST_CREATE_IS_DONE)
    pytester.runpytest("--yc-completion=immediate").assert_outcomes(passed=1)


def test_completion_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI + "yc_images_completion = immediate\n")
    pytester.makepyfile(FIRST_CREATE_IS_DONE)
    pytester.runpytest().assert_outcomes(passed=1)


def test_completion_from_pyproject(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        """
        [tool.pytest.ini_options]
        addopts = "--strict-markers --strict-config -p no:cacheprovider"
        filterwarnings = ["error"]
        yc_images_completion = "immediate"
        """
    )
    pytester.makepyfile(FIRST_CREATE_IS_DONE)
    pytester.runpytest().assert_outcomes(passed=1)


def test_completion_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a subprocess, so the variable is read exactly as a CI job would set it."""
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(FIRST_CREATE_IS_DONE)
    monkeypatch.setenv("YC_IMAGES_COMPLETION", "immediate")
    result = pytester.runpytest_subprocess(
        "-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio", timeout=60
    )
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("ini", "env", "cli", "expected"),
    [
        ("manual", None, None, "manual"),
        ("manual", "clock", None, "clock"),
        ("manual", "clock", "immediate", "immediate"),
        (None, "clock", "immediate", "immediate"),
        ("manual", None, "immediate", "immediate"),
    ],
)
def test_cli_beats_env_beats_ini(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    ini: str | None,
    env: str | None,
    cli: str | None,
    expected: str,
) -> None:
    pytester.makeini(STRICT_INI + (f"yc_images_completion = {ini}\n" if ini else ""))
    if env:
        monkeypatch.setenv("YC_IMAGES_COMPLETION", env)
    pytester.makepyfile(
        f"""
        def test_mode(yc_fake, yc_server):
            assert yc_fake.completion == "{expected}"
            assert yc_server.fake.completion == "{expected}"
        """
    )
    result = pytester.runpytest(*([f"--yc-completion={cli}"] if cli else []))
    result.assert_outcomes(passed=1)


def test_the_marker_beats_every_option(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(STRICT_INI + "yc_images_completion = clock\n")
    monkeypatch.setenv("YC_IMAGES_COMPLETION", "immediate")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.yc_images(completion="manual")
        def test_mode(yc_fake):
            assert yc_fake.completion == "manual"
        """
    )
    pytester.runpytest("--yc-completion=on-poll").assert_outcomes(passed=1)


def test_seed_option_makes_ids_shared_across_tests(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        def test_one(yc_fake, yc_folder_id):
            print("ID", yc_fake.put_image(folderId=yc_folder_id, name="x")["id"])

        def test_two(yc_fake, yc_folder_id):
            print("ID", yc_fake.put_image(folderId=yc_folder_id, name="x")["id"])
        """
    )
    seeded = pytester.runpytest("--yc-seed=42", "-s")
    seeded.assert_outcomes(passed=2)
    ids = re.findall(r"ID (fd8[a-z0-9]{17})", seeded.stdout.str())
    unseeded = pytester.runpytest("-s")
    default_ids = re.findall(r"ID (fd8[a-z0-9]{17})", unseeded.stdout.str())
    assert len(ids) == len(default_ids) == 2
    assert ids[0] == ids[1]
    assert default_ids[0] != default_ids[1]


@pytest.mark.parametrize(
    ("args", "ini", "env"),
    [
        (["--yc-completion=eventually"], "", None),
        ([], "yc_images_completion = eventually\n", None),
        ([], "", "eventually"),
    ],
)
def test_a_bad_value_is_refused_with_the_choices(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    ini: str,
    env: str | None,
) -> None:
    pytester.makeini(STRICT_INI + ini)
    if env:
        monkeypatch.setenv("YC_IMAGES_COMPLETION", env)
    pytester.makepyfile("def test_mode(yc_fake):\n    pass\n")
    result = pytester.runpytest(*args)
    assert result.ret != pytest.ExitCode.OK
    output = result.stdout.str() + result.stderr.str()
    assert "eventually" in output
    assert "on-poll" in output


def test_help_lists_the_group_and_every_flag(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "Yandex Cloud ImageService fake (pytest-yc-images):",
            "*--yc-completion={on-poll,immediate,manual,clock}*",
            "*--yc-seed=*",
            "*--yc-token=*",
            "*--yc-unfired-faults={fail,ignore}*",
            "*--yc-unfinished-operations={fail,ignore}*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*yc_images_completion*",
            "*yc_images_seed*",
            "*yc_images_token*",
            "*yc_images_unfired_faults*",
            "*yc_images_unfinished_operations*",
        ]
    )


def test_fixtures_lists_and_documents_every_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(["*fixtures defined from pytest_yc_images.plugin*"])
    documented = {
        "yc_folder_id": "A folder ID of this test's own*",
        "yc_fake": "A fresh in-memory ImageService*",
        "yc_client": "An ``httpx.Client`` wired to ``yc_fake``*",
        "yc_async_client": "An ``httpx.AsyncClient`` wired to ``yc_fake``*",
        "yc_images": "Builds valid images*",
        "yc_requests": "Builds valid Create/Update/List requests*",
        "yc_server": "A real HTTP server on 127.0.0.1*",
        "yc_server_url": "The base URL of ``yc_server``*",
    }
    for name, doc in documented.items():
        result.stdout.fnmatch_lines([f"{name} -- *plugin.py:*", f"    {doc}"])
    # The session-wide server behind yc_server is an implementation detail.
    assert "_yc_session_server" not in result.stdout.str()
