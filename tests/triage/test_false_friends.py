"""VADER's English lexicon misreads common words of other languages (German "die" is "the").

In a text told to be in such a language those words are left out of its sentiment, and the reason says
so; English texts keep vaderSentiment's scores exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import Author, Mention
from bot.triage import triage
from bot.triage.sentiment import score_in_language, score_sentiment
from bot.triage.vader_fast import analyzer
from tests.triage.test_intents import CTX

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _triage(text: str, lang: str | None = None):  # type: ignore[no-untyped-def]
    return triage(Mention("x", "1", Author("x", "1", "sam"), text, NOW, "acmehelp", lang=lang), CTX, NOW)


@pytest.mark.parametrize(("text", "misread"), [
    ("@acmehelp Danke für die schnelle Hilfe gestern Abend, Thermo läuft wieder einwandfrei!", "die"),
    ("@acmehelp das war super, danke für die Geduld mit mir", "die, war"),
    ("@acmehelp bedankt voor de hulp, die nieuwe hub werkt perfect", "die"),
])
def test_a_thank_you_in_another_language_is_not_read_as_a_complaint(text: str, misread: str) -> None:
    result = _triage(text)
    assert result.sentiment.compound >= 0 and "complaint" not in result.intents, result.reasons
    assert f"words VADER would read as English left out: {misread}" in result.reasons[0]
    assert score_sentiment(text).compound < 0  # what plain VADER made of it


def test_a_real_complaint_in_german_stays_one() -> None:
    result = _triage("@acmehelp die App stürzt ständig ab, das ist wirklich schlecht und nervig. Kein Support!")
    assert result.language == "de" and "complaint" in result.intents, result.reasons


@pytest.mark.parametrize("text", [
    "@acmehelp my hub will die if this update breaks it again, what the hell",
    "the war on bad firmware continues, acme",
])
def test_english_keeps_vaders_scores_exactly(text: str) -> None:
    result = _triage(text)
    assert result.language == "en"
    assert result.sentiment.compound == analyzer().polarity_scores(text)["compound"] < 0
    assert "left out" not in result.reasons[0]


def test_an_authors_answer_is_scored_in_its_language() -> None:
    answer = "Danke, die Lösung hat geholfen, alles läuft wieder!"
    assert score_in_language(answer, "de").compound == 0.0 > score_sentiment(answer).compound  # neutral, not -0.6
    assert score_in_language("thanks, that fixed it!", None) == score_sentiment("thanks, that fixed it!")


@pytest.mark.parametrize("text", [
    "@acmehelp Paket nicht angekommen, schon wieder. Echt ärgerlich",
    "@acmehelp bestelling niet geleverd en de app is waardeloos",
    "@acmehelp não recebi o pedido até agora",
    "@acmehelp commande pas reçu depuis lundi, c'est inadmissible",
])
def test_complaints_in_other_languages_are_found_by_their_own_words(text: str) -> None:
    result = _triage(text)
    assert "complaint" in result.intents, result.reasons
    assert any(r.startswith("complaint: phrase") for r in result.reasons), result.reasons
