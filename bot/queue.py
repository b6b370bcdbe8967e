"""The approval state machine: pending -> approved | rejected (and blocked, ignored, expired).

Every decision is recorded with who, when, the final text and its diff from the suggestion, and
is refused with one clear line when it cannot apply (unknown item, already decided, version
changed under you). Approval writes the outbox intent in the same transaction.

While an item is pending, people can also save an edited draft (``edit``), ``snooze`` it until a
time, ``assign`` it to someone or ``claim`` it for themselves. Each of these bumps the item's
version, so a person acting on what they saw before the change is told who changed it. The CLI,
the web UI and the JSON API all go through these functions.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta
from typing import Any

from bot.policy.guardrails import DEFAULT_MAX_LENGTH, MAX_LENGTH, reply_length
from bot.store import Decision, QueueItem, Store


class QueueError(Exception):
    """A queue action that cannot be done; the message is one line and nothing was changed."""


def idempotency_key(item: QueueItem) -> str:
    """The outbox key of an item's reply: stable, unique per suggestion."""
    return f"ronr-{item.id}-{item.mention.platform}-{item.mention.platform_id}"


def text_diff(suggested: str, final: str) -> str:
    """A unified word-level diff of the suggested and the final text ("" when unchanged)."""
    if suggested == final:
        return ""
    return "\n".join(difflib.unified_diff(suggested.split(), final.split(), "suggested", "final", lineterm="", n=2))


def _get(store: Store, item_id: int) -> QueueItem:
    item = store.suggestions.get(item_id)
    if item is None:
        raise QueueError(f"no queue item {item_id}; run `ronr queue` to list pending items")
    return item


def _refuse(item: QueueItem, outcome: Decision, store: Store | None = None) -> QueueError:
    if outcome.status == "pending":
        by, what, at = outcome.by, "changed", outcome.at
        if store is not None:
            by, what, at = store.suggestions.last_action(item.id)
        who = f": {by} {what} it" if by else ""
        when = f" at {at.isoformat()}" if at and by else ""
        return QueueError(f"item {item.id} changed while you were looking (version {item.version}){who}{when}; "
                          "reload and retry")
    if outcome.status == "blocked" and item.blocked_by:
        return QueueError(f"item {item.id} was stopped by a guardrail ({item.blocked_by[0]}); nothing changed. "
                          f"See `ronr queue blocked`")
    who = f" by {outcome.by}" if outcome.by else ""
    when = f" at {outcome.at.isoformat()}" if outcome.at else ""
    return QueueError(f"item {item.id} is already {outcome.status}{who}{when}; nothing changed")


def reply_limit(platform: str) -> int:
    """How many characters a reply may have on ``platform``."""
    return MAX_LENGTH.get(platform, DEFAULT_MAX_LENGTH)


def _check_length(item: QueueItem, text: str) -> None:
    platform = item.mention.platform
    length, limit = reply_length(platform, text)
    if length > limit:
        how = " (X counts emoji, CJK characters and links as more than one)" if length != len(text) else ""
        raise QueueError(f"reply is {length} characters as {platform} counts them{how}; {platform} allows {limit}. "
                         "Shorten it")


def _pending(store: Store, item_id: int, by: str, verb: str) -> QueueItem:
    if not by.strip():
        raise QueueError(f"{verb} needs a name: pass --as NAME")
    item = _get(store, item_id)
    if item.status != "pending":
        raise _refuse(item, Decision(False, item.status, *store.suggestions.last_decision(item.id)))
    return item


def _change(store: Store, item: QueueItem, changes: dict[str, Any], by: str, action: str, detail: dict[str, Any],
            now: datetime, expected_version: int | None) -> Decision:
    outcome = store.suggestions.change(item, changes, by.strip(), action, detail, now, expected_version)
    if not outcome.ok:
        raise _refuse(item, outcome, store)
    return outcome


