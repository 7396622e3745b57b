"""docs/semantics.md's table of codes and HTTP statuses is the one the fake answers with."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_yc_images import Code

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "semantics.md").read_text()


def test_the_errors_table_pairs_each_code_with_the_fakes_http_status() -> None:
    section = PAGE.split("## Errors", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| ([A-Z_]+) \| (\d{3}) \|$", section, re.MULTILINE)
    assert len(rows) == len(Code) - 1  # every code but OK
    for number, name, http in rows:
        code = Code(int(number))
        assert (code.name, code.http_status) == (name, int(http))
