"""The triage stage: a pure function of a mention, the brand's context and ``now``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.models import Mention, Triage
from bot.triage.lexicon import IntentLexicon, builtin_intents
from bot.triage.priority import priority_score
from bot.triage.sentiment import score_sentiment
from bot.triage.signals import detect_intents, language, relevance, spam_signals

MAX_TEXT = 40_000  # characters looked at; longer texts are cut (Invariant 6: bounded work)
OFF_TOPIC_BELOW = 0.3


@dataclass(frozen=True)
class TriageContext:
    """What triage needs to know about the brand (built once from the settings)."""

    keywords: list[str]
    handles: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    lexicons: Mapping[str, IntentLexicon] = field(default_factory=builtin_intents)


def triage(mention: Mention, ctx: TriageContext, now: datetime, duplicate_authors: int = 1) -> Triage:
    """Sentiment, intents, relevance, language, spam and priority for one mention, with reasons."""
    text = mention.text[:MAX_TEXT]
    lowered = text.lower()
    sentiment = score_sentiment(text)
    reasons = [f"sentiment {sentiment.label}: VADER compound {sentiment.compound:+.3f}"]
    found = detect_intents(lowered, ctx.lexicons)
    intents = [i for i, _ in found]
    reasons += [r for _, r in found]
    if "complaint" not in intents and sentiment.compound <= -0.35 and "crisis" not in intents:
        intents.append("complaint")
        reasons.append("complaint: clearly negative sentiment")
    if "praise" in intents and sentiment.compound < -0.05:
        intents.remove("praise")
        reasons.append("praise dropped: the text is negative overall")
    score, why = relevance(lowered, ctx.keywords, ctx.handles, ctx.excluded, mention.addresses_us)
    reasons.append(why)
    spam_reasons = spam_signals(text, lowered, duplicate_authors)
    if "spam" in intents or spam_reasons:
        reasons += spam_reasons
        if "spam" not in intents:
            intents.append("spam")
    if score < OFF_TOPIC_BELOW and "spam" not in intents:
        intents = ["off_topic"]
        reasons.append(f"off_topic: relevance {score} is below {OFF_TOPIC_BELOW}")
    lang, lang_reason = language(text, mention.lang)
    reasons.append(lang_reason)
    spam = "spam" in intents
    prio_score, level, prio_reason = priority_score(
        tuple(intents), sentiment.compound, mention.author.followers, score, now - mention.created_at, spam)
    reasons.append(prio_reason)
    return Triage(sentiment=sentiment, intents=tuple(intents), relevance=score, language=lang, spam=spam,
                  priority=level, score=prio_score, reasons=tuple(reasons))
