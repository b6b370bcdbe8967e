"""Where the guardrails meet the store: gather the facts, run the pure checks, record the outcome.

:func:`propose` is the pipeline's one call (engine + suggestion-time guardrails); :func:`guard_post`
is dispatch's one call, right after an outbox item is claimed and before the network: a blocked
post moves to ``blocked`` and a held one (quiet hours, daily cap) goes back to ``approved`` until
the hold lifts; both are audited with the guardrail's reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.models import Mention, Suggestion, Triage
from bot.policy.engine import History, suggest
from bot.policy.guardrails import Facts, Limits, Stage, Verdict, check, handle_key, stopped
from bot.policy.rules import Rule
from bot.runtime import Runtime
from bot.store import OutboxItem, Store
from bot.store.contacts import COMMITTED, SENT


@dataclass(frozen=True)
class Stop:
    """Why dispatch did not post an item: ``held`` until a time, or blocked for good."""

    reason: str
    held: bool


def limits(settings: Settings) -> Limits:
    """The configured guardrails as :class:`Limits`."""
    g, b = settings.guardrails, settings.brand

    def clock(value: str) -> time | None:
        return time.fromisoformat(value) if value else None

    words = tuple(k.lower() for k in b.keywords) + tuple(handle_key(h) for h in b.handles)
    return Limits(
        our_handles={p: frozenset(handle_key(h) for h in hs) for p, hs in settings.accounts.items()},
        brand_bots={p: frozenset(handle_key(h) for h in hs) for p, hs in g.brand_bots.items()},
        brand_words=words, daily_caps=dict(g.daily_caps), quiet_start=clock(g.quiet_start),
        quiet_end=clock(g.quiet_end), timezone=settings.timezone, identical_text_days=g.identical_text_days,
        x_keyword_replies=g.x_keyword_replies)


def local_midnight(settings: Settings, now: datetime) -> datetime:
    """The start of today in the configured timezone, in ``now``'s timezone."""
    zone = ZoneInfo(settings.timezone)
    return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone).astimezone(now.tzinfo)


def listed_in_config(settings: Settings, mention: Mention) -> bool:
    """True when bot.toml's do-not-contact list names the mention's author."""
    handle = handle_key(mention.author.handle)
    return handle in {handle_key(h) for h in settings.guardrails.do_not_contact.get(mention.platform, [])}


def dnc_reason(listed: bool, stored: str | None) -> str | None:
    """Why the addressee is on a do-not-contact list (bot.toml first, then the stored list), or None."""
    if listed:
        return "bot.toml guardrails.do_not_contact"
    return None if stored is None else (stored or "no reason given")


def text_window(settings: Settings, now: datetime) -> datetime:
    """The start of the identical-text window."""
    return now - timedelta(days=settings.guardrails.identical_text_days)


def facts(store: Store | None, settings: Settings, mention_id: int | None, mention: Mention, now: datetime,
          stage: Stage, exclude_outbox: int | None = None) -> Facts:
    """What the store (and bot.toml's do-not-contact list) says about this reply's addressee."""
    handle = handle_key(mention.author.handle)
    listed = listed_in_config(settings, mention)
    if store is None:
        return Facts(do_not_contact=dnc_reason(listed, None))
    reason = dnc_reason(listed, None if listed else store.contacts.block_reason(mention.platform, handle))
    states = COMMITTED if stage == "suggest" else SENT
    window = text_window(settings, now)
    return Facts(
        do_not_contact=reason,
        unanswered_in_thread=0 if mention_id is None else
        store.contacts.unanswered_in_thread(mention_id, exclude_outbox, states),
        replies_today=store.contacts.replies_since(mention.platform, local_midnight(settings, now), exclude_outbox),
        recent_texts=tuple(store.contacts.texts_to_author(mention.platform, mention.author.platform_id, window,
                                                          exclude_outbox, states)),
    )


def offline_runtime(settings: Settings, rules: list[Rule]) -> Runtime:
    """A runtime without a database or connectors, for checks that need only the settings and rules."""
    return Runtime(settings=settings, store=cast(Store, None), connectors={}, rules=rules)


def rule_by_id(rules: list[Rule], rule_id: str) -> Rule | None:
    """The loaded rule with this id (None when it was removed or is broken)."""
    return next((r for r in rules if r.id == rule_id), None)


