"""The README's example runs and passes in CI; its table, and the fixtures page, name every
fixture, option and marker option the plugin registers."""

from __future__ import annotations

import re

import pytest

from tests import _downstream as readme

HEADING = "## Use it in your tests"
FIXTURES_PAGE = readme.DOCS / "fixtures.md"


def _registered(pytester: pytest.Pytester) -> tuple[set[str], set[str], set[str]]:
    """What pytest itself shows a user: the plugin's fixtures, its flags, and the keyword
    options in the marker's registered signature."""
    pytester.makepyfile("def test_nothing():\n    pass\n")
    fixtures = pytester.runpytest("--fixtures").stdout.str()
    names = set(re.findall(r"^(yc_\w+) -- ", fixtures, re.MULTILINE))
    flags = set(re.findall(r"(--yc-[a-z-]+)", pytester.runpytest("--help").stdout.str()))
    markers = " ".join(pytester.runpytest("--markers").stdout.str().split())
    signature = re.search(r"@pytest\.mark\.yc_images\(\*, (.*?)\): ", markers)
    assert signature is not None, "the yc_images marker is not registered with its signature"
    options = set(re.findall(r"(\w+)=", signature.group(1)))
    assert len(names) >= 8
    assert len(flags) >= 5
    assert len(options) >= 8
    return names, flags, options


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    readme.run_example(pytester, HEADING, "test_publish")


def test_the_readme_example_uses_the_fixtures_a_marker_and_a_fault() -> None:
    example = readme.example(HEADING)
    for used in ("yc_client", "yc_images", "yc_fake", "@pytest.mark.yc_images(", "faults="):
        assert used in example


def test_the_readme_table_names_every_fixture_option_and_marker_option(
    pytester: pytest.Pytester,
) -> None:
    section = readme.section(HEADING)
    names, flags, options = _registered(pytester)
    for name in sorted(names | flags):
        assert f"| `{name}` |" in section, f"the README table lacks {name}"
    (marker_row,) = [r for r in section.splitlines() if r.startswith("| `@pytest.mark.yc_images")]
    for option in sorted(options):
        assert f"`{option}=`" in marker_row, f"the README's marker row lacks {option}="


def test_the_fixtures_page_names_every_fixture_setting_and_marker_option(
    pytester: pytest.Pytester,
) -> None:
    page = FIXTURES_PAGE.read_text("utf-8")
    names, flags, options = _registered(pytester)
    for name in sorted(names):
        assert f"| `{name}` |" in page, f"docs/fixtures.md's fixture table lacks {name}"
    for option in sorted(options):
        assert f"| `{option}=" in page, f"docs/fixtures.md's marker table lacks {option}="
    for flag in sorted(flags):
        setting = flag.removeprefix("--yc-").replace("-", "_")
        row = f"| `{flag}` | `yc_images_{setting}` | `YC_IMAGES_{setting.upper()}` |"
        assert row in page, f"docs/fixtures.md's options table lacks {row}"


def test_the_fixtures_page_gives_the_help_group_as_pytest_shows_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    help_text = pytester.runpytest("--help").stdout.str()
    (group,) = re.findall(r"^(.*):\n  --yc-", help_text, re.MULTILINE)
    assert f'"{group}"' in FIXTURES_PAGE.read_text("utf-8")
