"""Intents: the documented cues each decide the intent they should, with a reason naming the entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Author, Mention
from bot.triage import TriageContext, triage
from bot.triage.intents import detect_intents
from bot.triage.lexicon import normalise
from bot.triage.matcher import builtin_matcher

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CTX = TriageContext(keywords=["acme"], handles=["acmehelp"], excluded=["acme anvil"])


def run(text: str, followers: int = 100, age: timedelta = timedelta(0)) -> tuple[tuple[str, ...], tuple[str, ...]]:
    mention = Mention("x", "1", Author("x", "1", "sam", followers=followers), text, NOW - age, "acmehelp")
    result = triage(mention, CTX, NOW)
    return result.intents, result.reasons


@pytest.mark.parametrize(("text", "intent"), [
    ("@acmehelp my order never arrived and nobody answers", "complaint"),
    ("still waiting for a refund from acme", "complaint"),
    ("acme parcel was meant to come tuesday, it's been 9 days", "complaint"),
    ("not impressed with acme's new app tbh", "complaint"),
    ("love how acme support never answers", "complaint"),
    ("how hard is it for acme to ship a box on time?", "complaint"),
    ("acme hub offline again", "complaint"),
    ("@acmehelp the acme app crashes on launch since v2.3", "bug_report"),
    ("@acmehelp does the acme hub work with homekit?", "question"),
    ("anyone know if acme ships to ireland", "question"),
    ("acme support sorted it in five minutes, brilliant", "praise"),
    ("thinking of buying an acme thermostat, worth it?", "purchase_intent"),
    ("cancelling my acme subscription, switching to another brand", "churn_risk"),
    ("acme please add dark mode to the app", "feature_request"),
    ("my acme plug is overheating and there's a burning smell", "crisis"),
    ("acme: my account was hacked and someone changed the password", "crisis"),
    ("@acmehelp mi pedido todavía no ha llegado y nadie responde", "complaint"),
    ("@acmehelp meine Bestellung ist immer noch nicht da", "complaint"),
])
def test_documented_cues_give_their_intent(text: str, intent: str) -> None:
    intents, reasons = run(text)
    assert intent in intents, reasons
    assert any(r.startswith(f"{intent}:") for r in reasons)


@pytest.mark.parametrize(("text", "absent"), [
    ("acme thermostat: no complaints after a year", "complaint"),
    ("how do I reset my acme hub? thanks in advance", "praise"),
    ("acme, how do I pair the sensor? thanks", "praise"),
    ("thanks for nothing acme, the hub died again", "praise"),
    ("acme support is not great", "praise"),
    ("is anyone there @acmehelp? seriously?", "question"),
    ("switch to dark mode in the acme app, it's nicer", "churn_risk"),
    ("this acme deal is fire 🔥", "crisis"),
])
def test_exceptions_negation_sarcasm_and_courtesy(text: str, absent: str) -> None:
    intents, reasons = run(text)
    assert absent not in intents, reasons


def test_negated_praise_is_a_complaint_and_says_so() -> None:
    intents, reasons = run("@acmehelp wouldn't call the new acme app good, not impressed")
    assert "complaint" in intents and "praise" not in intents
    assert any('"not impressed"' in r or "negated praise" in r for r in reasons)


def test_sarcasm_drops_praise_with_a_reason() -> None:
    intents, reasons = run("great job acme, love how the app never loads")
    assert intents[0] == "complaint" and "praise" not in intents
    assert any(r.startswith("praise dropped: sarcasm") for r in reasons)


def test_weak_cues_need_a_text_that_is_not_clearly_positive() -> None:
    assert "complaint" in run("acme parcel is missing from the box")[0]
    assert "complaint" not in run("acme parcel arrived, nothing missing, love it, thank you so much!")[0]


def test_off_topic_keeps_the_intents_found_and_spam_wins() -> None:
    intents, reasons = run("my acme anvil collection is complete, love it")
    assert intents == ("praise", "off_topic") and any("excluded phrase" in r for r in reasons)
    intents, reasons = run("my flight was cancelled and nobody answers the phone")  # about someone else
    assert intents == ("complaint", "off_topic") and "priority P4: spam or off-topic" in reasons
    intents, reasons = run("FREE followers!! dm for promo #acme #a #b #c #d #e #f")
    assert intents == ("spam",) and any("hashtag stuffing" in r for r in reasons)


def test_priority_crisis_is_p1_and_praise_p4_and_age_lowers_the_score() -> None:
    mention_crisis = run("@acmehelp my acme heater caught fire last night")
    assert "priority P1" in mention_crisis[1][-1]
    assert "priority P4" in run("acme is lovely")[1][-1]
    fresh = float(run("@acmehelp my order never arrived")[1][-1].split("score ")[1].split(" ")[0])
    old = float(run("@acmehelp my order never arrived", age=timedelta(days=3))[1][-1].split("score ")[1].split(" ")[0])
    assert old < fresh


def test_reasons_are_in_vocabulary_order_and_deterministic() -> None:
    text = normalise("@acmehelp the app crashes since the update, please add an offline mode? still waiting")
    first = detect_intents(text, builtin_matcher())
    assert first == detect_intents(text, builtin_matcher())
    assert first.intents == ["complaint", "question", "bug_report", "feature_request"]
