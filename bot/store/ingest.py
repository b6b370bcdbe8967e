"""The pipeline's set-based reads and batched writes: a few statements per batch of mentions, not ~20 per mention.

:meth:`IngestStore.reads` gathers, for a batch of stored mentions, everything triage, the policy
engine and the suggestion-time guardrails would otherwise read one mention at a time (the same
queries as :class:`bot.store.contacts.ContactStore` and :meth:`bot.store.loops.LoopStore.author_history`,
keyed by a JSON array of mention ids). :meth:`IngestStore.write` stores a batch's outcomes with one
``executemany`` per table in the caller's transaction, in the order the one-by-one path writes them
(so ids and the queue-index triggers come out the same).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from bot.models import Mention, Suggestion, Triage
from bot.store.audit import RECORD_SQL, detail_json
from bot.store.contacts import COMMITTED, ContactStore, _in
from bot.store.database import iso, parse_time
from bot.store.loops import OPEN_SQL
from bot.store.mentions import same_text_authors
from bot.store.suggestions import ADD_SQL, TRIAGE_SQL, suggestion_row, triage_row


@dataclass(frozen=True)
class AuthorPast:
    """One author's replies from us (loops), as :meth:`bot.store.loops.LoopStore.author_history` reads it."""

    replies: int = 0
    open_loop: bool = False
    last_reply: datetime | None = None


@dataclass
class BatchReads:
    """What the store says about a batch of mentions, keyed by mention id, author id or text hash."""

    author_of: dict[int, int] = field(default_factory=dict)  # mention id -> author row id
    same_text_authors: dict[int, int] = field(default_factory=dict)  # mention id -> authors of its text lately
    past: dict[int, AuthorPast] = field(default_factory=dict)  # author id -> loops with them
    sent_texts: dict[int, list[str]] = field(default_factory=dict)  # author id -> distinct texts in the outbox
    queued_texts: dict[int, list[str]] = field(default_factory=dict)  # author id -> distinct texts queued
    blocked: dict[tuple[str, str], str] = field(default_factory=dict)  # (platform, handle) -> stored reason
    unanswered: dict[int, int] = field(default_factory=dict)  # mention id -> unanswered replies in its thread
    replies_since: dict[str, int] = field(default_factory=dict)  # platform -> replies since local midnight
    has_reply: set[int] = field(default_factory=set)  # mention ids that already have a reply suggestion


@dataclass(frozen=True)
class Outcome:
    """What the pipeline decided for one mention: its triage, and the suggestion to queue (if any)."""

    mention_id: int
    mention: Mention
    triage: Triage
    proposal: Suggestion | None
    sla_due: datetime


