"""Issue #4's two known false positives: churn phrases that point at the brand, and praise for a problem solved.

Each fix is pinned with the counter-examples that must keep their tag (a customer leaving, a
complaint that is still open) and with the reason the queue shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Author, Mention
from bot.triage import TriageContext, triage
from bot.triage.lexicon import LexiconError, cue_lists
from bot.triage.matcher import brand_matcher
from tests.triage.test_intents import run as intents_of

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _reason(reasons: tuple[str, ...], start: str) -> str:
    return next((r for r in reasons if r.startswith(start)), "")


@pytest.mark.parametrize(("text", "phrase"), [
    ("Just switched to @acmehelp from Ring, best decision", "switched to @acmehelp"),
    ("switching to acme next month, my old provider doubled the price", "switching to acme"),
    ("finally switching to the new acme app for everything", "switching to the new acme"),
    ("going back to good old acme after a year with the other lot", "going back to good old acme"),
    ("switching from ring to acme this week, the setup took five minutes", "switching from ring to acme"),
    ("leaving them for #acme, the hub is miles better", "leaving them for #acme"),
])
def test_switching_to_the_brand_is_not_churn(text: str, phrase: str) -> None:
    intents, reasons = intents_of(text)
    assert "churn_risk" not in intents, reasons
    assert _reason(reasons, "churn dropped:") == f'churn dropped: switching to the brand ("{phrase}")'


@pytest.mark.parametrize("text", [
    "switching to Ring, acme support is useless",  # the brand comes after a comma: another clause
    "switching to ring from acme, the app is a mess",
    "switching to ring because acme keeps dropping the connection",
    "looking for an alternative to acme that works offline",  # an alternative to us: leaving
    "switched to acme's competitor last month, much cheaper",  # the brand's rival, not the brand
    "switched to acme last year, cancelling my acme subscription today",  # a second churn hit
    "going back to my old thermostat, acme was a waste of money",
    "never going back to acme after this",  # negated: leaving us
    "won't be going back to acme, the app logs me out daily",
])
def test_leaving_the_brand_stays_churn(text: str) -> None:
    intents, reasons = intents_of(text)
    assert "churn_risk" in intents, reasons
    assert not _reason(reasons, "churn dropped:")


def test_switching_to_the_brand_and_complaining_is_still_a_complaint() -> None:
    intents, reasons = intents_of("switched to acme and it broke in a week")
    assert intents == ("complaint",), reasons
    assert _reason(reasons, "churn dropped:")


def test_switching_to_the_brand_keeps_praise_and_adds_none() -> None:
    praised, why = intents_of("switched to acme last month, honestly the best decision")
    assert praised == ("praise",), why
    plain, reasons = intents_of("switched to acme last month")
    assert plain == (), reasons  # conservative: dropping churn makes nothing up


def test_reddit_handles_and_brand_extensions_keep_working() -> None:
    ctx = TriageContext(["acme"], ["u/AcmeHelp"], lexicons=brand_matcher(
        {"churn_risk": {"phrases": ["porting to"]}}, "bot.toml"))
    author = Author("reddit", "1", "sam")

    def intents(text: str) -> tuple[str, ...]:
        return triage(Mention("reddit", "1", author, text, NOW, "acme"), ctx, NOW).intents

    assert "churn_risk" not in intents("switched over to u/acmehelp from a cheaper brand, no regrets")
    assert "churn_risk" in intents("porting to acme's rival next week")  # the brand's own churn phrase
    assert "churn_risk" in intents("switched to acme and porting to another network now")  # two hits, one not to us


@pytest.mark.parametrize(("text", "how"), [
    ("lost my passport at the acme gate and the crew found it, thank you!", "found it"),
    ("my acme router died and support sent a new one the next day, thank you", "sent a new one"),
    ("acme sent the wrong size but swapped it for free within 3 days, so easy", "swapped it"),
    ("acme replaced my damaged kettle within a day, great service", "replaced my"),
    ("acme refunded me the same day when the parcel went missing, brilliant", "refunded me"),
])
def test_a_problem_the_brand_put_right_is_praise(text: str, how: str) -> None:
    intents, reasons = intents_of(text)
    assert intents == ("praise",), reasons
    dropped = _reason(reasons, "complaint dropped:")
    assert dropped.startswith(f'complaint dropped: a problem put right ("{how}") in a positive text (+'), reasons


@pytest.mark.parametrize("text", [
    "acme lost my bag, found it 4 days later and nobody answers the phone. thanks",  # a service failure too
    "acme replaced my broken kettle and the new one is broken too. amazing",  # sarcasm, negative overall
    "acme fixed it eventually but i'm still waiting for my refund. thanks",
    "thanks for nothing acme, lost my parcel and then found it smashed",  # a sarcasm cue
    "acme lost my luggage, thank you so much",  # nothing was put right
    "acme lost my bag and the crew never found it. thanks for the voucher, great",  # negated: not put right
    "acme lost my order and haven't replaced it yet. thanks, amazing",
    "acme fixed my boiler but it was not great and the engineer was rude",  # negated praise, rude staff
])
def test_open_complaints_stay_complaints(text: str) -> None:
    intents, reasons = intents_of(text)
    assert "complaint" in intents, reasons
    assert not _reason(reasons, "complaint dropped:")


def test_shipped_cue_tables_load() -> None:
    toward, resolution = cue_lists("toward_brand"), cue_lists("resolution")
    assert "switched to" in toward["leads"] and "alternative to" not in toward["leads"]
    assert {"phrases", "patterns", "problems"} <= resolution.keys()
    assert all(p == p.lower() for p in resolution["problems"])


@pytest.mark.parametrize(("body", "problem"), [
    ('phrases = ["found it", ""]', "[resolution]: phrases must be a list of non-empty strings"),
    ('patterns = ["(found"]', "pattern '(found' is not a valid regular expression"),
])
def test_a_bad_cue_table_names_the_file_table_and_key(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "cues.toml"
    path.write_text(f"[resolution]\n{body}\n", encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        cue_lists("resolution", path)
    assert str(path) in str(err.value) and problem in str(err.value)