def approve(store: Store, item_id: int, by: str, now: datetime, text: str | None = None,
            expected_version: int | None = None) -> Decision:
    """Approve an item (optionally with edited ``text``) as ``by``; queue its reply for posting."""
    if not by.strip():
        raise QueueError("approving needs a name: pass --as NAME")
    item = _get(store, item_id)
    if item.status != "pending":
        raise _refuse(item, Decision(False, item.status, *store.suggestions.last_decision(item.id)))
    final = (item.draft or item.text if text is None else text).strip()
    if not final:
        raise QueueError(f"item {item.id} has no reply text ({item.action}); pass --text with the words to post")
    _check_length(item, final)
    outcome = store.suggestions.decide(
        item, "approved", by.strip(), final, text_diff(item.text, final), "", idempotency_key(item),
        item.connector, now, expected_version)
    if not outcome.ok:
        raise _refuse(item, outcome, store)
    return outcome


def expire_stale(store: Store, now: datetime, after_hours: float) -> list[int]:
    """Expire suggestions nobody decided on within ``after_hours`` of being queued; return their ids.

    Their conversations count as missed in the Social ID; nothing is ever posted for them.
    """
    return store.daemon.expire_stale(now - timedelta(hours=after_hours), now)


def reject(store: Store, item_id: int, by: str, reason: str, now: datetime,
           expected_version: int | None = None) -> Decision:
    """Reject an item with a reason, as ``by``; nothing will be posted for it."""
    if not by.strip():
        raise QueueError("rejecting needs a name: pass --as NAME")
    if not reason.strip():
        raise QueueError("rejecting needs a reason: pass --reason TEXT (it helps improve the rules)")
    item = _get(store, item_id)
    if item.status != "pending":
        raise _refuse(item, Decision(False, item.status, *store.suggestions.last_decision(item.id)))
    outcome = store.suggestions.decide(item, "rejected", by.strip(), item.text, "", reason.strip(),
                                       idempotency_key(item), item.connector, now, expected_version)
    if not outcome.ok:
        raise _refuse(item, outcome, store)
    return outcome


def edit(store: Store, item_id: int, by: str, text: str, now: datetime,
         expected_version: int | None = None) -> Decision:
    """Save an edited reply as the item's draft without approving it (the suggestion itself is kept)."""
    item = _pending(store, item_id, by, "editing")
    final = text.strip()
    if not final:
        raise QueueError(f"item {item.id}: the edited reply is empty; write the words to post")
    _check_length(item, final)
    return _change(store, item, {"draft": final}, by, "edited",
                   {"draft": final, "diff": text_diff(item.text, final)}, now, expected_version)


def snooze(store: Store, item_id: int, by: str, until: datetime, now: datetime,
           expected_version: int | None = None) -> Decision:
    """Hide an item from the queue until ``until`` (it stays pending and keeps its SLA deadline)."""
    item = _pending(store, item_id, by, "snoozing")
    if until.tzinfo is None:
        raise QueueError("snooze time has no timezone; give it as an ISO time with an offset, e.g. 2026-01-02T09:00Z")
    if until <= now:
        raise QueueError(f"snooze time {until.isoformat()} is not in the future; pick a later time")
    return _change(store, item, {"snoozed_until": until}, by, "snoozed", {"until": until.isoformat()}, now,
                   expected_version)


def assign(store: Store, item_id: int, by: str, assignee: str | None, now: datetime,
           expected_version: int | None = None) -> Decision:
    """Give an item to ``assignee`` (None or "" to unassign); it shows who is on it."""
    item = _pending(store, item_id, by, "assigning")
    name = (assignee or "").strip() or None
    return _change(store, item, {"assignee": name, "claimed_at": now if name else None}, by,
                   "assigned" if name else "unassigned", {"assignee": name, "before": item.assignee}, now,
                   expected_version)


def claim(store: Store, item_id: int, by: str, now: datetime, expected_version: int | None = None) -> Decision:
    """Take an item for yourself; refused while someone else is on it (assign it explicitly to take over)."""
    item = _pending(store, item_id, by, "claiming")
    if item.assignee and item.assignee.lower() != by.strip().lower():
        since = f" since {item.claimed_at.isoformat()}" if item.claimed_at else ""
        raise QueueError(f"item {item.id} is claimed by {item.assignee}{since}; assign it to yourself to take over")
    return _change(store, item, {"assignee": by.strip(), "claimed_at": now}, by, "claimed", {}, now,
                   expected_version)
