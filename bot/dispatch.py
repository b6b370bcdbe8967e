"""Exactly-once posting of approved replies through the outbox.

States: ``approved`` -> ``sending`` -> ``posted`` | ``failed`` (with the reason) | ``needs_review``;
a transient failure goes back to ``approved`` with a later ``next_attempt_at``.

For each due item: claim it (approved -> sending, committed) before the network call; post; then
record the platform's id (sending -> posted) and move the loop on. A crash between the claim and
the record leaves the item in ``sending``: :func:`reconcile` asks the platform whether our reply
is already there before anything is retried, so nothing is ever posted twice.

Whoever records an approval calls :func:`notify_approved`; the daemon subscribes with
:func:`on_approval` and dispatches at once instead of waiting for its next tick.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.logs import log_context
from bot.models import Posted
from bot.policy.gate import guard_post
from bot.runtime import Runtime
from bot.store import OutboxItem
from connectors.base import ConnectorError, CredentialError, RateLimited
from connectors.limits import backoff

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8

_listeners: list[Callable[[], None]] = []
_listeners_lock = threading.Lock()


def on_approval(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` whenever :func:`notify_approved` is called; returns a function that unsubscribes."""
    with _listeners_lock:
        _listeners.append(callback)

    def unsubscribe() -> None:
        with _listeners_lock:
            if callback in _listeners:
                _listeners.remove(callback)
    return unsubscribe


def notify_approved() -> None:
    """Tell a dispatcher in this process that a reply was approved (it posts within seconds anyway)."""
    with _listeners_lock:
        callbacks = list(_listeners)
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a broken listener must never fail the approval that called us
            log.exception("approval listener failed")


@dataclass
class DispatchReport:
    """What a dispatch run did."""

    posted: list[int] = field(default_factory=list)
    reconciled: list[int] = field(default_factory=list)
    retrying: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    unsettled: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and job records."""
        return (f"posted {len(self.posted)}, reconciled {len(self.reconciled)}, retrying {len(self.retrying)}, "
                f"failed {len(self.failed)}, unsettled {len(self.unsettled)}")


def _record_posted(rt: Runtime, item: OutboxItem, platform_id: str, posted_at: datetime, url: str,
                   now: datetime) -> None:
    with rt.store.atomic():
        rt.store.outbox.posted(item.id, Posted(platform_id, posted_at, url), now)
        rt.store.loops.replied(item.mention_id, item.id, posted_at, item.text)
        rt.store.audit.record("ronr", "posted", "outbox", item.id,
                              {"reply_id": platform_id, "connector": item.connector}, now)


def reconcile(rt: Runtime, now: datetime, report: DispatchReport | None = None) -> DispatchReport:
    """Settle items a crash left in ``sending``: posted if the platform has our reply, else retried.

    Only the process that owns dispatching may call this (the daemon holds the instance lock): an
    item another live process is sending would look interrupted. An item whose platform cannot be
    asked stays in ``sending`` (listed in ``unsettled``) and is never retried blindly.
    """
    report = report or DispatchReport()
    for item in rt.store.outbox.in_state("sending"):
        with log_context(connector=item.connector, item=f"outbox:{item.id}"):
            connector = rt.connectors.get(item.connector)
            if connector is None:
                report.unsettled.append(item.id)
                continue
            mention = rt.store.mentions.get(item.mention_id)
            try:
                found = connector.find_reply(mention, item.idem_key, now)
            except ConnectorError as exc:
                log.warning("reconcile failed, will ask again: %s", exc)
                report.unsettled.append(item.id)
                continue
            if found is not None:
                _record_posted(rt, item, found.platform_id, found.posted_at, found.url, now)
                report.reconciled.append(item.id)
                log.info("reconciled: the reply was already posted as %s", found.platform_id)
            else:
                rt.store.outbox.retry_later(item.id, "interrupted before the platform had it; retrying", now, now)
                log.info("reconciled: the platform does not have the reply; it will be posted")
    return report


def _post_one(rt: Runtime, item: OutboxItem, now: datetime, rng: random.Random, report: DispatchReport) -> None:
    connector = rt.connectors.get(item.connector)
    if connector is None:
        report.retrying[item.id] = f"connector {item.connector!r} is not enabled"
        return
    if not rt.store.outbox.claim(item.id, now):
        return  # someone else took it
    # Guardrails are checked again here, right after the claim and before the network call.
    mention = rt.store.mentions.get(item.mention_id)
    stopped = guard_post(rt, item, mention, now)  # a held or blocked post is moved and audited there
    if stopped is not None:
        (report.retrying if stopped.held else report.failed)[item.id] = stopped.reason
        return
    try:
        posted = connector.post_reply(mention, item.text, item.idem_key, now)
    except RateLimited as exc:
        rt.store.outbox.retry_later(item.id, str(exc), exc.until, now)
        report.retrying[item.id] = str(exc)
        log.warning("rate limited; retrying at %s", exc.until.isoformat())
        return
    except CredentialError as exc:
        rt.store.outbox.retry_later(item.id, str(exc), now + timedelta(minutes=15), now)
        report.retrying[item.id] = str(exc)
        log.error("credentials rejected; retrying in 15 min: %s", exc)
        return
    except ConnectorError as exc:
        if exc.transient and item.attempts + 1 < MAX_ATTEMPTS:
            at = exc.retry_at or now + timedelta(seconds=backoff(item.attempts + 1, rng))
            rt.store.outbox.retry_later(item.id, str(exc), at, now)
            report.retrying[item.id] = str(exc)
            log.warning("post failed (attempt %d), retrying at %s: %s", item.attempts + 1, at.isoformat(), exc)
        else:
            # A permanent error may still have created the post: a person checks before anything else.
            rt.store.outbox.failed(item.id, str(exc), now, state="needs_review")
            report.failed[item.id] = str(exc)
            log.error("post failed; needs review: %s", exc)
        return
    _record_posted(rt, item, posted.platform_id, posted.posted_at, posted.url, now)
    report.posted.append(item.id)
    log.info("posted reply %s to %s", posted.platform_id, mention.platform_id)


def dispatch(rt: Runtime, now: datetime, rng: random.Random | None = None, limit: int = 100,
             stop: Callable[[], bool] | None = None, clock: Callable[[], datetime] | None = None) -> DispatchReport:
    """Post every approved reply that is due, each at most once.

    ``stop`` is asked between items (a graceful shutdown finishes the post in flight and stops);
    ``clock``, when given, times each item (the daemon passes the wall clock), else every item uses ``now``.
    """
    rng = rng or random.Random()
    report = DispatchReport()
    for item in rt.store.outbox.due(now, limit):
        if stop is not None and stop():
            break
        with log_context(connector=item.connector, item=f"outbox:{item.id}"):
            _post_one(rt, item, clock() if clock else now, rng, report)
    return report
