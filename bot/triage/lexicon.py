"""Loading the triage data files (intent phrases and patterns, language words).

The files live in ``bot/triage/data/``; a brand extends them through ``bot.toml``. Loading is
done once per process and validated: a bad pattern names the file, the intent and the pattern.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"

INTENTS = ("complaint", "question", "praise", "purchase_intent", "churn_risk", "bug_report", "feature_request",
           "crisis", "spam", "off_topic")


class LexiconError(ValueError):
    """A triage data file or a brand extension is invalid."""


@dataclass(frozen=True)
class IntentLexicon:
    """The phrases and compiled patterns that signal one intent."""

    intent: str
    phrases: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    start = r"\b" if phrase[:1].isalnum() else ""
    end = r"\b" if phrase[-1:].isalnum() else ""
    return re.compile(start + re.escape(phrase) + end)


@cache
def phrase_regex(phrase: str) -> re.Pattern[str]:
    """The word-boundary regex for a plain phrase (cached)."""
    return _phrase_regex(phrase)


def build_lexicons(data: dict[str, object], source: str) -> dict[str, IntentLexicon]:
    """Validate and compile a mapping of intent -> {phrases, patterns}."""
    result: dict[str, IntentLexicon] = {}
    for intent, entry in data.items():
        if intent not in INTENTS:
            raise LexiconError(f"{source}: unknown intent {intent!r}; use one of {', '.join(INTENTS)}")
        if not isinstance(entry, dict):
            raise LexiconError(f"{source}: [{intent}] must be a table with phrases and patterns")
        phrases = entry.get("phrases", [])
        patterns = entry.get("patterns", [])
        if not (isinstance(phrases, list) and all(isinstance(p, str) and p.strip() for p in phrases)):
            raise LexiconError(f"{source}: [{intent}] phrases must be a list of non-empty strings")
        if not (isinstance(patterns, list) and all(isinstance(p, str) for p in patterns)):
            raise LexiconError(f"{source}: [{intent}] patterns must be a list of strings")
        compiled = []
        for pattern in patterns:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise LexiconError(f"{source}: [{intent}] pattern {pattern!r} is not a valid regex: {exc}") from None
        result[intent] = IntentLexicon(intent, tuple(p.lower() for p in phrases), tuple(compiled))
    return result


def merge(base: dict[str, IntentLexicon], extra: dict[str, IntentLexicon]) -> dict[str, IntentLexicon]:
    """Add a brand's entries to the built-in lexicons."""
    merged = dict(base)
    for intent, lex in extra.items():
        old = merged.get(intent, IntentLexicon(intent, (), ()))
        merged[intent] = IntentLexicon(intent, old.phrases + lex.phrases, old.patterns + lex.patterns)
    return merged


@cache
def builtin_intents() -> dict[str, IntentLexicon]:
    """The intent lexicons shipped with RonR."""
    path = DATA / "intents.toml"
    return build_lexicons(tomllib.loads(path.read_text(encoding="utf-8")), str(path))


@cache
def language_words() -> dict[str, frozenset[str]]:
    """Function words per language code."""
    data = tomllib.loads((DATA / "languages.toml").read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data.items()}
