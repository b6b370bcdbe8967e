"""The approval queue's filtered page as SQL, planned so that no filter reads every pending row.

A page is pending suggestions in queue order (priority, SLA deadline, id). Without a search, an
intent filter reads ``queue_intents_order``, already in queue order, and everything else walks
``suggestions`` in queue order through the (status, column, ...) indexes ("the walk"); the count
reads the same index. A search is planned by how many items its term and its filter hold (see
migrations m007 and m009 for the index tables):

- within a large filter (more than :data:`FILTER_DRIVE_CAP` items), the term's full-text
  candidates are read first, up to :data:`MATCH_PROBE_CAP`, for their matches: few matches are
  sorted, many fill a page after a few rows of the walk (a common term and a large filter may rarely
  meet, and the walk would then read the whole filter);
- otherwise ``queue_search`` gives up to :data:`SEARCH_DRIVE_CAP` + 1 candidates; when they are
  few, the page and the count read just those ids (handed on as a JSON list, so the full-text
  query runs once) and sort them; when they are many, the page walks the filter, and without a
  filter the count streams the candidates (or takes them as they are, when all are matches).

Search means: every whitespace-separated term occurs, ignoring ASCII case, in the mention text, the
author's handle or the author's name (the LIKE below decides). The trigram index matches a superset:
it folds case more widely and ignores terms shorter than three characters. When every term is
ASCII and at least three characters long, a candidate from the index is a match, except on the few
items listed in ``queue_text_folds`` (text the index folds onto ASCII where LIKE does not), which
are still checked with LIKE; this saves reading each candidate's text. Terms reach FTS5 as quoted
phrases, so no user input is query syntax. A search made only of terms shorter than three
characters cannot use the index: without a filter the pending texts are read in turn for its
matches (up to one more than a count shows; few are sorted), so a rare short word reads every
pending text once, and within a filter the walk reads every item of the filter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.store.database import iso

COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000
SEARCH_DRIVE_CAP = 1_000
"""Up to this many full-text candidates, sorting them beats walking the queue for a page of matches."""
FILTER_DRIVE_CAP = 2_000
"""Up to this many items in a filter (its search left out), a filtered search walks the filter."""
MATCH_PROBE_CAP = 20_000
"""A search within a large filter reads up to this many of its full-text candidates for its matches."""
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


def index_decides(q: str) -> bool:
    """Whether a full-text candidate of ``q`` is a match unless its item is in ``queue_text_folds``."""
    terms = search_terms(q)
    return bool(terms) and all(len(term) >= _TRIGRAM and term.isascii() for term in terms)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class Scan:
    """One way to read the filtered pending rows: a FROM clause, conditions, an order.

    The FROM clause yields the suggestion id as ``s.id`` (with ``suggestions`` as ``s``) or, for a
    count that needs no column of ``suggestions``, as ``f.sid`` or ``qt.suggestion_id`` (then also its
    order). ``params`` holds the source's parameters, then the conditions'.
    """

    source: str
    conditions: str
    params: list[Any]
    order: str


_LISTED = "json_each(?) c CROSS JOIN suggestions s ON s.id = c.value"
_BY_INTENT = "queue_intents qi CROSS JOIN suggestions s ON s.id = qi.suggestion_id"
_CANDIDATES = ("(SELECT value AS sid FROM json_each(?) UNION ALL "
               "SELECT rowid FROM queue_search WHERE queue_search MATCH ? AND rowid > ?) f")
_QUEUE_ORDER = "s.priority, s.sla_due, s.id"
_LIKES = "(qt.text LIKE ? ESCAPE '\\' OR qt.handle LIKE ? ESCAPE '\\' OR qt.name LIKE ? ESCAPE '\\')"
_SNOOZED = "SELECT id FROM suggestions INDEXED BY suggestions_snoozed WHERE status = 'pending' AND snoozed_until > ?"
_SNOOZED_IDS = f"({_SNOOZED})"


def _text_check(where: QueueFilter, ident: str, from_index: bool) -> tuple[str, list[Any]]:
    """The search condition on the item ``ident`` ("" if no search); ``from_index``: it is a full-text candidate."""
    terms = search_terms(where.q)
    if not terms:
        return "", []
    likes = " AND ".join([_LIKES] * len(terms))
    params = [pattern for term in terms for pattern in [_like(term)] * 3]
    if from_index and index_decides(where.q):
        return (f"({ident} NOT IN (SELECT suggestion_id FROM queue_text_folds) OR EXISTS "
                f"(SELECT 1 FROM queue_text qt WHERE qt.suggestion_id = {ident} AND {likes}))"), params
    return likes, params  # on queue_text joined as qt (see _scan)


def _column_filters(where: QueueFilter) -> bool:
    return bool(where.platform or where.priority or where.account or where.assignee or where.snoozed)


def _conditions(where: QueueFilter, now: datetime, ident: str, *, intent_joined: bool = False,
                from_index: bool = False) -> tuple[str, list[Any]]:
    """WHERE conditions on the item whose id is ``ident`` and their parameters.

    ``ident`` is ``s.id`` when ``suggestions`` is joined as ``s``; otherwise the item is known to be
    pending (it comes from an index table that holds pending items only) and there is no column filter.
    ``intent_joined``: ``queue_intents`` is joined as ``qi`` on the item. ``from_index``: the item
    is a full-text candidate of the search.
    """
    if ident == "s.id":
        parts = ["s.status = 'pending'",
                 "s.snoozed_until > ?" if where.snoozed else "(s.snoozed_until IS NULL OR s.snoozed_until <= ?)"]
    else:  # the few snoozed ids are set apart once instead of reading each item's row
        parts = [f"{ident} NOT IN {_SNOOZED_IDS}"]
    params: list[Any] = [iso(now)]
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
        parts.append("qi.intent = ?" if intent_joined else
                     f"EXISTS (SELECT 1 FROM queue_intents qi WHERE qi.suggestion_id = {ident} AND qi.intent = ?)")
        params.append(where.intent)
    text, text_params = _text_check(where, ident, from_index)
    if text:
        parts.append(text)
        params += text_params
    return " AND ".join(parts), params


def _needs_text(where: QueueFilter, from_index: bool) -> bool:
    """Whether the conditions read ``queue_text`` joined as ``qt`` (see :func:`_text_check`)."""
    return bool(search_terms(where.q)) and not (from_index and index_decides(where.q))


def _scan(source: str, source_params: list[Any], where: QueueFilter, now: datetime, order: str) -> Scan:
    conditions, params = _conditions(where, now, "s.id", intent_joined=source == _BY_INTENT,
                                     from_index=source == _LISTED)
    if _needs_text(where, source == _LISTED):
        source += " JOIN queue_text qt ON qt.suggestion_id = s.id"
    return Scan(source, conditions, [*source_params, *params], order)


def _count_scan(where: QueueFilter, now: datetime, candidates: str, params: list[Any]) -> Scan:
    """Streams a search's ``candidates`` (a FROM clause yielding ``f.sid``), checking each; "" for every item.

    The full-text candidates are usually ``_CANDIDATES``: those :func:`plan` already read, then the
    index is asked only for those after them; with short terms only, every pending item's text is
    read in turn (cheaper than walking the queue's order). The index tables hold pending items only
    (m007's triggers), so without a column filter the count reads no row of ``suggestions`` and, when
    the index decides, no text; an intent is checked on the primary key of ``queue_intents``.
    """
    source, ident = (candidates, "f.sid") if candidates else ("queue_text qt", "qt.suggestion_id")
    if where.intent:
        source += f" CROSS JOIN queue_intents qi ON qi.suggestion_id = {ident}"
    if _column_filters(where):
        source += f" CROSS JOIN suggestions s ON s.id = {ident}"
        ident = "s.id"
    if candidates and _needs_text(where, True):
        source += " CROSS JOIN queue_text qt ON qt.suggestion_id = f.sid"
    conditions, condition_params = _conditions(where, now, ident, intent_joined=True, from_index=bool(candidates))
    return Scan(source, conditions, [*params, *condition_params], ident)


def _walk(where: QueueFilter, now: datetime) -> Scan:
    """The filtered items in queue order along the filter's index (a search checked row by row)."""
    if where.intent:
        return _scan(_BY_INTENT, [], where, now, "qi.priority, qi.sla_due, qi.suggestion_id")
    # the few snoozed items are found by their own index and sorted, not by walking the queue
    table = "suggestions s INDEXED BY suggestions_snoozed" if where.snoozed else "suggestions s"
    return _scan(table, [], where, now, _QUEUE_ORDER)


def _ids(db: sqlite_utils.Database, scan: Scan, limit: int) -> list[int]:
    """The ids of up to ``limit`` items of a :func:`_count_scan` (ordered by its id), in the order read."""
    sql = f"SELECT {scan.order} FROM {scan.source} WHERE {scan.conditions} LIMIT ?"
    return [row[0] for row in db.execute(sql, [*scan.params, limit])]


def _filter_size(db: sqlite_utils.Database, where: QueueFilter, now: datetime, cap: int) -> int:
    """About how many items the filter (its search left out) holds, up to ``cap`` + 1, read from indexes alone.

    An intent is sized on ``queue_intents_order`` (snoozed items included), the other filters on their
    covering queue index; with both, the smaller one.
    """
    sizes = []
    if where.intent:
        sizes.append(db.execute("SELECT count(*) FROM (SELECT 1 FROM queue_intents WHERE intent = ? LIMIT ?)",
                                [where.intent, cap + 1]).fetchone()[0])
    if _column_filters(where):
        bare = _walk(replace(where, q="", intent=""), now)
        sizes.append(db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {bare.source} WHERE {bare.conditions} "
                                "LIMIT ?)", [*bare.params, cap + 1]).fetchone()[0])
    return int(min(sizes))


def _all_match(db: sqlite_utils.Database, ids: list[int], where: QueueFilter, now: datetime) -> bool:
    """Whether every one of these full-text candidates of a search (with no filter) is one of its matches."""
    if not index_decides(where.q):
        return False
    set_apart = {row[0] for row in db.execute(f"{_SNOOZED} UNION ALL SELECT suggestion_id FROM queue_text_folds",
                                              [iso(now)])}
    return set_apart.isdisjoint(ids)


def _known(ids: list[int]) -> Scan:
    """A count of items already known to match: ``ids`` themselves."""
    return Scan("json_each(?) f", "1", [json.dumps(ids)], "f.value")


def _listed(ids: list[int], where: QueueFilter, now: datetime) -> tuple[Scan, Scan]:
    listed = _scan(_LISTED, [json.dumps(ids)], where, now, _QUEUE_ORDER)
    return listed, listed


def _in_large_filter(db: sqlite_utils.Database, where: QueueFilter, now: datetime, phrases: str,
                     page: Scan) -> tuple[Scan, Scan]:
    """A search within a large filter: the term's candidates are read for their matches first.

    A common term and a large filter may rarely meet, and walking the filter for them would read all
    of it; so up to :data:`MATCH_PROBE_CAP` candidates are read, checked, and the matches kept (up
    to one more than a count shows). Few matches are sorted; many fill a page after a few rows of
    the walk. Past that many candidates the term is in most items, and the walk fills a page soon.
    """
    bounded = (f"(SELECT rowid AS sid FROM queue_search WHERE queue_search MATCH ? ORDER BY rowid "
               f"LIMIT {MATCH_PROBE_CAP}) f")
    matches = _ids(db, _count_scan(where, now, bounded, [phrases]), SEARCH_COUNT_CAP + 1)
    if len(matches) <= SEARCH_COUNT_CAP and db.execute(  # every match found unless candidates were left unread
            "SELECT EXISTS (SELECT 1 FROM queue_search WHERE queue_search MATCH ? ORDER BY rowid LIMIT 1 OFFSET ?)",
            [phrases, MATCH_PROBE_CAP]).fetchone()[0]:
        return page, _count_scan(where, now, _CANDIDATES, ["[]", phrases, 0])
    return _from_matches(matches, where, now, page)


def _from_matches(matches: list[int], where: QueueFilter, now: datetime, page: Scan) -> tuple[Scan, Scan]:
    """The plan once every match is read (up to one more than a count shows): few are sorted, many walked."""
    return _listed(matches, where, now) if len(matches) <= SEARCH_DRIVE_CAP else (page, _known(matches))


def plan(db: sqlite_utils.Database, where: QueueFilter, now: datetime) -> tuple[Scan, Scan]:
    """How to read a filtered page and how to count its rows (see the module docstring)."""
    phrases = fts_phrases(where.q)
    page = _walk(where, now)
    filtered = bool(where.intent) or _column_filters(where)
    if phrases and filtered and _filter_size(db, where, now, FILTER_DRIVE_CAP) > FILTER_DRIVE_CAP:
        return _in_large_filter(db, where, now, phrases, page)
    ids: list[int] = []
    if phrases:
        ids = [row[0] for row in db.execute(
            "SELECT rowid FROM queue_search WHERE queue_search MATCH ? ORDER BY rowid LIMIT ?",
            [phrases, SEARCH_DRIVE_CAP + 1])]
        if len(ids) <= SEARCH_DRIVE_CAP:
            return _listed(ids, where, now)
    if filtered or not search_terms(where.q):
        return page, page  # a small filter (or short terms within a filter) is read along its index
    # A search alone fills a page after a few rows; the count takes the candidates already read.
    if len(ids) > SEARCH_COUNT_CAP and _all_match(db, ids, where, now):
        return page, _known(ids)
    if not phrases:  # one read of the pending texts for the matches, sorted when few (a rare short word)
        return _from_matches(_ids(db, _count_scan(where, now, "", []), SEARCH_COUNT_CAP + 1), where, now, page)
    return page, _count_scan(where, now, _CANDIDATES, [json.dumps(ids), phrases, ids[-1]])
