"""Building a :class:`TriageContext` from the settings: the brand's words and its lexicon extensions."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.config.loader import find_line
from bot.triage.classify import TriageContext
from bot.triage.lexicon import LexiconError
from bot.triage.matcher import IntentMatcher, brand_matcher

_Extensions = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]


@lru_cache(maxsize=8)
def _matcher(extensions: _Extensions, source: str) -> IntentMatcher:
    data = {intent: {key: list(values) for key, values in entry} for intent, entry in extensions}
    return brand_matcher(data, source)


def _config_error(settings: Settings, exc: LexiconError) -> ConfigError:
    message = str(exc).split(": ", 1)[-1]
    intent = message.removeprefix("[").split("]", 1)[0] if message.startswith("[") else ""
    path = ("triage", "intents", intent) if intent else ("triage", "intents")
    try:
        line = find_line(Path(settings.source).read_text(encoding="utf-8"), path) if settings.source else 1
    except OSError:
        line = 1
    return ConfigError(f"{settings.source or 'bot.toml'}:{line}: {'.'.join(path)}: {message}. "
                       "Fix: correct or remove that entry (docs/triage.md lists the intents and the regex syntax)")


def context_from_settings(settings: Settings) -> TriageContext:
    """The brand's triage context; a bad ``[triage.intents.*]`` entry raises :class:`ConfigError`."""
    brand, extra = settings.brand, settings.triage
    handles = [h for hs in settings.accounts.values() for h in hs] + brand.handles
    extensions: _Extensions = tuple(
        (name, tuple((f.name, tuple(getattr(ext, f.name))) for f in dataclasses.fields(ext)))
        for name, ext in sorted(extra.intents.items()))
    try:
        matcher = _matcher(extensions, "[triage.intents]")
    except LexiconError as exc:
        raise _config_error(settings, exc) from None
    return TriageContext(keywords=list(brand.keywords), handles=sorted({h.lstrip("@").lower() for h in handles}),
                         excluded=list(brand.excluded_phrases), lexicons=matcher,
                         context_words=list(extra.context_words), ambiguous=list(extra.ambiguous_keywords),
                         off_topic_below=extra.off_topic_below,
                         spam_duplicate_authors=extra.spam_same_text_authors,
                         spam_same_text_days=extra.spam_same_text_days)
