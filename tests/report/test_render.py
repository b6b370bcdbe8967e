"""Rendering: people's words are escaped and bounded; the text part says what the HTML says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.report.figures import AccountWeek, Highlight, WeekFigures
from bot.report.render import render_html, render_text, subject
from bot.socialid import SocialId
from bot.store.reports import QueueHealth

HOSTILE = "<script>alert(1)</script><img src=https://evil.example/x.png> {{ 7*7 }} " + "long " * 200


def figures() -> WeekFigures:
    week = SocialId("nimbushome", "2026-W47", 3, 2, 1, 56.7, 60.0, 100.0, 70.7, 210.0, 360.0, sla_met=1,
                    recovered=1, previous=66.5)
    earlier = SocialId("nimbushome", "2026-W46", 2, 2, 0, 80.0, 40.0, 75.0, 66.5, 30.0, 30.0)
    start = datetime(2026, 11, 16, tzinfo=UTC)
    spotlight = Highlight("jess<b>", HOSTILE, "Sorry Jess, DM us?", "thanks, fixed!", "-0.60 → +0.80")
    return WeekFigures(week="2026-W47", start=start, end=start + timedelta(days=7), brand="Nimbus Høme",
                       accounts=(AccountWeek("nimbushome", week, (earlier, week), (spotlight,), (spotlight,), ()),),
                       relationships=(), rules=(), queue=QueueHealth(4, 1, start, 0, 0), web_url="https://ronr.example")


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
    assert "16–22 Nov 2026" in text and "Queue now: 4 waiting for approval, 1 past their SLA" in text
    assert subject(figures()) == "Nimbus Høme Social ID, week 2026-W47: nimbushome 71 (+4.2)"