class IngestStore:
    """Set-based reads and batched writes for the pipeline (bot.pipeline)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.contacts = ContactStore(db)

    def reads(self, batch: Sequence[tuple[int, Mention]], handles: Iterable[tuple[str, str]], window: datetime,
              midnight: datetime, copies_within: timedelta) -> BatchReads:
        """Everything the batch needs: one statement per kind of fact, whatever the batch size.

        ``handles`` are the (platform, stored handle) pairs to look up on the do-not-contact list,
        ``window`` the start of the identical-text window, ``midnight`` the start of today in the
        configured timezone (for the replies-today count) and ``copies_within`` how far back before
        each mention copies of its text count (``[triage] spam_same_text_days``).
        """
        out = BatchReads()
        if not batch:
            return out
        ids = json.dumps([i for i, _ in batch])
        q = self.db.execute
        out.author_of = {int(m): int(a) for m, a in q(
            "SELECT m.id, m.author_id FROM json_each(?) k CROSS JOIN mentions m ON m.id = k.value", [ids])}
        out.same_text_authors = same_text_authors(self.db, [(i, m.text, m.created_at) for i, m in batch], copies_within)
        authors = json.dumps(sorted(set(out.author_of.values())))
        out.past = {int(a): AuthorPast(int(n), bool(w), parse_time(last)) for a, n, w, last in q(
            """SELECT l.author_id, count(l.replied_at), coalesce(sum(l.state = 'waiting_answer'), 0), max(l.replied_at)
               FROM loops l WHERE l.author_id IN (SELECT value FROM json_each(?)) GROUP BY l.author_id""", [authors])}
        # Texts are only ever compared for equality, so each distinct one is read once: an author with
        # twenty queued replies in rotation has a handful of distinct texts.
        out.sent_texts = _grouped(q(
            f"""SELECT DISTINCT m.author_id, o.text FROM outbox o JOIN mentions m ON m.id = o.mention_id
                WHERE m.author_id IN (SELECT value FROM json_each(?)) AND o.state IN ({_in(COMMITTED)})
                  AND coalesce(o.posted_at, o.created_at) >= ?""",
            [authors, *COMMITTED, iso(window)]))
        out.queued_texts = _grouped(q(
            # Author -> their mentions -> suggestions, as ContactStore.suggested_to_author pins it.
            """SELECT DISTINCT m.author_id, s.text FROM json_each(?) k CROSS JOIN mentions m ON m.author_id = k.value
               CROSS JOIN suggestions s ON s.mention_id = m.id
               WHERE s.status IN ('pending', 'approved') AND s.text != '' AND s.created_at >= ?""",
            [authors, iso(window)]))
        out.blocked = {(str(p), str(h)): str(r) for p, h, r in q(
            """SELECT d.platform, d.handle, d.reason FROM json_each(?) k CROSS JOIN do_not_contact d
               ON d.platform = json_extract(k.value, '$[0]') AND d.handle = json_extract(k.value, '$[1]')""",
            [json.dumps(sorted(set(handles)))])}
        out.unanswered = {int(i): int(n) for i, n in q(
            f"""SELECT cur.id, count(*) FROM json_each(?) k CROSS JOIN mentions cur ON cur.id = k.value
                JOIN mentions r ON r.platform = cur.platform AND r.thread_id = cur.thread_id
                  AND (cur.thread_id != '' OR r.id = cur.id)
                JOIN outbox o ON o.mention_id = r.id
                WHERE r.author_id = cur.author_id AND o.state IN ({_in(COMMITTED)})
                  AND NOT EXISTS (SELECT 1 FROM mentions a WHERE a.platform = r.platform AND a.author_id = r.author_id
                    AND ((r.thread_id != '' AND a.thread_id = r.thread_id) OR a.id = r.id)
                    AND a.created_at > coalesce(o.posted_at, o.created_at))
                GROUP BY cur.id""", [ids, *COMMITTED])}
        for platform in sorted({m.platform for _, m in batch}):
            out.replies_since[platform] = self.contacts.replies_since(platform, midnight, None)
        out.has_reply = {int(r[0]) for r in q(
            """SELECT s.mention_id FROM json_each(?) k CROSS JOIN suggestions s
               ON s.mention_id = k.value AND s.kind = 'reply'""", [ids])}
        return out

    @staticmethod
    def row_at_fault(exc: BaseException) -> bool:
        """True when a failed :meth:`write` may be down to one row (a constraint, a trigger's RAISE), so
        that writing the batch one mention at a time can single it out; False when the database itself
        is unavailable (locked past the busy timeout, full, read-only, I/O error)."""
        return not isinstance(exc, sqlite3.OperationalError)

    def write(self, outcomes: Sequence[Outcome], now: datetime) -> list[int | None]:
        """Store every outcome (triage, suggestion, audit of a block, loop) in the caller's transaction.

        Returns the new suggestion id per outcome (None when none was added). Triage rows go first:
        the queue-index trigger on a new suggestion reads its triage.
        """
        at = iso(now)
        conn = self.db.conn
        conn.executemany(TRIAGE_SQL, [triage_row(o.mention_id, o.triage, at) for o in outcomes])
        cur = conn.cursor()  # one prepared statement, run per row: the audit of a block needs each new id
        added: list[int | None] = []
        for o in outcomes:
            if o.proposal is None:
                added.append(None)
                continue
            cur.execute(ADD_SQL, suggestion_row(o.mention, o.mention_id, o.proposal, o.triage.priority, o.sla_due, at))
            added.append(int(cur.lastrowid) if cur.rowcount and cur.lastrowid else None)
        conn.executemany(RECORD_SQL, [
            (at, "ronr", "blocked", "suggestion", sid, detail_json({"blocked_by": list(o.proposal.blocked_by)}))
            for o, sid in zip(outcomes, added, strict=True) if o.proposal is not None and o.proposal.blocked_by])
        conn.executemany(OPEN_SQL, [
            (o.triage.priority, iso(o.sla_due), o.triage.sentiment.compound, o.mention_id) for o in outcomes
            if o.proposal is not None and not o.proposal.blocked_by and o.proposal.action == "reply"])
        return added


def _grouped(rows: Iterable[tuple[object, object]]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for key, text in rows:
        found[int(str(key))].append(str(text))
    return dict(found)
