"""Social ID formula (version 2): the worked examples of docs/social-id.md, and edge cases."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.dispatch import dispatch
from bot.models import LoopFacts
from bot.pipeline import poll_once
from bot.queue import approve
from bot.runtime import build_runtime
from bot.socialid import (
    BusinessHours,
    LoopRecord,
    Options,
    parse_week,
    polite,
    previous_weeks,
    social_id,
    template_words,
    week_bounds,
    week_of,
)
from tests.conftest import NOW, mention

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday


def loop(replied_after_h: float | None, sla_h: float = 4, answer: float | None = None, mention: float = -0.6,
         reply: str = "Hi Jess, sorry about the thermostat. DM us?", suggested: str | None = None,
         mention_text: str = "my thermostat keeps rebooting", reason: str = "", rule: str = "") -> LoopRecord:
    replied = T0 + timedelta(hours=replied_after_h) if replied_after_h is not None else None
    return LoopRecord(account="nimbushome", priority="P2", opened_at=T0, sla_due=T0 + timedelta(hours=sla_h),
                      mention_text=mention_text, mention_compound=mention, close_reason=reason, replied_at=replied,
                      reply_text=reply if replied else "", suggested_text=reply if suggested is None else suggested,
                      answered_at=replied + timedelta(hours=1) if replied and answer is not None else None,
                      answer_compound=answer, rule_id=rule)


WORKED = [
    loop(1, answer=0.8, suggested="Hi there, sorry. DM us?"),  # on time, personalised, recovered
    loop(6),                                                    # late, silent
    loop(None, reason="missed"),                                # never answered
    loop(None, reason="declined"),                              # a person decided no reply: not counted
]


def test_worked_example_1_from_the_docs() -> None:
    result = social_id("nimbushome", "2026-W47", WORKED)
    assert (result.loops, result.replied, result.answered, result.sla_met) == (3, 2, 1, 1)
    # 0.4 x 2/3 replied + 0.4 x 1/3 on time + 0.2 x speed mean(min(1, 240/60), min(1, 240/360))
    assert result.responsiveness == pytest.approx(100 * (0.4 * 2 / 3 + 0.4 / 3 + 0.2 * (1 + 240 / 360) / 2), abs=0.05)
    assert result.responsiveness == 56.7
    # "thermostat" shared (specificity 1/2); first: personalised, question, engaged; second: question only
    assert result.relevance == 60.0
    # both polite; the only answer turned -0.6 into +0.8: recovered, outcome 1.0
    assert result.demeanor == 100.0 and result.recovered == 1
    assert result.overall == 70.7  # 0.4 x 56.67 + 0.3 x 60 + 0.3 x 100
    assert (result.median_response_minutes, result.p90_response_minutes) == (210.0, 360.0)


def test_worked_example_2_template_words_do_not_count_as_specific() -> None:
    template = "Hi {first_name}, sorry about the thermostat. DM us?"
    opts = Options(template_words={"complaint": template_words([template])})
    canned = loop(1, rule="complaint", reply="Hi Jess, sorry about the thermostat. DM us?")
    assert social_id("a", "w", [canned]).relevance == 40.0  # 0.4 x 1/2 + 0.2 question
    assert social_id("a", "w", [canned], options=opts).relevance == 20.0  # "thermostat" is the template's own word
    specific = loop(1, rule="complaint", reply="Jess, a thermostat that keeps rebooting: firmware 4.2. DM us?")
    assert social_id("a", "w", [specific], options=opts).relevance == 60.0  # keeps + rebooting: 0.4 + 0.2 question


def test_worked_example_3_outcome_without_recovery() -> None:
    # a neutral question (0.0) answered with a neutral thanks (0.0): outcome (0 - 0 + 2) / 4 = 0.5
    result = social_id("a", "w", [loop(1, mention=0.0, answer=0.0)])
    assert result.demeanor == 75.0 and result.recovered == 0


def test_business_hours_stop_the_clock() -> None:
    hours = BusinessHours.parse("09:00-17:00", [1, 2, 3, 4, 5], "UTC")
    friday_4pm = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    assert hours.minutes_between(friday_4pm, friday_4pm + timedelta(days=3, hours=-6)) == 120  # Mon 10:00
    late = LoopFacts(account="a", priority="P2", opened_at=friday_4pm, sla_due=None, mention_text="x",
                     mention_compound=0.0, close_reason="", replied_at=friday_4pm + timedelta(days=3, hours=-6),
                     reply_text="Hello there", suggested_text="Hello there")
    plain = social_id("a", "w", [late], options=Options(sla_hours={"P2": 4}))
    working = social_id("a", "w", [late], options=Options(sla_hours={"P2": 4}, business=hours))
    assert plain.sla_met == 0 and working.sla_met == 1 and working.median_response_minutes == 120
    with pytest.raises(ValueError, match="09:00-17:30"):
        BusinessHours.parse("9 to 5", [1], "UTC")
    with pytest.raises(ValueError, match="start must be before"):
        BusinessHours.parse("17:00-09:00", [1], "UTC")


def test_loops_still_inside_their_sla_are_not_judged_yet() -> None:
    waiting = loop(None)
    assert social_id("a", "w", [waiting], options=Options(as_of=T0 + timedelta(hours=1))).loops == 0
    assert social_id("a", "w", [waiting], options=Options(as_of=T0 + timedelta(hours=5))).loops == 1


def test_weights_change_the_overall_only() -> None:
    even = social_id("a", "w", WORKED, options=Options(weights=(1, 1, 1)))
    assert even.overall == pytest.approx((56.67 + 60 + 100) / 3, abs=0.05)
    assert even.responsiveness == social_id("a", "w", WORKED).responsiveness


def test_no_loops_means_no_score_not_zero() -> None:
    result = social_id("nimbushome", "2026-W47", [])
    assert result.overall is None and result.responsiveness is None and result.change is None


@pytest.mark.parametrize(("reply", "ok"), [
    ("Hi Jess, so sorry about this. Could you DM us your order number?", True),
    ("THIS IS NOT OUR FAULT, READ THE MANUAL", False),
    ("As we said before, you should have updated the firmware.", False),
    ("That is a terrible, awful, useless thing to say and we hate it", False),
])
def test_tone(reply: str, ok: bool) -> None:
    assert polite(reply) is ok


def test_shouting_or_negative_replies_lower_demeanor() -> None:
    nice = social_id("a", "w", [loop(1)])
    rude = social_id("a", "w", [loop(1, reply="THIS IS NOT OUR FAULT, READ THE MANUAL")])
    assert rude.demeanor is not None and nice.demeanor is not None and rude.demeanor < nice.demeanor


def test_weeks() -> None:
    assert parse_week("2026-W47") == (2026, 47)
    start, end = week_bounds("2026-W47", "Europe/London")
    assert start.isoformat() == "2026-11-16T00:00:00+00:00" and end - start == timedelta(days=7)
    assert week_of(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "Europe/Berlin") == "2026-W48"
    assert previous_weeks("2026-W02", 3) == ["2025-W52", "2026-W01", "2026-W02"]
    with pytest.raises(ValueError, match="not like 2026-W47"):
        parse_week("last week")
    with pytest.raises(ValueError, match="does not exist"):
        parse_week("2025-W53")


def _doc_section(title: str) -> str:
    text = (Path(__file__).parents[1] / "docs" / "social-id.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    return text[start:text.index("\n## ", start + 3)]


def test_the_numbers_written_in_the_docs_are_the_codes() -> None:
    """The worked examples' bold results in docs/social-id.md, computed again: docs and code cannot drift apart."""
    one = social_id("nimbushome", "2026-W47", WORKED)
    bold = re.findall(r"\*\*([\d.]+)\*\*", _doc_section("Worked example 1"))
    assert [float(b) for b in bold] == [one.responsiveness, one.relevance, one.demeanor, one.overall]
    assert f"Median response {one.median_response_minutes:.0f} min, p90 {one.p90_response_minutes:.0f} min" in \
        _doc_section("Worked example 1")
    template = template_words(["Hi {first_name}, sorry about the thermostat. DM us?"])
    opts = Options(template_words={"complaint": template})
    canned = loop(1, rule="complaint", reply="Hi Jess, sorry about the thermostat. DM us?")
    specific = loop(1, rule="complaint", reply="Jess, a thermostat that keeps rebooting: firmware 4.2. DM us?")
    two = [social_id("a", "w", [lp], options=opts).relevance for lp in (canned, specific)]
    assert [float(b) for b in re.findall(r"\*\*([\d.]+)\*\*", _doc_section("Worked example 2"))] == two
    three = social_id("a", "w", [loop(1, mention=0.0, answer=0.0)]).demeanor
    assert [float(b) for b in re.findall(r"\*\*([\d.]+)\*\*", _doc_section("Worked example 3"))] == [three]


def test_response_time_runs_from_the_posts_creation_on_the_platform_not_from_when_we_fetched_it(
        make_project: Callable[..., Path]) -> None:
    path = make_project([mention("301", "@nimbushome my order never arrived and nobody answers my emails", -90)])
    rt = build_runtime(load_settings(path))
    try:
        poll_once(rt, NOW)  # fetched now; written 90 minutes ago
        item = rt.store.suggestions.pending()[0]
        approve(rt.store, item.id, "maya", NOW + timedelta(minutes=10))
        dispatch(rt, NOW + timedelta(minutes=10))
        start, end = week_bounds(week_of(NOW, "UTC"), "UTC")
        (record,) = rt.store.relationships.week_records(start, end, "nimbushome")
    finally:
        rt.close()
    assert record.opened_at == NOW - timedelta(minutes=90)
    assert social_id("nimbushome", "w", [record]).median_response_minutes == 100
