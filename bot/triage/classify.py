"""The triage stage: a pure function of a mention, the brand's context and ``now``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Final

from bot.models import Mention, Triage
from bot.triage.intents import alternation, detect_intents, is_negated, spaces
from bot.triage.lexicon import cue_lists, normalise, words_of
from bot.triage.matcher import IntentMatcher, builtin_matcher
from bot.triage.priority import priority_score
from bot.triage.records import record
from bot.triage.sentiment import score_sentiment
from bot.triage.signals import (
    URL,
    RelevanceRules,
    false_friends_in,
    language,
    language_of_words,
    language_words_of,
    reach,
    spam_signals,
)

INTENT_HEAD: Final = 8_000  # intents are read in the first 8,000 and the last 2,000 characters (bounded work)
INTENT_TAIL: Final = 2_000
OFF_TOPIC_BELOW: Final = 0.3
COMPLAINT_BELOW: Final = -0.5  # VADER compound at or below which a relevant mention counts as a complaint anyway
IMPLIED_BELOW: Final = 0.05  # a crisis or churn risk in a text VADER does not call positive is a complaint too
PRAISE_DROPPED_BELOW: Final = -0.3  # praise words in a text this negative are not praise


@dataclass(frozen=True)
class TriageContext:
    """What triage needs to know about the brand (built once from the settings)."""

    keywords: list[str]
    handles: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    lexicons: IntentMatcher = field(default_factory=builtin_matcher)
    context_words: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    off_topic_below: float = OFF_TOPIC_BELOW
    spam_duplicate_authors: int = 3
    spam_same_text_days: float = 7.0  # the window duplicate_authors was counted in (for the reason)
    relevance_rules: RelevanceRules = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once here, not per mention: the word lists are not to be changed afterwards.
        rules = RelevanceRules(self.keywords, self.handles, self.excluded, self.context_words, self.ambiguous)
        object.__setattr__(self, "relevance_rules", rules)


def bounded(text: str) -> str:
    """The part of a text intents are read in: all of it, or its head and tail when it is long."""
    if len(text) <= INTENT_HEAD + INTENT_TAIL:
        return text
    return text[:INTENT_HEAD] + "\n" + text[-INTENT_TAIL:]


@lru_cache(maxsize=64)  # one per brand context
def _toward_brand(keywords: tuple[str, ...], handles: tuple[str, ...]) -> re.Pattern[str]:
    """A churn lead ("switched to") then at most two filler words then the brand (cues.toml [toward_brand])."""
    lists = cue_lists("toward_brand")
    names = {form for k in keywords for form in (normalise(k), normalise(k).replace(" ", "")) if form}
    names.update(h.lower().lstrip("@").rpartition("/")[2] for h in handles if h.strip("@/"))
    lead = alternation(lists["leads"], lists.get("patterns", ()))
    filler = alternation(lists.get("fillers", ()))
    rival = rf"(?!'s\s+{alternation(lists.get('rivals', ()))}(?![^\W_]))"
    return re.compile(rf"(?<![^\W_]){lead}(?:\s+{filler}){{0,2}}\s+(?:[@#]|u/)?{alternation(names)}(?![^\W_]){rival}")


def churn_toward_brand(text: str, ctx: TriageContext, compound: float) -> str:
    """The phrase switching to the brand when it holds every churn hit of a normalised text ("" otherwise).

    Only called when churn_risk was found: the text is read again with those phrases blanked, so any
    other churn hit ("cancelled my plan", "switching to Ring") keeps churn_risk. A negated one ("never
    going back to nimbus") is someone leaving and is not blanked.
    """
    negators = ctx.lexicons.cues.negators
    toward = [m for m in _toward_brand(tuple(ctx.keywords), tuple(ctx.handles)).finditer(text)
              if not is_negated(text, m.start(), negators)]
    if not toward:
        return ""
    blanked = text
    for match in toward:  # blanking keeps the length, so every later match's offsets still hold
        blanked = blanked[:match.start()] + spaces(match) + blanked[match.end():]
    return "" if "churn_risk" in detect_intents(blanked, ctx.lexicons, compound).intents else toward[0].group()


@lru_cache(maxsize=256)  # a handful of relevance scores recur; formatting two floats costs a microsecond
def _off_topic(score: float, below: float) -> str:
    return f"off_topic: relevance {score} is below {below}"


def triage(mention: Mention, ctx: TriageContext, now: datetime, duplicate_authors: int = 1) -> Triage:
    """Sentiment, intents, relevance, language, spam and priority for one mention, with reasons."""
    text = mention.text
    lowered = normalise(bounded(text))
    plain = URL.sub(" ", lowered) if ("http" in lowered or "www." in lowered) else lowered
    words = words_of(plain)  # shared by intents and, when exact, language
    lang_words = language_words_of(text, lowered, words if plain is lowered else None)
    lang, lang_reason = (language(text, mention.lang) if lang_words is None
                         else language_of_words(lang_words, mention.lang))
    misread = false_friends_in(lang, words)
    sentiment = score_sentiment(text, misread)
    compound = sentiment.compound
    reasons = [f"sentiment {sentiment.label}: VADER compound {compound:+.3f}"
               + (f" (mean of {sentiment.segments} segments)" if sentiment.segments > 1 else "")
               + (f" ({lang} words VADER would read as English left out: {', '.join(misread)})" if misread else "")]
    found = detect_intents(plain, ctx.lexicons, compound, words, resolve=True)
    intents, why = found.intents, found.reasons
    score, relevance_reason = ctx.relevance_rules.score(lowered, mention.addresses_us)
    if "churn_risk" in intents:
        toward = churn_toward_brand(plain, ctx, compound)
        if toward:
            intents.remove("churn_risk")
            why.append(f'churn dropped: switching to the brand ("{toward}")')
    if "praise" in intents and compound <= PRAISE_DROPPED_BELOW:
        intents.remove("praise")
        why.append(f"praise dropped: the text is negative overall ({compound:+.2f})")
    implied = "crisis" if "crisis" in intents else "churn_risk" if "churn_risk" in intents else ""
    if "complaint" not in intents and implied and compound < IMPLIED_BELOW:
        intents.insert(0, "complaint")
        why.append(f"complaint: {implied} in a text that is not positive ({compound:+.2f})")
    if "complaint" not in intents and "crisis" not in intents and compound <= COMPLAINT_BELOW:
        intents.insert(0, "complaint")
        why.append(f"complaint: strongly negative sentiment ({compound:+.2f} <= {COMPLAINT_BELOW})")
    reasons += why
    reasons.append(relevance_reason)
    spam_reasons = spam_signals(text[:INTENT_HEAD], duplicate_authors, ctx.spam_duplicate_authors,
                                 ctx.spam_same_text_days, says_something=bool(intents))
    if spam_reasons or "spam" in intents:
        reasons += spam_reasons
        intents = ["spam"]
    elif score < ctx.off_topic_below:
        intents.append("off_topic")  # kept beside what was found: a complaint about someone else is one
        reasons.append(_off_topic(score, ctx.off_topic_below))
    reasons.append(lang_reason)
    author = mention.author
    reasons.append(reach(author.followers, author.verified))
    spam = "spam" in intents
    prio_score, level, prio_reason = priority_score(
        tuple(intents), compound, author.followers, score, now - mention.created_at, spam)
    reasons.append(prio_reason)
    return record(Triage, {"sentiment": sentiment, "intents": tuple(intents), "relevance": score, "language": lang,
                           "spam": spam, "priority": level, "score": prio_score, "reasons": tuple(reasons)})
