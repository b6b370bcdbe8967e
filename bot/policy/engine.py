"""The policy engine: a pure function of (mention, triage, rules, history, now) -> suggestion.

Precedence when several active rules match: the highest ``level`` wins; on a tie, the rule with
more conditions (the more specific one) wins; then the smaller id. The winner's id and the
conditions that matched are recorded on the suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.models import Mention, Suggestion, Triage
from bot.policy.render import render
from bot.policy.rules import Match, Rule


@dataclass(frozen=True)
class History:
    """What we know of our relationship with the author when the mention arrives."""

    replies_to_author: int = 0
    open_loop: bool = False
    last_contact: datetime | None = None


@dataclass(frozen=True)
class BrandVoice:
    """Brand facts templates may use."""

    name: str
    support_link: str = ""
    products: tuple[str, ...] = ()


def match_reasons(match: Match, mention: Mention, triage: Triage) -> list[str] | None:
    """The reasons ``match`` holds for this mention, or None if any condition fails."""
    intents = set(triage.intents)
    why: list[str] = []
    if match.intents_any:
        hit = sorted(intents.intersection(match.intents_any))
        if not hit:
            return None
        why.append(f"intent {', '.join(hit)}")
    if match.intents_all:
        if not intents.issuperset(match.intents_all):
            return None
        why.append(f"all of {', '.join(match.intents_all)}")
    if intents.intersection(match.intents_none):
        return None
    if triage.relevance < match.min_relevance:
        return None
    if not match.sentiment_min <= triage.sentiment.compound <= match.sentiment_max:
        return None
    if match.sentiment_min > -1.0 or match.sentiment_max < 1.0:
        why.append(f"sentiment {triage.sentiment.compound:+.2f} in [{match.sentiment_min}, {match.sentiment_max}]")
    if match.platforms and mention.platform not in match.platforms:
        return None
    if match.languages and triage.language not in match.languages:
        return None
    if match.addresses_us is not None and mention.addresses_us != match.addresses_us:
        return None
    if mention.author.followers < match.min_followers:
        return None
    if match.min_followers:
        why.append(f"{mention.author.followers} followers >= {match.min_followers}")
    return why


def _specificity(rule: Rule) -> int:
    m = rule.match
    return sum(bool(x) for x in (m.intents_any, m.intents_all, m.intents_none, m.min_relevance, m.platforms,
                                  m.languages, m.addresses_us is not None, m.min_followers,
                                  m.sentiment_min > -1.0 or m.sentiment_max < 1.0))


def matching_rules(mention: Mention, triage: Triage, rules: Sequence[Rule]) -> list[tuple[Rule, list[str]]]:
    """Active rules that match, in precedence order (the winner first)."""
    hits = [(r, why) for r in rules if r.status == "active"
            for why in [match_reasons(r.match, mention, triage)] if why is not None]
    return sorted(hits, key=lambda h: (-h[0].level, -_specificity(h[0]), h[0].id))


def template_values(mention: Mention, brand: BrandVoice) -> dict[str, str]:
    """Values for the template variables, taken from the mention as plain data."""
    author = mention.author
    prefix = "u/" if mention.platform == "reddit" else "@"
    name = author.name.strip() or author.handle
    lowered = mention.text.lower()
    product = next((p for p in brand.products if p.lower() in lowered), brand.name)
    return {"handle": prefix + author.handle, "name": name, "first_name": name.split()[0] if name else "",
            "brand": brand.name, "support_link": brand.support_link, "product": product}


def suggest(mention: Mention, triage: Triage, rules: Sequence[Rule], history: History, brand: BrandVoice,
            now: datetime) -> Suggestion | None:
    """The winning rule's suggestion for this mention, or None when no rule matches."""
    del now  # part of the contract: later guardrails (quiet hours, time since contact) use it
    hits = matching_rules(mention, triage, rules)
    if not hits:
        return None
    rule, why = hits[0]
    reasons = (f"rule {rule.id} (level {rule.level})", *why)
    if rule.action == "ignore":
        return Suggestion(rule_id=rule.id, action="ignore", why=reasons)
    values = template_values(mention, brand)
    text = ""
    if rule.variants:
        # Rotate by how many times we replied to this person, so nobody gets the same words twice in a row.
        text = render(rule.variants[history.replies_to_author % len(rule.variants)], values)
    return Suggestion(
        rule_id=rule.id, action="reply" if text else "escalate", text=text,
        follow_up=render(rule.follow_up, values) if rule.follow_up else "",
        follow_up_after_hours=rule.follow_up_after_hours, escalate_to=rule.escalate_to,
        note=rule.escalate_note, why=reasons,
    )
