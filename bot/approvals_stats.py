"""Approval-aware figures per rule (pure): how long suggestions wait, how much people change them, why
they reject them. A rule whose drafts are rewritten or rejected often is a template that needs work.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.store.reports import DecisionRow


@dataclass(frozen=True)
class RuleFigures:
    """One rule's drafts in a period and what people did with them."""

    rule_id: str
    suggested: int
    approved: int
    edited: int
    rejected: int
    pending: int
    median_wait_minutes: float | None
    mean_edit_distance: float | None
    reasons: tuple[tuple[str, int], ...]
    expired: int = 0  # nobody decided before the conversation's time ran out

    @property
    def needs_work(self) -> bool:
        """Half or more of the decided drafts were rewritten or rejected."""
        decided = self.approved + self.rejected
        return decided >= 2 and (self.edited + self.rejected) / decided >= 0.5


def edit_distance(a: str, b: str) -> int:
    """Word-level Levenshtein distance: words inserted, deleted or replaced to turn ``a`` into ``b``."""
    left, right = a.split(), b.split()
    previous = list(range(len(right) + 1))
    for i, word in enumerate(left, start=1):
        current = [i]
        for j, other in enumerate(right, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]


def per_rule(rows: Sequence[DecisionRow]) -> list[RuleFigures]:
    """Figures for every rule that drafted a reply, the ones most in need of work first."""
    by_rule: dict[str, list[DecisionRow]] = {}
    for row in rows:  # a rule's follow-up question is a template of its own
        by_rule.setdefault(row.rule_id if row.kind == "reply" else f"{row.rule_id} (follow-up)", []).append(row)
    found = []
    for rule_id, group in by_rule.items():
        approved = [r for r in group if r.status == "approved"]
        rejected = [r for r in group if r.status == "rejected"]
        waits = [(r.decided_at - r.created_at).total_seconds() / 60 for r in group if r.decided_at is not None]
        edits = [edit_distance(r.suggested_text, r.final_text) for r in approved]
        found.append(RuleFigures(
            rule_id=rule_id, suggested=len(group), approved=len(approved), edited=sum(e > 0 for e in edits),
            rejected=len(rejected), pending=sum(r.status == "pending" for r in group),
            median_wait_minutes=round(statistics.median(waits), 1) if waits else None,
            mean_edit_distance=round(statistics.fmean(edits), 1) if edits else None,
            expired=sum(r.status == "expired" for r in group),
            reasons=tuple(Counter(r.reason.strip().lower() for r in rejected if r.reason.strip()).most_common(3)),
        ))
    return sorted(found, key=lambda f: (not f.needs_work, -(f.edited + f.rejected), f.rule_id))