def verdicts(rt: Runtime, mention_id: int | None, mention: Mention, text: str, rule_id: str, kind: str,
             now: datetime, stage: Stage, exclude_outbox: int | None = None) -> list[Verdict]:
    """Every guardrail's verdict on replying ``text`` to a stored (or, with no id, hypothetical) mention."""
    rule = rule_by_id(rt.rules, rule_id)
    return check(mention, text, facts(rt.store, rt.settings, mention_id, mention, now, stage, exclude_outbox),
                 limits(rt.settings), now, stage=stage, kind=kind,
                 allow_keyword_posts=rule is not None and rule.allow_keyword_posts)


def history(rt: Runtime, mention: Mention, now: datetime) -> History:
    """Our relationship with the mention's author, as the engine sees it."""
    replies, open_loop, last = rt.store.loops.author_history(mention.platform, mention.author.platform_id)
    window = text_window(rt.settings, now)
    who = (mention.platform, mention.author.platform_id)
    texts = rt.store.contacts.texts_to_author(*who, window, None, COMMITTED) + \
        rt.store.contacts.suggested_to_author(*who, window)
    return History(replies, open_loop, last, tuple(texts))


def guard(rt: Runtime, mention_id: int, mention: Mention, proposal: Suggestion, now: datetime,
          kind: str = "reply") -> Suggestion:
    """The suggestion with ``blocked_by`` set when a guardrail stops its reply text."""
    if proposal.action == "ignore" or not proposal.text:
        return proposal
    return checked(proposal, mention, facts(rt.store, rt.settings, mention_id, mention, now, "suggest"),
                   limits(rt.settings), rt.rules, now, kind)


def checked(proposal: Suggestion, mention: Mention, known: Facts, configured: Limits, rules: list[Rule],
            now: datetime, kind: str = "reply") -> Suggestion:
    """Pure: the suggestion with ``blocked_by`` set when a suggestion-time guardrail stops its reply text."""
    if proposal.action == "ignore" or not proposal.text:
        return proposal
    rule = rule_by_id(rules, proposal.rule_id)
    found = stopped(check(mention, proposal.text, known, configured, now, stage="suggest", kind=kind,
                          allow_keyword_posts=rule is not None and rule.allow_keyword_posts))
    return dataclasses.replace(proposal, blocked_by=tuple(str(v) for v in found)) if found else proposal


def propose(rt: Runtime, mention_id: int, mention: Mention, triage: Triage, now: datetime) -> Suggestion | None:
    """The policy's suggestion for a stored mention, checked by the guardrails."""
    proposal = suggest(mention, triage, rt.rules, history(rt, mention, now), rt.brand, now)
    return None if proposal is None else guard(rt, mention_id, mention, proposal, now)


def audit_blocked(rt: Runtime, entity: str, entity_id: int | None, reasons: tuple[str, ...], now: datetime) -> None:
    """Record in the audit trail which guardrails stopped a suggestion or a post, and why."""
    rt.store.audit.record("ronr", "blocked", entity, entity_id, {"blocked_by": list(reasons)}, now)


def guard_post(rt: Runtime, item: OutboxItem, mention: Mention, now: datetime) -> Stop | None:
    """Check a claimed outbox item again right before posting; hold or block it (and audit) when stopped."""
    queued = rt.store.suggestions.get(item.suggestion_id)
    found = stopped(verdicts(rt, item.mention_id, mention, item.text, queued.rule_id if queued else "",
                             queued.kind if queued else "reply", now, "post", exclude_outbox=item.id))
    if not found:
        return None
    reasons = tuple(str(v) for v in found)
    if all(v.until is not None for v in found):
        until = max(v.until for v in found if v.until is not None)
        with rt.store.atomic():
            rt.store.outbox.retry_later(item.id, "; ".join(reasons), until, now)
            rt.store.audit.record("ronr", "held", "outbox", item.id,
                                  {"held_by": list(reasons), "until": until.isoformat()}, now)
        return Stop(f"held until {until.isoformat()}: {'; '.join(reasons)}", held=True)
    with rt.store.atomic():
        rt.store.outbox.failed(item.id, "; ".join(reasons), now, state="blocked")
        audit_blocked(rt, "outbox", item.id, reasons, now)
    return Stop("; ".join(reasons), held=False)
