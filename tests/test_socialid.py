"""Social ID formula (version 1): worked examples from docs/social-id.md, and edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import LoopFacts
from bot.socialid import parse_week, social_id, week_bounds, week_of

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def loop(replied_after_h: float | None, sla_h: float = 4, answer: float | None = None, mention: float = -0.6,
         reply: str = "Hi Jess, sorry about the thermostat. DM us?", suggested: str | None = None,
         mention_text: str = "my thermostat keeps rebooting", reason: str = "") -> LoopFacts:
    replied = T0 + timedelta(hours=replied_after_h) if replied_after_h is not None else None
    return LoopFacts(account="nimbushome", priority="P2", opened_at=T0, sla_due=T0 + timedelta(hours=sla_h),
                     mention_text=mention_text, mention_compound=mention, close_reason=reason, replied_at=replied,
                     reply_text=reply if replied else "", suggested_text=reply if suggested is None else suggested,
                     answered_at=replied + timedelta(hours=1) if replied and answer is not None else None,
                     answer_compound=answer)


def test_worked_example_from_the_docs() -> None:
    loops = [
        loop(1, answer=0.8, suggested="Hi there, sorry. DM us?"),  # on time, personalised, recovered
        loop(6),                                                    # late, silent
        loop(None),                                                 # never answered
        loop(None, reason="declined"),                              # a person decided no reply: not counted
    ]
    result = social_id("nimbushome", "2026-W47", loops)
    assert (result.loops, result.replied, result.answered) == (3, 2, 1)
    assert result.responsiveness == pytest.approx(100 * (0.5 * 2 / 3 + 0.5 * 1 / 3), abs=0.1)  # 50.0
    # specificity: "thermostat" shared -> 1/3 each; personalised only the first; engaged only the first
    assert result.relevance == pytest.approx(100 * ((0.4 / 3 + 0.3 + 0.3) + (0.4 / 3)) / 2, abs=0.1)
    # tone: both replies polite -> 1.0; change: (0.8 - -0.6 + 2) / 4 = 0.85
    assert result.demeanor == pytest.approx(100 * (0.5 * 1.0 + 0.5 * 0.85), abs=0.1)
    assert result.median_response_minutes == 210.0


def test_no_loops_means_no_score_not_zero() -> None:
    result = social_id("nimbushome", "2026-W47", [])
    assert result.overall is None and result.responsiveness is None


def test_shouting_or_negative_replies_lower_demeanor() -> None:
    polite = social_id("a", "w", [loop(1)])
    rude = social_id("a", "w", [loop(1, reply="THIS IS NOT OUR FAULT, READ THE MANUAL")])
    assert rude.demeanor is not None and polite.demeanor is not None and rude.demeanor < polite.demeanor


def test_weeks() -> None:
    assert parse_week("2026-W47") == (2026, 47)
    start, end = week_bounds("2026-W47", "Europe/London")
    assert start.isoformat() == "2026-11-16T00:00:00+00:00" and end - start == timedelta(days=7)
    assert week_of(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "Europe/Berlin") == "2026-W48"
    with pytest.raises(ValueError, match="not like 2026-W47"):
        parse_week("last week")
