"""Rendering: people's words are escaped and bounded; the text part says what the HTML says."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.approvals_stats import RuleFigures
from bot.relationships import Relationship
from bot.report.figures import AccountWeek, Highlight, WeekFigures, highlights
from bot.report.render import render_html, render_text, subject
from bot.socialid import LoopRecord, Options, SocialId
from bot.store.reports import QueueHealth

HOSTILE = "<script>alert(1)</script><img src=https://evil.example/x.png> {{ 7*7 }} " + "long " * 200


RULE = RuleFigures("complaint-apology", suggested=5, approved=3, edited=2, rejected=2, pending=0,
                   median_wait_minutes=130.0, mean_edit_distance=6.3, reasons=(("too generic", 2),), expired=1)
PERSON = Relationship(7, "x", "zoë", "Zoë Ærø", interactions=4, mentions=3, replies=1,
                      first_contact=datetime(2026, 10, 1, tzinfo=UTC), last_contact=datetime(2026, 11, 18, tzinfo=UTC),
                      sentiment=(-0.6, 0.0, 0.7), recovered=1, advocacy=2, recommendations=1, churn_signals=())


def figures() -> WeekFigures:
    week = SocialId("nimbushome", "2026-W47", 3, 2, 1, 56.7, 60.0, 100.0, 70.7, 210.0, 360.0, sla_met=1,
                    recovered=1, previous=66.5)
    earlier = SocialId("nimbushome", "2026-W46", 2, 2, 0, 80.0, 40.0, 75.0, 66.5, 30.0, 30.0)
    start = datetime(2026, 11, 16, tzinfo=UTC)
    spotlight = Highlight("@jess<b>", HOSTILE, "Sorry Jess, DM us?", "thanks, fixed!", "-0.60 → +0.80")
    return WeekFigures(week="2026-W47", start=start, end=start + timedelta(days=7), brand="Nimbus Høme",
                       accounts=(AccountWeek("nimbushome", "@nimbushome", week, (earlier, week), (spotlight,),
                                              (spotlight,), ()),),
                       relationships=(PERSON,), rules=(RULE,), queue=QueueHealth(4, 1, start, 0, 0), web_url="https://ronr.example")


def test_hostile_text_is_escaped_and_shortened() -> None:
    html = render_html(figures())
    assert "<script" not in html and "<img" not in html and "evil.example" in html  # shown as text, not loaded
    assert "&lt;script&gt;" in html and "@jess&lt;b&gt;" in html and "{{ 7*7 }}" in html
    assert "long " * 60 not in html  # bounded


def test_text_and_subject_carry_the_numbers() -> None:
    text = render_text(figures())
    assert "@nimbushome: Social ID 71 (▲ 4.2 vs last week)" in text
    assert "Responsiveness 57 · Relevance 60 · Demeanor 100" in text
    assert "Last 2 weeks: W46 66 · W47 71" in text
    assert "1 answered back, 1 turned around, 0 follow-up questions asked" in text
    assert "1 person answered back · 1 turned around · 0 follow-up questions asked" in render_html(figures())
    one = replace(figures().accounts[0], current=replace(figures().accounts[0].current, questions=1))
    assert "1 follow-up question asked" in render_text(replace(figures(), accounts=(one,)))
    assert "16–22 Nov 2026" in text and "Queue now: 4 waiting for approval, 1 past their SLA" in text
    assert subject(figures()) == "Nimbus Høme Social ID, week 2026-W47: @nimbushome 71 (+4.2)"


def test_per_rule_figures_and_the_ledger_are_in_both_parts() -> None:
    text, html = render_text(figures()), render_html(figures())
    assert ("- complaint-apology: 5 drafts (1 expired undecided), 2 edited (6.3 words changed on average), 2 rejected "
            '(mostly "too generic"), median wait 2.2 h') in text
    assert "Templates needing work: complaint-apology (2 edited, 2 rejected)" in text
    assert "@zoë: 4 interactions, advocate, recovered 1, 2 unprompted positive" in text
    assert ">6.3</td>" in html and "too generic (2)" in html and "2.2 h" in html and "needs work" in html
    assert "1 expired" in html
    assert "incl. 1 recommendation" in html and "Zoë Ærø" in html
    # each post's mood in its colour: negative, neutral, positive, oldest first
    assert ('<span style="color:#c8372d;">▂</span><span style="color:#9aa5b1;">▅</span>'
            '<span style="color:#1f8a4c;">▇</span>') in html


def test_highlights_pick_the_best_recoveries_the_missed_and_the_late() -> None:
    t0 = datetime(2026, 11, 16, 9, tzinfo=UTC)

    def lp(handle: str, replied_h: float | None, mention: float = -0.5, answer: float | None = None,
           reason: str = "", opened_h: float = 0) -> LoopRecord:
        opened = t0 + timedelta(hours=opened_h)
        replied = None if replied_h is None else t0 + timedelta(hours=replied_h)
        return LoopRecord(account="a", priority="P2", opened_at=opened, sla_due=opened + timedelta(hours=4),
                          mention_text=f"{handle} wrote", mention_compound=mention, close_reason=reason,
                          replied_at=replied, reply_text="Sorry, DM us?" if replied else "", suggested_text="",
                          answer_compound=answer, author_handle=handle,
                          author_platform="reddit" if handle == "small" else "x")

    loops = [lp("small", 1, -0.1, 0.1), lp("big", 1, -0.9, 0.9), lp("gone", None, reason="missed"),
             lp("overdue", None), lp("fresh", None, opened_h=8), lp("slow", 10),
             lp("declined", None, reason="declined")]
    options = Options(sla_hours={"P2": 4.0}, as_of=t0 + timedelta(hours=10))
    recoveries, missed, late = highlights(loops, options)
    assert [h.handle for h in recoveries] == ["@big", "u/small"]  # biggest swing first, written as on its platform
    assert recoveries[0].note == "-0.90 → +0.90"
    assert [h.handle for h in missed] == ["@gone", "@overdue"]  # "fresh" is inside its SLA; "declined" was a decision
    assert [(h.handle, h.note) for h in late] == [("@slow", "P2, 6.0 h past the SLA")]
    html, text = render_html(figures()), render_text(figures())
    assert "Needs attention" in html and "missed (-0.60 → +0.80): @jess<b>" in text
