"""A faster VADER that gives exactly the scores of vaderSentiment 3.3.2.

`FastVader` keeps the package's lexicon, emoji lexicon and rules, and only rewrites
how the rules are evaluated: each text's tokens are lower-cased once, the contrastive
"but" rule is O(n log n) instead of quadratic, all-ASCII text skips the emoji pass,
emoji are found with a regex of merged code point ranges, and negation words are
looked up in a set. Cost per text is close to linear in its length.

Some behaviour of the package looks like a bug but is kept on purpose, because
changing it changes scores of gold-standard texts (`shared/notes/vader-speed.md`):

* "but" rescales, for each position, the *first* position holding an equal value;
* three words back, "so"/"this" right before the word boost it whatever comes
  before them (operator precedence in the package's `_negation_check`);
* negation only counts when the word before is not itself in the lexicon;
* floating-point operations run in the package's order.
"""

from __future__ import annotations

import functools
import re

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped, unused-ignore]

from bot.triage.vader_rules import Scores, scores_of


def _code_point_class(chars: list[str]) -> str:
    """Regex character class of merged code point ranges (one class item per run)."""
    runs: list[list[int]] = []
    for cp in sorted(map(ord, chars)):
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    parts = [
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in runs
    ]
    return "[" + "".join(parts) + "]"


class FastVader(SentimentIntensityAnalyzer):  # type: ignore[misc]
    """`SentimentIntensityAnalyzer` whose `polarity_scores` is identical but faster."""

    def __init__(
        self,
        lexicon_file: str = "vader_lexicon.txt",
        emoji_lexicon: str = "emoji_utf8_lexicon.txt",
    ) -> None:
        super().__init__(lexicon_file, emoji_lexicon)
        self._lex: dict[str, float] = self.lexicon
        # The package tests one character at a time: only one-code-point keys match.
        single = {k: v for k, v in self.emojis.items() if len(k) == 1}
        # A space goes before a description unless the character before is a plain
        # space; absorbing that space into the match makes every replacement
        # " " + description (one added at position 0 goes in the strip that follows).
        self._emoji_spaced: dict[str, str] = {k: " " + v for k, v in single.items()}
        self._emoji_re: re.Pattern[str] | None = (
            re.compile(" ?(" + _code_point_class(list(single)) + ")")
            if single
            else None
        )

    def _describe_emoji(self, text: str) -> str:
        if self._emoji_re is None:
            return text
        spaced = self._emoji_spaced
        return self._emoji_re.sub(lambda m: spaced[m.group(1)], text)

    def polarity_scores(self, text: str) -> dict[str, float]:
        """Return neg/neu/pos/compound exactly as `SentimentIntensityAnalyzer` would."""
        if not isinstance(text, str):
            fallback: dict[str, float] = super().polarity_scores(text)
            return fallback
        neg, neu, pos, compound = self.scores(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def scores(self, text: str) -> Scores:
        """`polarity_scores` of a string as a tuple (neg, neu, pos, compound), without building the dict."""
        if not text.isascii():
            text = self._describe_emoji(text)
        return scores_of(self._lex, text.strip())


@functools.cache
def analyzer() -> FastVader:
    """The process-wide `FastVader`, built on first use (loading lexicons is slow)."""
    return FastVader()
