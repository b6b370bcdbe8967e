"""Checks over a whole rule set: rules another always beats, examples that fail, follow-ups too late.

Used by ``ronr policies check`` and by the tests, so a rule file that passes one passes the other.
Every problem is one line: ``path:line: what. Fix: how``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.models import Author, Mention, Triage
from bot.policy.engine import History, match_reasons, matching_rules, precedence
from bot.policy.rules import Example, Match, Rule
from bot.triage import TriageContext, triage

EXAMPLE_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _covers(wide: tuple[str, ...], narrow: tuple[str, ...]) -> bool:
    """Every value allowed by ``narrow`` is allowed by ``wide`` (empty means any)."""
    return not wide or (bool(narrow) and set(narrow) <= set(wide))


def implied(a: Match, b: Match) -> bool:
    """True when every mention ``b`` matches is sure to match ``a`` too (conservative: False if unsure)."""
    b_known = set(b.intents_all) | (set(b.intents_any) if len(b.intents_any) == 1 else set())
    any_ok = not a.intents_any or (bool(b.intents_any) and set(b.intents_any) <= set(a.intents_any)) \
        or bool(set(a.intents_any) & set(b.intents_all))
    hours_ok = all(
        x is None or (y is not None and (y >= x if low else y <= x))
        for x, y, low in ((a.min_hours_since_contact, b.min_hours_since_contact, True),
                          (a.max_hours_since_contact, b.max_hours_since_contact, False)))
    return (any_ok and set(a.intents_all) <= b_known and set(a.intents_none) <= set(b.intents_none)
            and a.min_relevance <= b.min_relevance and a.sentiment_min <= b.sentiment_min
            and a.sentiment_max >= b.sentiment_max and _covers(a.platforms, b.platforms)
            and _covers(a.languages, b.languages) and a.addresses_us in (None, b.addresses_us)
            and a.min_followers <= b.min_followers
            and (a.max_followers is None or (b.max_followers is not None and b.max_followers <= a.max_followers))
            and a.verified in (None, b.verified) and _covers(a.keywords, b.keywords)
            and _covers(tuple(p.pattern for p in a.patterns), tuple(p.pattern for p in b.patterns))
            and a.first_contact in (None, b.first_contact) and a.open_loop in (None, b.open_loop) and hours_ok)


def shadowed(rules: Sequence[Rule]) -> list[str]:
    """Active rules that can never fire because another active rule matches all they match and wins."""
    active = [r for r in rules if r.status == "active"]
    problems = []
    for rule in active:
        winner = next((w for w in sorted(active, key=precedence)
                       if w is not rule and precedence(w) < precedence(rule) and implied(w.match, rule.match)), None)
        if winner is not None:
            problems.append(
                f"{rule.path}:{rule.line}: rule {rule.id!r} can never fire: rule {winner.id!r} (level {winner.level}, "
                f"{winner.path}) matches everything it matches and wins. Fix: raise level above {winner.level}, "
                f"or narrow {winner.id!r}'s [match] (for example intents_none)")
    return problems


@dataclass(frozen=True)
class Tried:
    """An example as the engine saw it: the mention, its triage, the history, and the rules that matched."""

    example: Example
    mention: Mention
    triage: Triage
    history: History
    winners: list[Rule]


def example_mention(example: Example, our_handles: Sequence[str], now: datetime = EXAMPLE_NOW) -> tuple[Mention,
                                                                                                          History]:
    """The mention and history an example stands for (posted by a stranger, at ``now``)."""
    lowered = example.text.lower()
    addressed = example.addresses_us if example.addresses_us is not None else \
        any(f"@{h.lower().lstrip('@')}" in lowered for h in our_handles)
    author = Author(example.platform, "example-author", "sam_rivera", "Sam Rivera", example.followers,
                    example.verified)
    mention = Mention(platform=example.platform, platform_id="example", author=author, text=example.text,
                      created_at=now, account="example", thread_id="example", addresses_us=addressed)
    last = None if example.hours_since_contact is None else now - timedelta(hours=example.hours_since_contact)
    if last is None and example.replies_before:
        last = now - timedelta(days=30)
    return mention, History(example.replies_before, example.open_loop, last)


def try_example(example: Example, rules: Sequence[Rule], ctx: TriageContext, our_handles: Sequence[str]) -> Tried:
    """Run one example through triage and the engine."""
    mention, history = example_mention(example, our_handles)
    result = triage(mention, ctx, EXAMPLE_NOW)
    return Tried(example, mention, result, history,
                 [r for r, _ in matching_rules(mention, result, rules, history, EXAMPLE_NOW)])


def example_problems(rule: Rule, rules: Sequence[Rule], ctx: TriageContext, our_handles: Sequence[str]) -> list[str]:
    """Replay ``rule``'s examples: a must-match that does not win, or a must-not that matches, is a problem."""
    problems = []
    for example, should in [(e, True) for e in rule.examples_match] + [(e, False) for e in rule.examples_no_match]:
        tried = try_example(example, rules, ctx, our_handles)
        matched = match_reasons(rule.match, tried.mention, tried.triage, tried.history, EXAMPLE_NOW) is not None
        seen = f"triage saw intents [{', '.join(tried.triage.intents)}], sentiment " \
               f"{tried.triage.sentiment.compound:+.2f}, relevance {tried.triage.relevance}"
        where = f"{rule.path}:{example.line}: examples.{'match' if should else 'no_match'}: {example.text[:60]!r}"
        if should and not matched:
            problems.append(f"{where} should match but does not ({seen}). Fix: adjust [match] or the example")
        elif should and rule.status == "active" and tried.winners and tried.winners[0] is not rule:
            problems.append(f"{where} matches, but rule {tried.winners[0].id!r} wins. Fix: adjust levels or "
                            "[match] so the intended rule wins")
        elif not should and matched:
            problems.append(f"{where} should not match but does ({seen}). Fix: narrow [match] or the example")
    return problems


def follow_up_problems(rules: Sequence[Rule], loop_timeout_hours: float) -> list[str]:
    """Follow-ups after silence that could never be queued because the loop closes first."""
    return [f"{r.path}:{r.line}: follow_up.after_hours: {r.follow_up_after_hours:g}h is not before loops.timeout_hours "
            f"({loop_timeout_hours:g}h), so the silence follow-up is never asked. Fix: lower after_hours"
            for r in rules if r.follow_up and "silence" in r.follow_up_when
            and r.follow_up_after_hours >= loop_timeout_hours]
