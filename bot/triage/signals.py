"""Pure signal detectors: relevance, language, spam and bot signals, author reach. Each returns its reasons."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Final

from bot.triage.lexicon import DATA, LiteralFinder, language_words, phrase_regex, words_of

URL: Final = re.compile(r"(?:https?://|www\.)\S+")
# "#" or "@" not preceded by a word character, then a word: written with the literal first (the look-behind
# checks the character before it), so the regex engine jumps from one "#" or "@" to the next.
_HASHTAG: Final = re.compile(r"#(?<!\w#)\w+")
_MENTION: Final = re.compile(r"@(?<!\w@)\w+")
_NOTHING: Final = "relevance 0.1: no brand keyword, tag or handle"
LANGUAGE_SAMPLE: Final = 2_000  # characters read to tell the language: enough, and bounded


def relevance(text: str, keywords: Sequence[str], handles: Sequence[str], excluded: Sequence[str],
              context: Sequence[str], addresses_us: bool, ambiguous: Sequence[str] = ()) -> tuple[float, str]:
    """How surely a normalised text is about the brand (0..1), and why.

    1.0 addressed to us or naming our handle; 0.9 a hashtag or cashtag of a keyword, or a keyword of
    several words; 0.6 a one-word keyword, plus 0.1 per context word up to 0.9. An ``ambiguous``
    keyword (a common word: "apple", "bolt") scores 0.2 alone, plus 0.2 per context word up to 0.9.
    Excluded phrases ("apple pie") are removed first: 0.05 if only they named us; 0.1 nothing about us.
    """
    return RelevanceRules(keywords, handles, excluded, context, ambiguous).score(text, addresses_us)


class RelevanceRules:
    """The brand's words for :func:`relevance`, lower-cased and compiled once (a context keeps one)."""

    def __init__(self, keywords: Sequence[str], handles: Sequence[str], excluded: Sequence[str],
                 context: Sequence[str], ambiguous: Sequence[str] = ()) -> None:
        tagged = [h.lower().lstrip("@") for h in handles]
        self.handles = [(t, phrase_regex(t)) for t in [h if "/" in h else "@" + h for h in tagged if h]]
        self.excluded = [(phrase, phrase.lower(), phrase_regex(phrase.lower())) for phrase in excluded
                         if phrase.lower()]
        vague = {a.lower() for a in ambiguous}
        self.keywords = []
        for keyword in keywords:
            k = keyword.lower()
            if k:
                squashed = k.replace(" ", "")
                tags = tuple((t, phrase_regex(t)) for t in (f"#{squashed}", f"${squashed}"))
                self.keywords.append((keyword, k, tags, phrase_regex(k), k in vague))
        self.context = [(w, w.lower(), phrase_regex(w.lower())) for w in context]
        # A text holding no handle, excluded phrase or keyword names nothing of ours: one pass tells.
        self.finder = LiteralFinder([*[t for t, _ in self.handles], *[e[1] for e in self.excluded],
                                     *[k[1] for k in self.keywords]])

    def score(self, text: str, addresses_us: bool) -> tuple[float, str]:
        """The relevance of a normalised text and its reason (see :func:`relevance`)."""
        if addresses_us:
            return 1.0, "relevance 1.0: addressed to our account"
        if not self.finder.any_in(text):
            return 0.1, _NOTHING
        for tagged, regex in self.handles:
            if tagged in text and regex.search(text):
                return 1.0, f'relevance 1.0: names our account "{tagged}"'
        rest, hit_excluded = text, ""
        for phrase, lowered, regex in self.excluded:
            if lowered in rest:
                rest = regex.sub(" ", rest)
                hit_excluded = hit_excluded or phrase
        best, why, step = 0.0, "", 0.1
        for keyword, k, tags, k_regex, vague in self.keywords:
            if k not in rest:
                continue
            tag = next((t for t, t_regex in tags if t_regex.search(rest)), "")
            if tag:
                score, what = 0.9, f'tag "{tag}"'
            elif k_regex.search(rest):
                score, what = (0.9, f'keyword "{keyword}"') if " " in k else (0.6, f'keyword "{keyword}"')
            else:
                continue
            if vague and not tag:
                score, what = 0.2, f'ambiguous keyword "{keyword}"'
            if score > best:
                best, why, step = score, what, (0.2 if score == 0.2 else 0.1)
        if best:
            if best < 0.9:
                found = [w for w, lw, regex in self.context if lw in rest and regex.search(rest)]
                if found:
                    best = min(0.9, best + step * len(found))
                    why += " with context " + ", ".join(f'"{w}"' for w in found[:3])
            return round(best, 2), f"relevance {round(best, 2)}: {why}"
        if hit_excluded:
            return 0.05, f'relevance 0.05: only the excluded phrase "{hit_excluded}"'
        return 0.1, _NOTHING


@cache
def _scripts() -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
    data = tomllib.loads((DATA / "languages.toml").read_text(encoding="utf-8"))
    table = data.get("scripts", {})
    return tuple((lang, tuple((int(r.split("-")[0], 16), int(r.split("-")[1], 16)) for r in ranges))
                 for lang, ranges in table.items())


@cache
def _word_languages() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for code, vocab in language_words().items():
        for word in vocab:
            index.setdefault(word, []).append(code)
    return {word: tuple(codes) for word, codes in index.items()}


