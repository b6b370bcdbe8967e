"""Sentiment of a post in bounded time: VADER scores, segmented for long texts.

Texts of up to `MAX_WHOLE_CHARS` (2,000) characters are scored whole, so their scores
are exactly vaderSentiment's. The limit covers nearly every post the bot reads (tweets
280, Bluesky 300, Mastodon 500, most forum comments), costs well under a millisecond
with `FastVader`, and stays where VADER makes sense: it is a sentence-level model whose
compound score, a normalised *sum* of valences, saturates towards +-1 on long texts
whatever their balance.

Longer texts are split into segments of at most `MAX_WHOLE_CHARS` characters at
paragraph, line or sentence boundaries where possible (whole pieces are packed greedily
into a segment), otherwise by a hard cut at the last whitespace in the second half of
the window, or at the limit itself. At most `MAX_SEGMENTS` (32) segments are scored:
the first 16 and the last 16, because openings and closings carry a post's stance and
total work must stay bounded; of a text longer than 64,000 characters only the leading
and trailing 32,000 are even read (a sentence cut at those edges is scored as cut).
Each segment is scored with VADER, and compound/pos/neu/neg are averaged with weights
equal to the segments' lengths in characters. Any input thus costs at most about as
much as 64,000 characters (tens of milliseconds).

VADER's lexicon is English. A text in another language may be given words to leave out:
that language's common words VADER would score as English ones (German "die", "the").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Final

from bot.models import Sentiment
from bot.models import SentimentLabel as Label
from bot.triage.lexicon import words_of
from bot.triage.records import record
from bot.triage.signals import false_friends_in, language
from bot.triage.vader_fast import analyzer

MAX_WHOLE_CHARS: Final = 2_000
MAX_SEGMENTS: Final = 32
POSITIVE_THRESHOLD: Final = 0.05
NEGATIVE_THRESHOLD: Final = -0.05

_HALF: Final = MAX_SEGMENTS // 2
_WINDOW: Final = _HALF * MAX_WHOLE_CHARS
# A blank line, a line break, or whitespace after a sentence's end closes a piece.
_BOUNDARY: Final = re.compile(r"\n\s*\n|\n|(?<=[.!?\u2026])\s+")
_CUT_AT = (" ", "\n", "\t")


def label_for(compound: float) -> Label:
    """Class of a compound score, with VADER's documented thresholds of +-0.05."""
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def _pieces(text: str) -> Iterator[str]:
    start = 0
    for match in _BOUNDARY.finditer(text):
        yield text[start : match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _hard_cuts(piece: str, limit: int) -> Iterator[str]:
    while len(piece) > limit:
        cut = max(piece.rfind(c, limit // 2, limit) for c in _CUT_AT)
        if cut <= 0:
            cut = limit
        yield piece[:cut]
        piece = piece[cut:]
    yield piece


def split_segments(text: str, limit: int = MAX_WHOLE_CHARS) -> list[str]:
    """Split `text` into stripped, non-blank segments of at most `limit` characters."""
    segments: list[str] = []
    current: list[str] = []
    size = 0
    for piece in _pieces(text):
        for part in _hard_cuts(piece, limit):
            if current and size + len(part) > limit:
                segments.append("".join(current))
                current, size = [], 0
            current.append(part)
            size += len(part)
    if current:
        segments.append("".join(current))
    return [s for s in [seg.strip() for seg in segments] if s]


def _bounded_segments(text: str) -> list[str]:
    if len(text) > 2 * _WINDOW:
        head = split_segments(text[:_WINDOW])[:_HALF]
        return head + split_segments(text[-_WINDOW:])[-_HALF:]
    segments = split_segments(text)
    if len(segments) > MAX_SEGMENTS:
        segments = segments[:_HALF] + segments[-_HALF:]
    return segments


def score_in_language(text: str, platform_lang: str | None) -> Sentiment:
    """:func:`score_sentiment` of a text in any language: its language is told first (see
    :func:`bot.triage.signals.language`) and that language's words VADER would misread are left out."""
    lang, _ = language(text, platform_lang)
    return score_sentiment(text, false_friends_in(lang, words_of(text.lower())))


def score_sentiment(text: str, leave_out: Sequence[str] = ()) -> Sentiment:
    """Score `text` with VADER in bounded time (long texts: see the module doc), without the words in
    ``leave_out`` (lower-case whole words, for a text not in English; see the module doc)."""
    if leave_out:
        text = re.sub(r"\b(?:" + "|".join(map(re.escape, leave_out)) + r")\b", " ", text, flags=re.IGNORECASE)
    vader = analyzer()
    if len(text) <= MAX_WHOLE_CHARS:
        neg, neu, pos, compound = vader.scores(text)
        return record(Sentiment, {"compound": compound, "pos": pos, "neu": neu, "neg": neg,
                                  "label": label_for(compound), "segments": 1})

    segments = _bounded_segments(text)
    if not segments:
        return Sentiment(0.0, 0.0, 0.0, 0.0, "neutral", 0)
    compound = pos = neu = neg = 0.0
    total = 0
    for segment in segments:
        weight = len(segment)
        s_neg, s_neu, s_pos, s_compound = vader.scores(segment)
        compound += weight * s_compound
        pos += weight * s_pos
        neu += weight * s_neu
        neg += weight * s_neg
        total += weight
    mean_compound = max(-1.0, min(1.0, round(compound / total, 4)))
    return Sentiment(
        compound=mean_compound,
        pos=round(pos / total, 3),
        neu=round(neu / total, 3),
        neg=round(neg / total, 3),
        label=label_for(mean_compound),
        segments=len(segments),
    )
