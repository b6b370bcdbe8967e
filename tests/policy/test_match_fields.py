"""Every `[match]` field of a rule file, one at a time: a mention it must accept and one it must refuse.

The cases are written as rule files (TOML) so the loader, the engine and its recorded reasons are all
exercised; a field added to MATCH_KEYS without a case here fails the coverage test.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import Author, Mention, Sentiment, Triage
from bot.policy import History, load_rules
from bot.policy.engine import match_reasons
from bot.policy.rules import MATCH_KEYS, Match

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """What a mention looks like to the engine; each field a `[match]` condition can look at."""

    intents: tuple[str, ...] = ("complaint",)
    compound: float = -0.5
    relevance: float = 0.9
    language: str = "en"
    platform: str = "x"
    addresses_us: bool = True
    followers: int = 250
    verified: bool = False
    text: str = "@nimbushome my Nimbus Thermo stopped heating"
    history: History = field(default_factory=History)


BASE = Case()
RETURNING = History(replies_to_author=2, open_loop=False, last_contact=NOW - timedelta(hours=30))

# field -> (its TOML line, a case that matches, a case that does not, a word the recorded reason contains)
FIELDS: dict[str, tuple[str, Case, Case, str]] = {
    "intents_any": ('intents_any = ["complaint", "bug_report"]', BASE, replace(BASE, intents=("praise",)),
                    "intent complaint"),
    "intents_all": ('intents_all = ["complaint", "question"]', replace(BASE, intents=("complaint", "question")),
                    BASE, "all of complaint, question"),
    "intents_none": ('intents_none = ["churn_risk"]', BASE, replace(BASE, intents=("complaint", "churn_risk")), ""),
    "min_relevance": ("min_relevance = 0.5", BASE, replace(BASE, relevance=0.4), ""),
    "sentiment_min": ("sentiment_min = -0.2", replace(BASE, compound=0.1), BASE, "sentiment +0.10"),
    "sentiment_max": ("sentiment_max = -0.2", BASE, replace(BASE, compound=0.1), "sentiment -0.50"),
    "platforms": ('platforms = ["reddit"]', replace(BASE, platform="reddit"), BASE, ""),
    "languages": ('languages = ["es", "pt"]', replace(BASE, language="es"), BASE, ""),
    "addresses_us": ("addresses_us = false", replace(BASE, addresses_us=False), BASE, "not addressed to us"),
    "min_followers": ("min_followers = 10000", replace(BASE, followers=25_000), BASE, "25000 followers"),
    "max_followers": ("max_followers = 1000", BASE, replace(BASE, followers=5000), "250 followers"),
    "verified": ("verified = true", replace(BASE, verified=True), BASE, "verified author"),
    "keywords": ('keywords = ["Thermo"]', BASE, replace(BASE, text="@nimbushome my thermostat stopped"),
                 'keyword "thermo"'),
    "patterns": (r'patterns = ["stopped (heating|working)"]', BASE, replace(BASE, text="@nimbushome it is cold"),
                 "pattern /stopped (heating|working)/"),
    "first_contact": ("first_contact = true", BASE, replace(BASE, history=RETURNING), "first contact"),
    "open_loop": ("open_loop = true", replace(BASE, history=replace(RETURNING, open_loop=True)),
                  replace(BASE, history=RETURNING), "open loop with us"),
    "min_hours_since_contact": ("min_hours_since_contact = 24", replace(BASE, history=RETURNING),
                                replace(BASE, history=replace(RETURNING, last_contact=NOW - timedelta(hours=2))),
                                "last contact 30h ago"),
    "max_hours_since_contact": ("max_hours_since_contact = 24",
                                replace(BASE, history=replace(RETURNING, last_contact=NOW - timedelta(hours=2))),
                                replace(BASE, history=RETURNING), "last contact 2h ago"),
}


def _seen(case: Case) -> tuple[Mention, Triage]:
    author = Author(case.platform, "a1", "jess", "Jess Okafor", case.followers, case.verified)
    mention = Mention(platform=case.platform, platform_id="1", author=author, text=case.text, created_at=NOW,
                      account="nimbushome", addresses_us=case.addresses_us)
    label = "negative" if case.compound < -0.05 else "positive" if case.compound > 0.05 else "neutral"
    triage = Triage(sentiment=Sentiment(case.compound, 0.0, 0.5, 0.5, label), intents=case.intents,
                    relevance=case.relevance, language=case.language, spam=False, priority="P3", score=0.5)
    return mention, triage


def test_every_match_field_has_a_case() -> None:
    assert sorted(FIELDS) == sorted(MATCH_KEYS)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_match_field_accepts_and_refuses(name: str, tmp_path: Path) -> None:
    line, yes, no, reason = FIELDS[name]
    (tmp_path / "r.toml").write_text(f'id = "r"\ntitle = "R"\n\n[match]\n{line}\n\n[escalate]\nto = "lead"\n',
                                     encoding="utf-8")
    rules, errors = load_rules(tmp_path)
    assert errors == [], errors
    match = rules[0].match
    why = match_reasons(match, *_seen(yes), yes.history, NOW)
    assert why is not None, f"{line} should match {yes}"
    assert reason in " | ".join(why)
    assert match_reasons(match, *_seen(no), no.history, NOW) is None, f"{line} should not match {no}"


def test_time_since_contact_never_matches_a_first_contact() -> None:
    """Time since last contact needs a last contact: a stranger matches neither bound, however wide."""
    mention, triage = _seen(BASE)
    assert match_reasons(Match(max_hours_since_contact=1000.0), mention, triage, History(), NOW) is None
    assert match_reasons(Match(min_hours_since_contact=0.0), mention, triage, History(), NOW) is None