def _script_language(text: str) -> tuple[str, int]:
    if text.isascii() or max(text) < "\u0370":
        return "", 0
    letters = [ord(c) for c in text if c.isalpha()]
    # Letters below the lowest listed script count for none: unless the others are half of all, none can win.
    floor = min(lo for _, ranges in _scripts() for lo, _ in ranges)
    high = [c for c in letters if c >= floor]
    if not high or len(high) * 2 < len(letters):
        return "", 0
    for lang, ranges in _scripts():
        count = sum(1 for c in high if any(lo <= c <= hi for lo, hi in ranges))
        if count * 2 >= len(letters):
            return lang, count
    return "", 0


def language(text: str, platform_lang: str | None) -> tuple[str, str]:
    """The language of a (short) text: script, else function words, else the platform's tag."""
    sample = URL.sub(" ", _MENTION.sub(" ", text[:LANGUAGE_SAMPLE])).lower().replace("\u2019", "'")
    lang, count = _script_language(sample)
    if lang:
        return lang, f"language {lang}: {count} letters in its script"
    return language_of_words(words_of(sample), platform_lang)


@cache
def _false_friends() -> dict[str, frozenset[str]]:
    data = tomllib.loads((DATA / "languages.toml").read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data.get("false_friends", {}).items()}


def false_friends_in(lang: str, words: Sequence[str]) -> list[str]:
    """The words of ``lang`` among ``words`` that VADER would score as English ones ("die" in German), sorted."""
    friends = _false_friends().get(lang)
    return sorted(friends.intersection(words)) if friends else []


def language_words_of(text: str, lowered: str, words: list[str] | None = None) -> list[str] | None:
    """The words :func:`language` counts, from ``lowered`` (``text.lower()``) when that is exact; else None.

    That is so for a short ASCII text without links: lower-casing changes nothing else there, and
    handles are removed the same way before or after it. ``words``, if given, are
    ``words_of(lowered)``.
    """
    if len(text) > LANGUAGE_SAMPLE or not text.isascii() or "http" in text or "www." in text:
        return None
    if "@" in lowered:
        return words_of(_MENTION.sub(" ", lowered))
    return words_of(lowered) if words is None else words


def language_of_words(words: list[str], platform_lang: str | None) -> tuple[str, str]:
    """The language with the most known function words among ``words`` (see :func:`language`)."""
    hits: dict[str, int] = {}
    index = _word_languages()
    for word in words:
        codes = index.get(word)
        if codes:
            for code in codes:
                hits[code] = hits.get(code, 0) + 1
    # The best (count, code) pair and the runner-up's count, as from sorting the pairs in reverse.
    best_hits, best, second_hits = 0, "und", 0
    for code, n in hits.items():
        if (n, code) > (best_hits, best):
            best_hits, best, second_hits = n, code, best_hits
        elif n > second_hits:
            second_hits = n
    if best_hits > second_hits and (best_hits >= 2 or (best_hits == 1 and len(words) <= 3)):
        return best, _common_words(best, best_hits)
    if platform_lang and platform_lang != "und":
        return platform_lang, f"language {platform_lang}: platform tag"
    return "und", "language undetermined: too few known words"


@lru_cache(maxsize=1_024)  # a few languages times a few counts: formatted once each
def _common_words(lang: str, hits: int) -> str:
    return f"language {lang}: {hits} common {lang} words"


def spam_signals(text: str, duplicate_authors: int, same_text_limit: int = 3, same_text_days: float = 7.0,
                 says_something: bool = False) -> list[str]:
    """Reasons to think a text is spam or from a bot (empty list: none).

    ``duplicate_authors`` is how many authors posted the same text within ``same_text_days`` before it;
    ``same_text_limit`` or more is spam. ``says_something``: the few words beside a link carry an
    intent ("@brand broken again <photo link>"), so the post is a customer's, not link-only spam.
    """
    reasons = []
    if ("http" in text or "www." in text) and not says_something:
        rest = _HASHTAG.sub(" ", _MENTION.sub(" ", URL.sub(" ", text)))
        if URL.search(text) and len(words_of(rest)) <= 2:
            reasons.append("spam: link-only post")
    if text.count("#") >= 4:  # fewer cannot be stuffing
        tags = len(_HASHTAG.findall(text))
        words = len(words_of(text))
        if tags >= 6 or (tags >= 4 and tags * 2 > words):
            reasons.append(f"spam: hashtag stuffing ({tags} hashtags)")
    if text.count("@") >= 8 and len(_MENTION.findall(text)) >= 8:
        reasons.append("spam: mention stuffing (8 or more accounts tagged)")
    if duplicate_authors >= same_text_limit:
        days = f"{same_text_days:g} day" + ("" if same_text_days == 1 else "s")
        reasons.append(f"spam: the same text from {duplicate_authors} authors in {days}")
    return reasons


@lru_cache(maxsize=4_096)  # a handful of distinct counts recur all day; formatting each is the cost
def reach(followers: int, verified: bool = False) -> str:
    """The author's reach as a reason: follower count and tier."""
    tier = ("very high" if followers >= 100_000 else "high" if followers >= 10_000
            else "medium" if followers >= 1_000 else "low")
    return f"reach {tier}: {followers:,} followers" + (", verified" if verified else "")
