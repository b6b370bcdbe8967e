"""The policy engine: a pure function of (mention, triage, rules, history, now) -> suggestion.

Precedence when several active rules match (docs/policies.md#precedence):

1. the highest ``level`` wins;
2. on a tie, the more specific rule (more conditions in its ``[match]``) wins;
3. then the smaller id, so the outcome never depends on file order.

The winner's id and every condition that matched are recorded on the suggestion (``why``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from bot.models import Mention, Suggestion, Triage
from bot.policy.guardrails import shown_handle
from bot.policy.render import render
from bot.policy.rules import Match, Rule
from bot.triage.lexicon import phrase_regex

log = logging.getLogger(__name__)

MAX_TEXT = 40_000  # characters a rule's keywords and patterns look at (bounded work on untrusted text)


@dataclass(frozen=True)
class History:
    """What we know of our relationship with the author when the mention arrives.

    ``recent_texts`` are the replies we sent (or approved) to this person recently; the engine
    picks a variant whose words they have not had from us.
    """

    replies_to_author: int = 0
    open_loop: bool = False
    last_contact: datetime | None = None
    recent_texts: tuple[str, ...] = ()

    @property
    def first_contact(self) -> bool:
        """True when we have never replied to this person."""
        return self.replies_to_author == 0 and self.last_contact is None


@dataclass(frozen=True)
class BrandVoice:
    """Brand facts templates may use."""

    name: str
    support_link: str = ""
    products: tuple[str, ...] = ()


def _intents(match: Match, intents: set[str], why: list[str]) -> bool:
    # Off-topic mentions keep the other intents triage found (a complaint about someone else), but
    # only a rule that asks for off_topic acts on them.
    if "off_topic" in intents and "off_topic" not in match.intents_any and "off_topic" not in match.intents_all:
        return False
    if match.intents_any:
        hit = sorted(intents.intersection(match.intents_any))
        if not hit:
            return False
        why.append(f"intent {', '.join(hit)}")
    if match.intents_all:
        if not intents.issuperset(match.intents_all):
            return False
        why.append(f"all of {', '.join(match.intents_all)}")
    return not intents.intersection(match.intents_none)


def _text(match: Match, text: str, why: list[str]) -> bool:
    if match.keywords:
        lowered = text[:MAX_TEXT].lower()
        hit = next((k for k in match.keywords if k in lowered and phrase_regex(k).search(lowered)), None)
        if hit is None:
            return False
        why.append(f'keyword "{hit}"')
    if match.patterns:
        found = next((p for p in match.patterns if p.search(text[:MAX_TEXT])), None)
        if found is None:
            return False
        why.append(f"pattern /{found.pattern}/")
    return True


def _author(match: Match, mention: Mention, why: list[str]) -> bool:
    author = mention.author
    if author.followers < match.min_followers:
        return False
    if match.max_followers is not None and author.followers > match.max_followers:
        return False
    if match.min_followers or match.max_followers is not None:
        why.append(f"{author.followers} followers")
    if match.verified is not None:
        if author.verified != match.verified:
            return False
        why.append("verified author" if author.verified else "unverified author")
    return True


def _history(match: Match, history: History, now: datetime, why: list[str]) -> bool:
    if match.first_contact is not None:
        if history.first_contact != match.first_contact:
            return False
        why.append("first contact" if history.first_contact else f"returning ({history.replies_to_author} replies)")
    if match.open_loop is not None:
        if history.open_loop != match.open_loop:
            return False
        why.append("open loop with us" if history.open_loop else "no open loop")
    low, high = match.min_hours_since_contact, match.max_hours_since_contact
    if low is not None or high is not None:
        if history.last_contact is None:
            return False
        hours = (now - history.last_contact).total_seconds() / 3600
        if (low is not None and hours < low) or (high is not None and hours > high):
            return False
        why.append(f"last contact {hours:.0f}h ago")
    return True


def match_reasons(match: Match, mention: Mention, triage: Triage, history: History | None = None,
                  now: datetime | None = None) -> list[str] | None:
    """The reasons ``match`` holds for this mention, or None if any condition fails."""
    why: list[str] = []
    if not _intents(match, set(triage.intents), why):
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
    if match.addresses_us is not None:
        if mention.addresses_us != match.addresses_us:
            return None
        why.append("addressed to us" if mention.addresses_us else "not addressed to us")
    if not (_author(match, mention, why) and _text(match, mention.text, why)):
        return None
    if not _history(match, history or History(), now or mention.created_at, why):
        return None
    return why


def _reasons(rule: Rule, mention: Mention, triage: Triage, history: History | None,
             now: datetime | None) -> list[str] | None:
    try:
        return match_reasons(rule.match, mention, triage, history, now)
    except Exception as exc:  # whatever failed, it is this rule that is left out, not the mention
        log.warning("rule %s (%s) left out for %s mention %s: %s: %s", rule.id, rule.path, mention.platform,
                    mention.platform_id, type(exc).__name__, exc)
        return None


def specificity(rule: Rule) -> int:
    """How many conditions a rule's ``[match]`` sets (a tie-breaker: the more specific rule wins)."""
    m, default = rule.match, Match()
    return sum(getattr(m, f.name) != getattr(default, f.name) for f in fields(Match))


