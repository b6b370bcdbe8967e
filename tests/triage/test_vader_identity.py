"""FastVader must give exactly vaderSentiment's scores, on gold and generated texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    NEGATE,
    SentimentIntensityAnalyzer,
)

from bot.triage.vader_fast import FastVader, analyzer

GOLD_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "vader"
GOLD_FILES = {
    "tweets_GroundTruth.txt": 4_200,
    "amazonReviewSnippets_GroundTruth.txt": 3_708,
    "movieReviewSnippets_GroundTruth.txt": 10_605,
    "nytEditorialSnippets_GroundTruth.txt": 5_190,
}

PLAIN = SentimentIntensityAnalyzer()
FAST = analyzer()


def _same(text: str) -> tuple[object, object]:
    # Items as lists: key order and values must match, not only dict equality.
    plain = list(PLAIN.polarity_scores(text).items())
    return plain, list(FAST.polarity_scores(text).items())


def _gold_texts(name: str) -> list[str]:
    # CRLF records, no trailing newline; texts may hold other line-break characters.
    raw = (GOLD_DIR / name).read_bytes().decode("utf-8")
    return [record.split("\t", 2)[2] for record in raw.split("\r\n")]


@pytest.mark.skipif(not GOLD_DIR.is_dir(), reason=f"gold data not found at {GOLD_DIR}")
def test_every_gold_text_scores_identically() -> None:
    mismatches = []
    total = 0
    for name, expected_count in GOLD_FILES.items():
        texts = _gold_texts(name)
        assert len(texts) == expected_count, name
        total += len(texts)
        for text in texts:
            plain, fast = _same(text)
            if plain != fast:
                mismatches.append((name, text, plain, fast))
    assert total == 23_703
    assert not mismatches, f"{len(mismatches)} texts differ, first: {mismatches[:3]}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
        "The book was only kind of good.",
        "Sentiment analysis has never been this good!",
        "Without a doubt, excellent idea.",
        "Roger Dodger is one of the least compelling variations on this theme.",
        "At least it isn't a horrible book.",
        "With VADER, sentiment analysis is the shit!",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "😁😁 start, end 💘",
        "no good no bad no or bad",
        # "but" rescales the first position holding an equal value (1.0 * 1.5 == 1.5).
        "It was bad but abilities and absolved",
        # Three words back, "so"/"this" before a word boosts it whatever precedes it.
        "the day was this good",
        "???!!! wow???? great!!!!!!",
    ],
)
def test_known_cases(text: str) -> None:
    plain, fast = _same(text)
    assert plain == fast


def test_analyzer_is_a_singleton() -> None:
    assert analyzer() is analyzer()
    assert isinstance(analyzer(), FastVader)
    assert analyzer().lexicon == PLAIN.lexicon


_PHRASES = [
    "kind of",
    "sort of",
    "just enough",
    "the bomb",
    "the shit",
    "bad ass",
    "to die for",
    "kiss of death",
    "yeah right",
    "beating heart",
    "bus stop",
    "never so",
    "never this",
    "without doubt",
    "without a doubt",
    "at least",
    "very least",
    "least",
    "no",
    "or",
    "nor",
    "so",
    "this",
    "but",
    "But",
    "BUT",
    "kind",
    "isn't",
    "n't",
    "uh-uh",
    ":)",
    ":D",
    "</3",
]
_WORDS = st.one_of(
    st.sampled_from(sorted(PLAIN.lexicon)),
    st.sampled_from(sorted(BOOSTER_DICT)),
    st.sampled_from(NEGATE),
    st.sampled_from(_PHRASES),
)
_TOKENS = st.one_of(
    _WORDS,
    _WORDS.map(str.upper),
    _WORDS.map(str.title),
    st.sampled_from(sorted(PLAIN.emojis)),
    st.tuples(
        st.sampled_from(["", '"', "(", "*"]),
        _WORDS,
        st.sampled_from([".", ",", "!", "?!", ")"]),
    ).map("".join),
)
_SEPARATORS = st.sampled_from(
    [" ", " ", " ", "  ", "", "\n", "\t", "\u00a0", " - ", "!! ", "? "]
)
_TEXTS = st.lists(st.tuples(_TOKENS, _SEPARATORS), max_size=40).map(
    lambda pairs: "".join(token + sep for token, sep in pairs)
)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_generated_texts_score_identically(text: str) -> None:
    plain, fast = _same(text)
    assert plain == fast


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_scores_identically(text: str) -> None:
    plain, fast = _same(text)
    assert plain == fast
