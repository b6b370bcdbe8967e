"""The pure guardrail checks: X's weighted length, addressing, thread, people, text, caps and quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import Author, Mention
from bot.policy.guardrails import Facts, Limits, Verdict, check, reply_length, stopped, x_weighted_length
from bot.policy.render import render

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 12:00 in London (GMT in November)
LIMITS = Limits(our_handles={"x": frozenset({"nimbushome"}), "reddit": frozenset({"nimbushome"})},
                brand_bots={"x": frozenset({"acmehelp"})}, brand_words=("nimbus", "nimbushome"),
                daily_caps={"x": 2}, timezone="Europe/London", identical_text_days=30)


def _mention(text: str = "@nimbushome hi", handle: str = "jess", platform: str = "x",
             addressed: bool = True) -> Mention:
    return Mention(platform=platform, platform_id="1", author=Author(platform, "u1", handle, "Jess"), text=text,
                   created_at=NOW, account="nimbushome", thread_id="t1", addresses_us=addressed)


NO_FACTS = Facts()


def _stops(mention: Mention, text: str = "Thanks!", facts: Facts = NO_FACTS, limits: Limits = LIMITS,
           now: datetime = NOW, **kw: object) -> dict[str, Verdict]:
    return {v.guardrail: v for v in stopped(check(mention, text, facts, limits, now, **kw))}  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [
    ("hello", 5),
    ("你好世界", 8),  # CJK weighs 2
    ("café", 4),
    ("cafe\u0301", 4),  # NFC folds e + combining accent into one
    ("ok 👍", 5),
    ("👍🏽", 2),  # skin tone modifier: one emoji
    ("👨‍👩‍👧‍👦", 2),  # a ZWJ family sequence is one emoji
    ("🇬🇧", 2),  # a flag (two regional indicators)
    ("see https://help.nimbushome.example/a/very/long/path/that/goes/on/and/on", 4 + 23),
    ("docs: https://x.co.", 6 + 23 + 1),  # trailing full stop is not part of the URL
    ("visit www.nimbushome.com today", 6 + 23 + 6),
    ("“quoted” — dash", 15),  # quotes and dashes are in the light ranges: 1 each
    ("wait…", 6),  # but the ellipsis (U+2026) is not: 2
])
def test_x_weighted_length(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


def test_x_limit_is_280_weighted_and_reddit_10000_plain() -> None:
    assert not _stops(_mention(), "a" * 280)
    assert "length" in _stops(_mention(), "a" * 281)
    assert "length" in _stops(_mention(), "好" * 141)  # 141 characters, 282 weighted
    assert not _stops(_mention(), "好" * 140)
    assert reply_length("reddit", "好" * 10_000) == (10_000, 10_000)
    assert "length" in _stops(_mention(platform="reddit"), "a" * 10_001)


@given(st.text(max_size=400))
def test_weighted_length_is_bounded(text: str) -> None:
    n = x_weighted_length(text)
    assert 0 <= n <= 2 * len(text) + 23


def test_keyword_search_finds_on_x_need_the_setting_and_the_rule() -> None:
    stranger = _mention("my nimbus thermo is great", addressed=False)
    assert "on X we only reply" in _stops(stranger)["addressed"].reason
    assert "addressed" in _stops(stranger, allow_keyword_posts=True)
    opted = Limits(**{**LIMITS.__dict__, "x_keyword_replies": True})
    assert "addressed" in _stops(stranger, limits=opted)
    assert "addressed" not in _stops(stranger, limits=opted, allow_keyword_posts=True)
    assert "addressed" not in _stops(_mention("thanks @NimbusHome", addressed=False))


def test_reddit_posts_must_mention_the_brand() -> None:
    assert "addressed" not in _stops(_mention("the nimbus hub is good", platform="reddit", addressed=False))
    assert "addressed" in _stops(_mention("what thermostat should I buy", platform="reddit", addressed=False))


def test_people_we_never_reply_to() -> None:
    assert "own_account" in _stops(_mention(handle="NimbusHome"))
    assert "brand_bot" in _stops(_mention(handle="@AcmeHelp"))
    listed = _stops(_mention(), facts=Facts(do_not_contact="asked us to stop"))
    assert listed["do_not_contact"].reason == "@jess is on the do-not-contact list (asked us to stop)"


def test_one_reply_per_thread_until_the_author_answers() -> None:
    assert "one_per_thread" in _stops(_mention(), facts=Facts(unanswered_in_thread=1))
    assert "one_per_thread" not in _stops(_mention(), facts=Facts(unanswered_in_thread=1), kind="follow_up")
    assert "one_per_thread" in _stops(_mention(), facts=Facts(unanswered_in_thread=2), kind="follow_up")


def test_identical_text_to_the_same_person_ignores_case_and_spacing() -> None:
    facts = Facts(recent_texts=("Thanks  so much, Jess!",))
    assert "identical_text" in _stops(_mention(), "thanks so much, jess!", facts=facts)
    assert "identical_text" not in _stops(_mention(), "Thanks a lot, Jess!", facts=facts)


def test_daily_cap_and_quiet_hours_hold_posts_only() -> None:
    facts = Facts(replies_today=2)
    held = _stops(_mention(), facts=facts)["daily_cap"]
    assert held.until == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    assert "daily_cap" not in _stops(_mention(), facts=facts, stage="suggest")
    assert "daily_cap" not in _stops(_mention(platform="reddit", text="nimbus"), facts=facts)  # no reddit cap


@pytest.mark.parametrize(("start", "end", "local_now", "until"), [
    ("22:00", "07:00", datetime(2026, 11, 20, 23, 30, tzinfo=UTC), datetime(2026, 11, 21, 7, 0, tzinfo=UTC)),
    ("22:00", "07:00", datetime(2026, 11, 20, 6, 0, tzinfo=UTC), datetime(2026, 11, 20, 7, 0, tzinfo=UTC)),
    ("22:00", "07:00", datetime(2026, 11, 20, 7, 0, tzinfo=UTC), None),
    ("12:00", "14:00", datetime(2026, 11, 20, 13, 0, tzinfo=UTC), datetime(2026, 11, 20, 14, 0, tzinfo=UTC)),
    ("22:00", "07:00", datetime(2026, 7, 20, 5, 30, tzinfo=UTC), datetime(2026, 7, 20, 6, 0, tzinfo=UTC)),  # BST
])
def test_quiet_hours_in_the_configured_timezone(start: str, end: str, local_now: datetime,
                                                until: datetime | None) -> None:
    limits = Limits(**{**LIMITS.__dict__, "quiet_start": time.fromisoformat(start),
                       "quiet_end": time.fromisoformat(end)})
    verdict = _stops(_mention(), limits=limits, now=local_now).get("quiet_hours")
    assert (verdict.until if verdict else None) == until
    assert "quiet_hours" not in _stops(_mention(), limits=limits, now=local_now, stage="suggest")


def test_every_verdict_names_its_guardrail_and_reason() -> None:
    verdicts = check(_mention(), "Thanks!", Facts(), LIMITS, NOW)
    assert {v.guardrail for v in verdicts} == {"addressed", "own_account", "brand_bot", "do_not_contact",
                                               "one_per_thread", "identical_text", "length", "daily_cap",
                                               "quiet_hours"}
    assert all(v.ok and v.reason for v in verdicts)
    assert str(Verdict("length", False, "300 of 280")) == "length: 300 of 280"


@given(st.text(max_size=60))
def test_reply_templates_never_evaluate_what_people_write(name: str) -> None:
    values = {"first_name": name, "brand": "Nimbus Home"}
    assert render("Hi {first_name}, from {brand}", values) == f"Hi {name}, from Nimbus Home"