def precedence(rule: Rule) -> tuple[int, int, str]:
    """The sort key of documented precedence: higher level, then more specific, then smaller id."""
    return (-rule.level, -specificity(rule), rule.id)


def matching_rules(mention: Mention, triage: Triage, rules: Sequence[Rule], history: History | None = None,
                   now: datetime | None = None) -> list[tuple[Rule, list[str]]]:
    """Active rules that match, in precedence order (the winner first).

    A rule whose conditions raise on this mention is left out of it (and logged) while the others
    decide: one broken rule must not stop every mention it sees.
    """
    hits = [(r, why) for r in rules if r.status == "active"
            for why in [_reasons(r, mention, triage, history, now)] if why is not None]
    # Most mentions match one rule: no precedence to work out (it compares every field of the match).
    return sorted(hits, key=lambda h: precedence(h[0])) if len(hits) > 1 else hits


def template_values(mention: Mention, brand: BrandVoice) -> dict[str, str]:
    """Values for the template variables, taken from the mention as plain data."""
    author = mention.author
    name = author.name.strip() or author.handle
    lowered = mention.text.lower()
    product = next((p for p in brand.products if p.lower() in lowered), brand.name)
    return {"handle": shown_handle(mention), "name": name, "first_name": name.split()[0] if name else "",
            "brand": brand.name, "support_link": brand.support_link, "product": product}


def same_words(a: str, b: str) -> bool:
    """True when two replies say the same thing (case and spacing folded)."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def pick_variant(variants: Sequence[str], values: dict[str, str], history: History) -> str:
    """Rotate through the variants by how often we replied to this person, skipping words they already had."""
    rendered = [render(v, values) for v in variants]
    start = history.replies_to_author % len(rendered)
    order = rendered[start:] + rendered[:start]
    fresh = [t for t in order if not any(same_words(t, old) for old in history.recent_texts)]
    return (fresh or order)[0]


def suggest(mention: Mention, triage: Triage, rules: Sequence[Rule], history: History, brand: BrandVoice,
            now: datetime) -> Suggestion | None:
    """The winning rule's suggestion for this mention, or None when no rule matches."""
    hits = matching_rules(mention, triage, rules, history, now)
    if not hits:
        return None
    rule, why = hits[0]
    reasons = (f"rule {rule.id} (level {rule.level})", *why)
    if len(hits) > 1:
        reasons += (f"won over {', '.join(r.id for r, _ in hits[1:])}",)
    if rule.action == "ignore":
        return Suggestion(rule_id=rule.id, action="ignore", why=reasons)
    values = template_values(mention, brand)
    text = pick_variant(rule.variants, values, history) if rule.variants else ""
    return Suggestion(
        rule_id=rule.id, action="reply" if text else "escalate", text=text,
        follow_up=render(rule.follow_up, values) if rule.follow_up else "",
        follow_up_after_hours=rule.follow_up_after_hours, escalate_to=rule.escalate_to,
        note=rule.escalate_note, why=reasons,
    )
