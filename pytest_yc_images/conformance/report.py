"""The Markdown conformance matrix: one row per contract, the rules it checks, the outcome."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules import Rule, catalogue

__all__ = ["Report", "Row"]

_ORDER = {"failed": 0, "passed": 1, "skipped": 2}


@dataclass
class Row:
    nodeid: str
    rules: list[str]
    method: str
    outcome: str = "passed"
    detail: str = ""  # for a failure: the message and the last exchange; for a skip: why


@dataclass
class Report:
    """Collects test reports (also those xdist workers send) and writes the matrix."""

    target: str
    profile: str
    mutations: bool
    run_id: str
    rows: dict[str, Row] = field(default_factory=dict)

    def add(self, nodeid: str, when: str, outcome: str, props: Iterable[tuple[str, Any]],
            detail: str) -> None:  # fmt: skip
        values = dict(props)
        row = self.rows.setdefault(
            nodeid,
            Row(nodeid, str(values.get("rules", "")).split(), str(values.get("method", ""))),
        )
        if outcome == "failed" and row.outcome != "failed":
            row.outcome, row.detail = "failed", detail
            if values.get("exchange"):
                row.detail += f" | last exchange: {values['exchange']}"
        elif outcome == "skipped" and row.outcome == "passed" and when != "teardown":
            row.outcome, row.detail = "skipped", detail

    def uncovered(self) -> list[Rule]:
        named = {r for row in self.rows.values() for r in row.rules}
        wanted = [r for r in catalogue().values() if r.holds_in(self.profile)]
        return [r for r in wanted if r.id not in named]

    def markdown(self) -> str:
        counts = {k: sum(r.outcome == k for r in self.rows.values()) for k in _ORDER}
        lines = [
            "# ImageService conformance",
            "",
            f"- target: {self.target}",
            f"- profile: **{self.profile}**"
            + (
                " (the seed documentation's service)"
                if self.profile == "seed"
                else " (today's service: the live protos and reference pages)"
            ),
            f"- run id: `{self.run_id}`",
            f"- contracts: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['skipped']} not run",
        ]
        if not self.mutations:
            lines.append(
                "- **read-only run**: the target is not on loopback and --allow-mutations was "
                "not given, so contracts that create, update or delete images did not run"
            )
        lines += [
            "",
            "| contract | rules | method | result | failure / note |",
            "|---|---|---|---|---|",
        ]
        for row in sorted(self.rows.values(), key=lambda r: (_ORDER[r.outcome], r.nodeid)):
            result = {"passed": "pass", "failed": "**FAIL**", "skipped": "not run"}[row.outcome]
            detail = row.detail.replace("|", "\\|").replace("\n", " ")[:600]
            lines.append(
                f"| `{row.nodeid.split('::')[-1]}` | {', '.join(row.rules)} | {row.method} "
                f"| {result} | {detail} |"
            )
        uncovered = self.uncovered()
        lines += ["", f"## Uncovered rules ({len(uncovered)})", ""]
        if not uncovered:
            lines.append("Every documented rule of the profile is checked by a contract.")
        for rule in uncovered:
            why = f" (not testable over REST: {rule.not_testable})" if rule.not_testable else ""
            lines.append(f"- `{rule.id}` ({rule.method}): {rule.text}{why}")
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path) -> None:
        Path(path).write_text(self.markdown(), encoding="utf-8")
