"""score_sentiment: labels, VADER identity on short texts, segments on long ones."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bot.triage.sentiment import (
    MAX_SEGMENTS,
    MAX_WHOLE_CHARS,
    Sentiment,
    label_for,
    score_sentiment,
    split_segments,
)

PLAIN = SentimentIntensityAnalyzer()


def _assert_consistent(result: Sentiment) -> None:
    assert -1.0 <= result.compound <= 1.0
    for share in (result.pos, result.neu, result.neg):
        assert 0.0 <= share <= 1.0
    assert result.label == label_for(result.compound)
    assert 0 <= result.segments <= MAX_SEGMENTS


def _long_post(size_bytes: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    words = [
        "great",
        "awful",
        "but",
        "not",
        "very",
        "GOOD",
        "the",
        "bomb",
        "kind",
        "of",
        "meh",
    ]
    emoji = ["😀", "😡", "💘", "👍", "🔥", "😭", "🙄"]
    parts: list[str] = []
    size = 0
    while size < size_bytes:
        token = rng.choice(emoji) if rng.random() < 0.3 else rng.choice(words)
        part = token + rng.choice([" ", " ", "", ". ", "!\n", "\n\n"])
        parts.append(part)
        size += len(part.encode("utf-8"))
    return "".join(parts)


@pytest.mark.parametrize(
    ("compound", "label"),
    [
        (0.05, "positive"),
        (0.0501, "positive"),
        (1.0, "positive"),
        (0.0499, "neutral"),
        (0.0, "neutral"),
        (-0.0499, "neutral"),
        (-0.05, "negative"),
        (-1.0, "negative"),
    ],
)
def test_label_thresholds(compound: float, label: str) -> None:
    assert label_for(compound) == label


def test_sentiment_is_frozen() -> None:
    result = score_sentiment("good")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.compound = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "I love this!",
        "This is terrible :(",
        "The meeting is at noon.",
        "not bad 👍",
        "",
    ],
)
def test_short_text_equals_plain_vader(text: str) -> None:
    expected = PLAIN.polarity_scores(text)
    result = score_sentiment(text)
    assert (result.compound, result.pos, result.neu, result.neg) == (
        expected["compound"],
        expected["pos"],
        expected["neu"],
        expected["neg"],
    )
    assert result.segments == 1
    assert result.label == label_for(expected["compound"])


def test_text_at_the_limit_is_scored_whole() -> None:
    text = ("good day. " * MAX_WHOLE_CHARS)[:MAX_WHOLE_CHARS]
    result = score_sentiment(text)
    assert result.segments == 1
    assert result.compound == PLAIN.polarity_scores(text)["compound"]


def test_forty_kb_post_is_segmented() -> None:
    text = _long_post(40_000)
    result = score_sentiment(text)
    _assert_consistent(result)
    assert result.segments > 1


def test_huge_post_keeps_at_most_max_segments() -> None:
    text = _long_post(400_000, seed=11)
    result = score_sentiment(text)
    _assert_consistent(result)
    assert result.segments == MAX_SEGMENTS


def test_uniform_long_text_keeps_its_polarity() -> None:
    assert score_sentiment("I hate this, it is awful. " * 500).label == "negative"
    assert score_sentiment("What a lovely, wonderful day! " * 500).label == "positive"


def test_text_without_boundaries_is_hard_cut() -> None:
    segments = split_segments("x" * (5 * MAX_WHOLE_CHARS + 3))
    assert [len(s) for s in segments] == [MAX_WHOLE_CHARS] * 5 + [3]


def test_segments_respect_limit_and_keep_the_text() -> None:
    text = _long_post(20_000, seed=3)
    segments = split_segments(text)
    assert all(0 < len(s) <= MAX_WHOLE_CHARS for s in segments)
    assert "".join(text.split()) == "".join("".join(segments).split())


def test_long_blank_text_has_nothing_to_score() -> None:
    result = score_sentiment(" \n\t" * 10_000)
    assert result == Sentiment(0.0, 0.0, 0.0, 0.0, "neutral", 0)


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        "\x00" * 5_000,
        "\x1c\x1d\x1e\x1f" * 1_000,
        "\ud800 lone surrogate " * 300,
        "\u202e!!??",
        "\ufeff",
        "good\x00bad\x07 " * 400,
    ],
)
def test_odd_characters_do_not_crash(text: str) -> None:
    _assert_consistent(score_sentiment(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_short_text_is_scored(text: str) -> None:
    _assert_consistent(score_sentiment(text))


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=40), st.integers(min_value=1, max_value=40))
def test_any_huge_text_is_scored(chunk: str, multiple: int) -> None:
    text = chunk * (multiple * MAX_WHOLE_CHARS // len(chunk) + 1)
    result = score_sentiment(text)
    _assert_consistent(result)
    assert result.segments >= 1 or not text.strip()
