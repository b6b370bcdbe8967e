"""Pure signal detectors: intents, relevance, language, spam. Each returns its reasons."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.triage.lexicon import IntentLexicon, language_words, phrase_regex

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_URL = re.compile(r"https?://\S+")
_HASHTAG = re.compile(r"#\w+")


def detect_intents(lowered: str, lexicons: Mapping[str, IntentLexicon]) -> list[tuple[str, str]]:
    """Return (intent, reason) for every intent whose phrase or pattern occurs in ``lowered``."""
    found: list[tuple[str, str]] = []
    for intent, lex in lexicons.items():
        reason = ""
        for phrase in lex.phrases:
            if phrase in lowered and phrase_regex(phrase).search(lowered):
                reason = f'{intent}: phrase "{phrase}"'
                break
        if not reason:
            for pattern in lex.patterns:
                if pattern.search(lowered):
                    reason = f"{intent}: pattern /{pattern.pattern}/"
                    break
        if reason:
            found.append((intent, reason))
    return found


def relevance(lowered: str, keywords: list[str], handles: list[str], excluded: list[str],
              addresses_us: bool) -> tuple[float, str]:
    """How surely the text is about the brand (0..1), and why."""
    if addresses_us:
        return 1.0, "relevance 1.0: addressed to our account"
    for handle in handles:
        h = handle.lower()
        if h and h in lowered:
            return 1.0, f'relevance 1.0: mentions our handle "{handle}"'
    text = lowered
    hit_excluded = ""
    for phrase in excluded:
        p = phrase.lower()
        if p and p in text:
            text = text.replace(p, " ")
            hit_excluded = phrase
    for keyword in keywords:
        k = keyword.lower()
        if k and k in text and phrase_regex(k).search(text):
            tagged = f"#{k.replace(' ', '')}" in lowered or f"${k.replace(' ', '')}" in lowered
            score = 0.9 if " " in k or tagged else 0.7
            return score, f'relevance {score}: keyword "{keyword}"'
    if hit_excluded:
        return 0.05, f'relevance 0.05: only the excluded phrase "{hit_excluded}"'
    return 0.1, "relevance 0.1: no brand keyword or handle"


def language(text: str, platform_lang: str | None) -> tuple[str, str]:
    """Guess the language of a short text from function words; fall back to the platform's tag."""
    words = [w.lower() for w in _WORD.findall(text[:2000])]
    best, best_hits = "", 0
    for lang, vocab in language_words().items():
        hits = sum(1 for w in words if w in vocab)
        if hits > best_hits:
            best, best_hits = lang, hits
    if best_hits >= 2:
        return best, f"language {best}: {best_hits} common {best} words"
    if platform_lang:
        return platform_lang, f"language {platform_lang}: platform tag"
    return "und", "language undetermined: too few words"


def spam_signals(text: str, lowered: str, duplicate_authors: int) -> list[str]:
    """Reasons to think a text is spam or from a bot (empty list: none)."""
    reasons = []
    stripped = _URL.sub("", text).strip()
    if _URL.search(text) and len(_WORD.findall(stripped)) <= 2:
        reasons.append("spam: link-only post")
    if len(_HASHTAG.findall(text)) >= 6:
        reasons.append("spam: hashtag stuffing (6 or more hashtags)")
    if duplicate_authors >= 3:
        reasons.append(f"spam: the same text from {duplicate_authors} authors")
    return reasons
