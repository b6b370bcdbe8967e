"""Exactly-once posting of approved replies through the outbox.

For each due item: claim it (approved -> sending, committed) before the network call; post; then
record the platform's id (sending -> posted) and move the loop on. A crash between the claim and
the record leaves the item in ``sending``: :func:`reconcile` asks the platform whether our reply
is already there before anything is retried, so nothing is ever posted twice.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.models import Posted
from bot.runtime import Runtime
from bot.store import OutboxItem
from connectors.base import ConnectorError, CredentialError, RateLimited

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


@dataclass
class DispatchReport:
    """What a dispatch run did."""

    posted: list[int] = field(default_factory=list)
    reconciled: list[int] = field(default_factory=list)
    retrying: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)


def retry_delay(attempt: int, rng: random.Random) -> timedelta:
    """Capped exponential backoff with full jitter: up to 30 s, 1 min, 2 min ... at most 30 min."""
    ceiling = min(1800.0, 30.0 * 2 ** max(0, attempt - 1))
    return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


def _record_posted(rt: Runtime, item: OutboxItem, platform_id: str, posted_at: datetime, url: str,
                   now: datetime) -> None:
    with rt.store.atomic():
        rt.store.outbox.posted(item.id, Posted(platform_id, posted_at, url), now)
        rt.store.loops.replied(item.mention_id, item.id, posted_at, item.text)
        rt.store.audit.record("ronr", "posted", "outbox", item.id,
                              {"reply_id": platform_id, "connector": item.connector}, now)


def reconcile(rt: Runtime, now: datetime, report: DispatchReport | None = None) -> DispatchReport:
    """Settle items a crash left in ``sending``: posted if the platform has our reply, else retried."""
    report = report or DispatchReport()
    for item in rt.store.outbox.in_state("sending"):
        connector = rt.connectors.get(item.connector)
        if connector is None:
            continue
        mention = rt.store.mentions.get(item.mention_id)
        try:
            found = connector.find_reply(mention, item.idem_key)
        except ConnectorError as exc:
            log.warning("reconcile failed: %s", exc, extra={"item": item.id, "connector": item.connector})
            continue
        if found is not None:
            _record_posted(rt, item, found.platform_id, found.posted_at, found.url, now)
            report.reconciled.append(item.id)
        else:
            rt.store.outbox.retry_later(item.id, "interrupted before the platform had it; retrying", now, now)
    return report


def dispatch(rt: Runtime, now: datetime, rng: random.Random | None = None, limit: int = 100) -> DispatchReport:
    """Post every approved reply that is due, each at most once."""
    rng = rng or random.Random()
    report = DispatchReport()
    for item in rt.store.outbox.due(now, limit):
        connector = rt.connectors.get(item.connector)
        if connector is None:
            report.retrying[item.id] = f"connector {item.connector!r} is not enabled"
            continue
        if not rt.store.outbox.claim(item.id, now):
            continue  # someone else took it
        mention = rt.store.mentions.get(item.mention_id)
        try:
            posted = connector.post_reply(mention, item.text, item.idem_key, now)
        except RateLimited as exc:
            rt.store.outbox.retry_later(item.id, str(exc), exc.until, now)
            report.retrying[item.id] = str(exc)
            continue
        except CredentialError as exc:
            rt.store.outbox.retry_later(item.id, str(exc), now + timedelta(minutes=15), now)
            report.retrying[item.id] = str(exc)
            continue
        except ConnectorError as exc:
            if exc.transient and item.attempts + 1 < MAX_ATTEMPTS:
                rt.store.outbox.retry_later(item.id, str(exc), now + retry_delay(item.attempts + 1, rng), now)
                report.retrying[item.id] = str(exc)
            else:
                # A permanent error may still have created the post: a person checks before anything else.
                rt.store.outbox.failed(item.id, str(exc), now, state="needs_review")
                report.failed[item.id] = str(exc)
            continue
        _record_posted(rt, item, posted.platform_id, posted.posted_at, posted.url, now)
        report.posted.append(item.id)
    return report
