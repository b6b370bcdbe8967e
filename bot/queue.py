"""The approval state machine: pending -> approved | rejected (and blocked, ignored, expired).

Every decision is recorded with who, when, the final text and its diff from the suggestion, and
is refused with one clear line when it cannot apply (unknown item, already decided, version
changed under you). Approval writes the outbox intent in the same transaction.
"""

from __future__ import annotations

import difflib
from datetime import datetime

from bot.store import Decision, QueueItem, Store

MAX_REPLY_CHARS = {"x": 280, "reddit": 10_000}


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


def _refuse(item: QueueItem, outcome: Decision) -> QueueError:
    if outcome.status == "pending":
        return QueueError(f"item {item.id} changed while you were looking (version {item.version}); reload and retry")
    who = f" by {outcome.by}" if outcome.by else ""
    when = f" at {outcome.at.isoformat()}" if outcome.at else ""
    return QueueError(f"item {item.id} is already {outcome.status}{who}{when}; nothing changed")


def approve(store: Store, item_id: int, by: str, now: datetime, text: str | None = None,
            expected_version: int | None = None) -> Decision:
    """Approve an item (optionally with edited ``text``) as ``by``; queue its reply for posting."""
    if not by.strip():
        raise QueueError("approving needs a name: pass --as NAME")
    item = _get(store, item_id)
    if item.status != "pending":
        raise _refuse(item, Decision(False, item.status, *store.suggestions.last_decision(item.id)))
    final = (item.text if text is None else text).strip()
    if not final:
        raise QueueError(f"item {item.id} has no reply text ({item.action}); pass --text with the words to post")
    limit = MAX_REPLY_CHARS.get(item.mention.platform, 10_000)
    if len(final) > limit:
        raise QueueError(f"reply is {len(final)} characters; {item.mention.platform} allows {limit}. Shorten it")
    outcome = store.suggestions.decide(
        item, "approved", by.strip(), final, text_diff(item.text, final), "", idempotency_key(item),
        item.connector, now, expected_version)
    if not outcome.ok:
        raise _refuse(item, outcome)
    return outcome


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
        raise _refuse(item, outcome)
    return outcome
