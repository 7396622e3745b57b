"""The README is a front door: short, its links resolve, and its commands are the ones
CI runs and the package provides."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from tests._downstream import DOCS, README, ROOT

LIMIT = 10_000  # characters: the bound for the front door
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _text() -> str:
    return README.read_text("utf-8")


def _project() -> dict[str, Any]:
    """pyproject.toml's [project] table."""
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return project


def _nav_pages() -> set[str]:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))

    def listed(entries: object) -> set[str]:
        if isinstance(entries, list):
            return set().union(*(listed(e) for e in entries)) if entries else set()
        if isinstance(entries, dict):
            return listed(list(entries.values()))
        return {str(entries)}

    return listed(config["nav"])


def _shell_lines() -> list[str]:
    """Every line of the README's ```sh blocks."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", _text(), re.DOTALL | re.MULTILINE)
    return [line for block in blocks for line in block.splitlines()]


def test_the_readme_is_under_the_limit() -> None:
    assert len(_text()) < LIMIT, f"README.md has {len(_text())} characters; keep it under {LIMIT}"


def test_every_relative_link_resolves_and_docs_links_are_in_the_site() -> None:
    links = [link for link in _LINK.findall(_text()) if "://" not in link]
    docs_links = [link for link in links if link.startswith("docs/")]
    assert "docs/index.md" in docs_links
    assert len(docs_links) >= 10  # the front door links to the documentation site
    for link in links:
        path = link.split("#", 1)[0]
        assert (ROOT / path).is_file(), f"README.md links {link}, which does not exist"
    nav = _nav_pages()
    for link in docs_links:
        page = Path(link.split("#", 1)[0]).relative_to("docs").as_posix()
        assert page in nav, f"README.md links {link}, which is not in mkdocs.yml's nav"
        assert (DOCS / page).is_file()


def test_the_intro_is_three_sentences() -> None:
    intro = _text().split("\n\n", 2)[1]
    sentences = re.findall(r"[^.]+\.(?:\s|$)", intro.replace("\n", " "))
    assert len(sentences) == 3, sentences


def test_ci_runs_the_readme_test_command_as_written() -> None:
    (command,) = [line for line in _shell_lines() if " pytest" in line]
    assert command.endswith("-m pytest -n auto")
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert command in ci, ".ci/run must run the README's test command exactly as written"


def test_the_server_command_starts_the_packaged_server() -> None:
    (command,) = [line for line in _shell_lines() if " serve " in line]
    assert "yc-images-fake" in _project()["scripts"]
    assert command.endswith(".venv/bin/yc-images-fake serve --port 8080")


def test_the_install_lines_name_the_built_wheel_and_existing_extras() -> None:
    project = _project()
    version, extras = project["version"], set(project["optional-dependencies"])
    installs = [line for line in _shell_lines() if line.startswith("pip install ")]
    wheel = f"pytest_yc_images-{version}-py3-none-any.whl"
    assert any(wheel in line for line in installs), f"no install of {wheel} in {installs}"
    for line in installs:
        named = re.search(r"\[([\w,]+)\]'", line)
        assert named is not None, line
        for extra in named.group(1).split(","):
            assert extra in extras, f"README installs the extra {extra!r}; pyproject has {extras}"


def test_the_other_entry_points_are_named() -> None:
    section = _text().split("## Other entry points\n", 1)[1].split("\n## ", 1)[0]
    for script in _project()["scripts"]:
        assert f"`{script}" in section, f"README's other entry points lack {script}"
    assert "(docs/fuzzing.md)" in section
