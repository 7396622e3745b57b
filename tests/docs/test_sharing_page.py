"""docs/sharing.md names exactly the roles and subject types the fake knows."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_yc_images._core.roles import ROLES, SUBJECT_TYPES

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "sharing.md").read_text()


def _first_cells(heading: str) -> set[str]:
    """The backquoted names in the first cell of each row of the table after ``heading``."""
    lines = PAGE.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("|"))
    names: set[str] = set()
    for line in lines[start + 2 :]:  # past the header and its rule
        if not line.lstrip().startswith("|"):
            break
        names.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return names


def test_the_roles_table_lists_every_role_the_fake_knows_and_no_other() -> None:
    assert _first_cells("**What each role allows**") == set(ROLES)


def test_the_subjects_table_lists_the_four_types_of_access_proto() -> None:
    assert _first_cells("### The subjects") == set(SUBJECT_TYPES)
