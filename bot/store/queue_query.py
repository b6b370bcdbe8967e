"""The approval queue's filtered page as SQL, planned so that no filter reads every pending row.

A page is pending suggestions in queue order (priority, SLA deadline, id). Where the rows come from
depends on the filter (see migration m007 for the index tables):

- a search whose full-text candidates are few (at most :data:`SEARCH_DRIVE_CAP`) starts from
  ``queue_search`` and sorts just those candidates;
- an intent filter reads ``queue_intents_order``, already in queue order;
- everything else walks ``suggestions`` in queue order through the (status, column, ...) indexes,
  where a common search term is checked row by row and a page fills after a few rows.

Search means: every whitespace-separated term occurs, ignoring ASCII case, in the mention text, the
author's handle or the author's name (the LIKE below decides). The trigram index only narrows the
candidates (it matches a superset: it folds case more widely), terms shorter than three characters
are left to the LIKE, and terms reach FTS5 as quoted phrases, so no user input is query syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.store.database import iso

COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000
SEARCH_DRIVE_CAP = 1_000
"""Up to this many full-text candidates, sorting them beats walking the queue for a page of matches."""
_TRIGRAM = 3


@dataclass(frozen=True)
class QueueFilter:
    """Which pending items a queue page shows; empty fields do not filter.

    ``assignee`` is a user name, ``"-"`` for unassigned items. ``q`` searches the mention text and
    the author's handle and name (every word must occur). Snoozed items are left out unless
    ``snoozed`` is true, when only they are shown.
    """

    platform: str = ""
    intent: str = ""
    priority: str = ""
    account: str = ""
    assignee: str = ""
    q: str = ""
    snoozed: bool = False


def count_cap(where: QueueFilter) -> int:
    """Where a queue count stops: lower for text search and intents, whose counted rows each need a lookup."""
    return SEARCH_COUNT_CAP if search_terms(where.q) or where.intent else COUNT_CAP


def search_terms(q: str) -> list[str]:
    """The words of a search (NUL characters, which SQLite would read as the end of a pattern, dropped)."""
    return q.replace("\x00", "").split()


def fts_phrases(q: str) -> str:
    """The FTS5 query for the search terms the trigram index can narrow ("" if none).

    Each term becomes a phrase in double quotes (inner quotes doubled), joined by implicit AND, so
    operators, parentheses, stars and column filters typed by a user are plain text.
    """
    return " ".join('"' + term.replace('"', '""') + '"' for term in search_terms(q) if len(term) >= _TRIGRAM)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class Scan:
    """One way to read the filtered pending rows: a FROM clause (suggestions as ``s``), conditions, an order.

    ``params`` holds the source's parameters, then the conditions'. A search joins ``queue_text``
    as ``qt``.
    """

    source: str
    conditions: str
    params: list[Any]
    order: str


def _conditions(where: QueueFilter, now: datetime, intent_driven: bool) -> tuple[str, list[Any]]:
    """WHERE conditions on ``s`` (and ``qt`` for search) and their parameters."""
    parts = ["s.status = 'pending'"]
    params: list[Any] = []
    parts.append("s.snoozed_until > ?" if where.snoozed else "(s.snoozed_until IS NULL OR s.snoozed_until <= ?)")
    params.append(iso(now))
    for column, value in (("s.platform", where.platform), ("s.priority", where.priority),
                          ("s.account", where.account)):
        if value:
            parts.append(f"{column} = ?")
            params.append(value)
    if where.assignee == "-":
        parts.append("s.assignee IS NULL")
    elif where.assignee:
        parts.append("s.assignee = ?")
        params.append(where.assignee)
    if where.intent:
        if intent_driven:
            parts.append("qi.intent = ?")
        else:
            parts.append("EXISTS (SELECT 1 FROM queue_intents qi WHERE qi.suggestion_id = s.id AND qi.intent = ?)")
        params.append(where.intent)
    for term in search_terms(where.q):
        parts.append("(qt.text LIKE ? ESCAPE '\\' OR qt.handle LIKE ? ESCAPE '\\' OR qt.name LIKE ? ESCAPE '\\')")
        params += [_like(term)] * 3
    return " AND ".join(parts), params


_SEARCHED = ("(SELECT rowid AS sid FROM queue_search WHERE queue_search MATCH ?) f "
             "CROSS JOIN suggestions s ON s.id = f.sid")
_BY_INTENT = "queue_intents qi CROSS JOIN suggestions s ON s.id = qi.suggestion_id"
_QUEUE_ORDER = "s.priority, s.sla_due, s.id"
_TEXT = " JOIN queue_text qt ON qt.suggestion_id = s.id"


def _scan(source: str, source_params: list[Any], where: QueueFilter, now: datetime, order: str) -> Scan:
    conditions, params = _conditions(where, now, source == _BY_INTENT)
    return Scan(source + _TEXT * bool(search_terms(where.q)), conditions, [*source_params, *params], order)


def plan(db: sqlite_utils.Database, where: QueueFilter, now: datetime) -> tuple[Scan, Scan]:
    """How to read a filtered page and how to count its rows (see the module docstring)."""
    phrases = fts_phrases(where.q)
    if phrases:
        candidates = int(db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM queue_search WHERE queue_search MATCH ? LIMIT ?)",
            [phrases, SEARCH_DRIVE_CAP + 1]).fetchone()[0])
        searched = _scan(_SEARCHED, [phrases], where, now, _QUEUE_ORDER)
        if candidates <= SEARCH_DRIVE_CAP:
            return searched, searched
    if where.intent:
        page = _scan(_BY_INTENT, [], where, now, "qi.priority, qi.sla_due, qi.suggestion_id")
    else:  # the few snoozed items are found by their own index and sorted, not by walking the queue
        table = "suggestions s INDEXED BY suggestions_snoozed" if where.snoozed else "suggestions s"
        page = _scan(table, [], where, now, _QUEUE_ORDER)
    # With many candidates a page fills after a few rows in queue order; the count streams the candidates.
    return page, searched if phrases else page
