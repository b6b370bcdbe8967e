"""The relationship ledger and the approval figures per rule (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.approvals_stats import edit_distance, per_rule
from bot.relationships import AuthorLoop, Contact, ledger_entry, rank
from bot.store.reports import DecisionRow

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return NOW - timedelta(days=n)


def test_a_complaint_turned_around_then_a_recommendation() -> None:
    contacts = [
        Contact(day(20), "mention", -0.7, ("complaint",), "my hub is offline again"),
        Contact(day(19.9), "answer", 0.6, (), "that fixed it, thanks!"),
        Contact(day(5), "mention", 0.8, ("praise",), "I recommend the Nimbus Hub to everyone now"),
    ]
    loops = [AuthorLoop(day(20), -0.7, day(19.95), 0.6, "answered")]
    entry = ledger_entry(7, "x", "jess", "Jess Müller", contacts, loops, NOW)
    assert (entry.interactions, entry.mentions, entry.replies) == (4, 2, 1)
    assert (entry.first_contact, entry.last_contact) == (day(20), day(5))
    assert entry.sentiment == (-0.7, 0.6, 0.8) and entry.trend == pytest.approx(1.5)
    assert (entry.recovered, entry.advocacy, entry.recommendations) == (1, 1, 1)
    assert entry.churn_signals == () and entry.status == "advocate"
    assert entry.spark[0] < entry.spark[-1]


def test_praise_before_we_ever_replied_is_not_advocacy() -> None:
    entry = ledger_entry(1, "x", "li", "", [Contact(day(3), "mention", 0.9, ("praise",), "love it")], [], NOW)
    assert entry.advocacy == 0 and entry.status == "steady"


@pytest.mark.parametrize(("contacts", "loops", "signal"), [
    ([Contact(day(2), "mention", -0.6, ("churn_risk",), "switching to another brand")], [], "said they may leave"),
    ([Contact(day(40), "mention", -0.6, (), "still broken")], [], "last message negative"),
    ([Contact(day(9), "mention", -0.3, (), "hello?")], [AuthorLoop(day(9), -0.3, None, None, "missed")],
     "we never replied"),
    ([Contact(day(9), "mention", -0.3, (), "broken")], [AuthorLoop(day(9), -0.3, day(8), None, "timeout")],
     "went quiet after a complaint"),
])
def test_churn_signals(contacts: list[Contact], loops: list[AuthorLoop], signal: str) -> None:
    entry = ledger_entry(1, "x", "sam", "", contacts, loops, NOW)
    assert signal in entry.churn_signals and entry.status == "at risk"


def test_rank_puts_advocates_and_people_at_risk_before_quiet_ones() -> None:
    quiet = ledger_entry(1, "x", "quiet", "", [Contact(day(1), "mention", 0.1)] * 2, [], NOW)
    loud = ledger_entry(2, "x", "loud", "", [Contact(day(1), "mention", -0.8, ("churn_risk",), "leaving")], [], NOW)
    assert [r.handle for r in rank([quiet, loud], 1)] == ["loud"]


def test_edit_distance_counts_words() -> None:
    assert edit_distance("Hi there, sorry. DM us?", "Hi there, sorry. DM us?") == 0
    assert edit_distance("Hi there, sorry. DM us?", "Hi Jess, sorry. DM us please?") == 3  # 3 word edits
    assert edit_distance("", "three new words") == 3


def test_per_rule_figures_find_the_templates_that_need_work() -> None:
    def row(rule: str, status: str, final: str = "", reason: str = "", wait: float = 30) -> DecisionRow:
        decided = None if status in ("pending", "expired") else day(1) + timedelta(minutes=wait)
        return DecisionRow(rule, "nimbushome", day(1), status, decided, "Sorry to hear that. DM us?", final, reason)

    rows = [row("complaint", "expired"),
            row("complaint", "approved", "Sorry to hear the hub is down, Jess. DM us?", wait=10),
            row("complaint", "rejected", reason="Too generic"), row("complaint", "rejected", reason="too generic "),
            row("praise", "approved", "Sorry to hear that. DM us?", wait=50), row("praise", "pending")]
    complaint, praise = per_rule(rows)
    assert complaint.rule_id == "complaint" and complaint.needs_work
    assert (complaint.suggested, complaint.approved, complaint.edited, complaint.rejected) == (4, 1, 1, 2)
    assert (complaint.expired, praise.expired) == (1, 0)
    assert complaint.reasons == (("too generic", 2),) and complaint.median_wait_minutes == 30
    assert complaint.mean_edit_distance == 5.0
    assert not praise.needs_work and praise.pending == 1 and praise.mean_edit_distance == 0


def test_a_rules_follow_up_question_is_counted_as_a_template_of_its_own() -> None:
    asked = DecisionRow("complaint", "nimbushome", NOW, "rejected", NOW, "Did that fix it?", "", "too pushy",
                        kind="follow_up")
    replied = DecisionRow("complaint", "nimbushome", NOW, "approved", NOW, "Sorry. DM us?", "Sorry. DM us?", "")
    figures = {f.rule_id: f for f in per_rule([asked, replied])}
    assert set(figures) == {"complaint", "complaint (follow-up)"}
    assert figures["complaint (follow-up)"].reasons == (("too pushy", 1),)
    assert figures["complaint"].rejected == 0
