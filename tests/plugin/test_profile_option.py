"""One profile switch for the plugin: flag, ini, environment and marker, shared with the
conformance plugin's reading of ``--yc-profile``."""

from __future__ import annotations

import re

import pytest

from tests._downstream import STRICT_INI

# A name with "_" is valid in the live profile only (live/image_service.proto's pattern
# |[a-z]([-_a-z0-9]{0,61}[a-z0-9])?; the seed's has no "_").
PROFILE_SEEN = """
def test_profile(yc_fake, yc_client, yc_folder_id):
    reply = yc_client.post("/compute/v1/images", json={
        "folderId": yc_folder_id, "name": "with_underscore",
        "uri": "https://storage.yandexcloud.net/b/disk.qcow2"})
    print("PROFILE", yc_fake.profile, reply.status_code)
    assert yc_client.get("/_fake/settings").json()["profile"] == yc_fake.profile
"""


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YC_IMAGES_PROFILE", raising=False)


def _run(pytester: pytest.Pytester, *args: str, ini: str = "") -> list[str]:
    pytester.makeini(STRICT_INI + ini)
    pytester.makepyfile(PROFILE_SEEN)
    result = pytester.runpytest("-s", *args)
    result.assert_outcomes(passed=1)
    return re.findall(r"PROFILE \w+ \d+", result.stdout.str())


def test_the_default_is_live(pytester: pytest.Pytester) -> None:
    assert _run(pytester) == ["PROFILE live 200"]


def test_the_flag_chooses_seed(pytester: pytest.Pytester) -> None:
    assert _run(pytester, "--yc-profile=seed") == ["PROFILE seed 400"]


def test_the_ini_key_chooses_seed(pytester: pytest.Pytester) -> None:
    assert _run(pytester, ini="yc_images_profile = seed\n") == ["PROFILE seed 400"]


def test_the_environment_chooses_seed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YC_IMAGES_PROFILE", "seed")
    assert _run(pytester) == ["PROFILE seed 400"]


def test_the_flag_beats_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YC_IMAGES_PROFILE", "seed")
    assert _run(pytester, "--yc-profile=live") == ["PROFILE live 200"]


def test_the_marker_beats_the_option(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        "import pytest\n\n"
        "@pytest.mark.yc_images(profile='seed')\n" + PROFILE_SEEN.replace("\ndef ", "def ", 1)
    )
    result = pytester.runpytest("-s", "--yc-profile=live")
    result.assert_outcomes(passed=1)
    assert re.findall(r"PROFILE \w+ \d+", result.stdout.str()) == ["PROFILE seed 400"]


def test_an_unknown_profile_lists_the_choices(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YC_IMAGES_PROFILE", "today")
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(PROFILE_SEEN)
    result = pytester.runpytest()
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*'today' is not one of ('live', 'seed')*"])


def test_an_unknown_marker_profile_lists_the_choices(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        "import pytest\n\n"
        "@pytest.mark.yc_images(profile='old')\n" + PROFILE_SEEN.replace("\ndef ", "def ", 1)
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*profile='old'*choose one of live, seed*"])
