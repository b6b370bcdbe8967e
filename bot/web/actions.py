"""One way to act on a queue item from the web: the pages and the JSON API both call :func:`run`.

Every action goes through :mod:`bot.queue` with the version the person was looking at, so when two
people act on one item exactly one wins and the other is told who acted.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.dispatch import notify_approved
from bot.queue import QueueError, approve, assign, claim, edit, reject, snooze
from bot.web.context import Web
from bot.web.views import clean, parse_until, version_of

ACTIONS = ("approve", "edit", "reject", "snooze", "assign", "claim")


TEXT_FIELDS = ("text", "reason", "until", "until_at", "assignee")


class UnknownAction(Exception):
    """The action name is not one of :data:`ACTIONS`."""


class BadField(ValueError):
    """A field of the request has the wrong type (a number where words belong): nothing was done."""


def run(w: Web, by: str, item_id: int, action: str, fields: Mapping[str, object]) -> str:
    """Do ``action`` on an item as ``by``; return a one-line message, or raise QueueError saying why not.

    Without ``text`` approving posts the draft or the suggestion; with it, exactly that text.
    """
    if action not in ACTIONS:
        raise UnknownAction(action)
    for field in TEXT_FIELDS:  # a wrong type must not quietly become "no edit" or "unassign"
        if fields.get(field) is not None and not isinstance(fields.get(field), str):
            raise BadField(f"`{field}` must be a string" + (" or null" if field in ("text", "assignee") else ""))
    version = version_of(fields.get("version"))
    if version is None:
        raise QueueError(f"item {item_id}: say which version you are acting on (the `version` field); reload")
    store, now = w.rt.store, w.clock()
    if action == "approve":
        text = fields.get("text")
        if isinstance(text, str) and not text.strip():  # an emptied editor is not "post the suggestion"
            raise QueueError(f"item {item_id}: the reply is empty; write the words to post, or reject the item")
        final = clean(text) if isinstance(text, str) else None
        outcome = approve(store, item_id, by, now, text=final, expected_version=version)
        notify_approved()  # a daemon serving this UI posts it within a second, not at its next tick
        return f"Approved item {item_id}; it will be posted once (outbox {outcome.outbox_id})."
    if action == "edit":
        edit(store, item_id, by, clean(fields.get("text")), now, expected_version=version)
        return f"Saved your edit of item {item_id} as a draft (not approved yet)."
    if action == "reject":
        reject(store, item_id, by, clean(fields.get("reason"), 1000), now, expected_version=version)
        return f"Rejected item {item_id}."
    if action == "snooze":
        chosen = clean(fields.get("until_at"), 60).strip()  # the page's "or until" time beats the preset
        until = parse_until(chosen or clean(fields.get("until"), 60), now, w.tz)
        snooze(store, item_id, by, until, now, expected_version=version)
        return f"Snoozed item {item_id} until {until.isoformat(timespec='minutes')}."
    if action == "assign":
        assignee = clean(fields.get("assignee"), 100).strip()
        if assignee and (found := store.users.get(assignee)) is None:
            raise QueueError(f"nobody called {assignee[:40]!r} can be assigned; pick a user from the list")
        name = found.name if assignee and found else None
        assign(store, item_id, by, name, now, expected_version=version)
        return f"Assigned item {item_id} to {name}." if name else f"Item {item_id} is unassigned."
    claim(store, item_id, by, now, expected_version=version)
    return f"You are on item {item_id}."
