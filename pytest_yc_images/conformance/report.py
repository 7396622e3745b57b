"""The Markdown conformance matrix: one row per contract, the rules it checks, the outcome."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules import Rule, catalogue

__all__ = ["Report", "Row"]

_ORDER = {"failed": 0, "passed": 1, "skipped": 2}
_RULE_LINES = 25  # the terminal's list of failed rules stops there (the report has all)
_WIDTH = 150


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
    notes: list[str] = field(default_factory=list)  # what did not run for want of an option

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
        counts = self.counts()
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
        lines += [f"- {note}" for note in self.notes]
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
            why = f" (no contract can check it: {rule.not_testable})" if rule.not_testable else ""
            lines.append(f"- `{rule.id}` ({rule.method}): {rule.text}{why}")
        return "\n".join(lines) + "\n"

    def counts(self) -> dict[str, int]:
        return {k: sum(r.outcome == k for r in self.rows.values()) for k in _ORDER}

    def summary(self, path: str | Path | None) -> list[str]:
        """The terminal's few lines: what ran, what failed grouped by rule, the report."""
        counts = self.counts()
        lines = [f"yc-images conformance: {self.target}; profile {self.profile}; "
                 f"{counts['passed']} passed, {counts['failed']} failed, "
                 f"{counts['skipped']} not run"]  # fmt: skip
        failed = [r for r in self.rows.values() if r.outcome == "failed"]
        if failed:
            why, times = Counter(_first(r.detail) for r in failed).most_common(1)[0]
            lines.append(f"most common failure ({times} of {len(failed)}): {why}")
            by_rule: dict[str, list[str]] = {}
            for row in sorted(failed, key=lambda r: r.nodeid):
                for rule_id in row.rules or ["(no rule)"]:
                    by_rule.setdefault(rule_id, []).append(row.nodeid.split("::")[-1])
            lines.append(f"failed, by rule ({len(by_rule)} rules):")
            for rule_id in sorted(by_rule)[:_RULE_LINES]:
                lines.append(_fit(f"  {rule_id}: ", by_rule[rule_id]))
            if len(by_rule) > _RULE_LINES:
                lines.append(f"  ... and {len(by_rule) - _RULE_LINES} more rules (see the report)")
        if path:
            lines.append(f"report: {Path(path).resolve()}")
        return lines

    def write(self, path: str | Path) -> None:
        Path(path).write_text(self.markdown(), encoding="utf-8")


def _first(detail: str) -> str:
    """A failure's message without the exchange, on one short line."""
    text = detail.split(" | last exchange:")[0].replace("\n", " ")
    text = re.sub(r"^(?:[A-Za-z_][\w]*\.)+(?=\w+: )", "", text)  # the exception's module
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."


def _fit(head: str, names: list[str]) -> str:
    """``head`` and as many of ``names`` as fit on one line, then how many more."""
    line = head
    for shown, name in enumerate(names):
        more = f" (+{len(names) - shown} more)"
        if shown and len(line) + len(name) + 2 + len(more) > _WIDTH:
            return line + more
        line += (", " if shown else "") + name
    return line
