"""Triage records, suggestions (the approval queue) and human decisions on them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.models import Mention, Suggestion, Triage
from bot.store.database import iso, parse_time, transaction
from bot.store.mentions import MENTION_COLUMNS, row_to_mention
from bot.store.queue_query import QueueFilter as QueueFilter  # re-exported: the web imports them from here
from bot.store.queue_query import count_cap as count_cap
from bot.store.queue_query import plan

PRIORITY_ORDER = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class AuthorProfile:
    """What we know about an author: how often they mention us, our replies, their mood over time."""

    mentions: int
    first_seen: datetime | None
    replies: int
    open_loops: int
    trend: tuple[tuple[datetime, float], ...]


@dataclass(frozen=True)
class ThreadPost:
    """One post of a conversation: theirs (a stored mention or answer) or ours (a posted reply)."""

    at: datetime
    handle: str
    text: str
    ours: bool
    mention_id: int | None = None


@dataclass(frozen=True)
class QueueItem:
    """A suggestion joined with its mention and triage: one row of the approval queue."""

    id: int
    mention_id: int
    connector: str
    kind: str
    action: str
    status: str
    version: int
    priority: str
    sla_due: datetime | None
    rule_id: str
    text: str
    follow_up: str
    escalate_to: str
    note: str
    why: tuple[str, ...]
    blocked_by: tuple[str, ...]
    assignee: str | None
    created_at: datetime
    mention: Mention
    compound: float
    label: str
    intents: tuple[str, ...]
    relevance: float
    reasons: tuple[str, ...]
    draft: str | None = None
    claimed_at: datetime | None = None
    snoozed_until: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """The outcome of a decide call: ``ok`` or the reason it changed nothing."""

    ok: bool
    status: str
    by: str = ""
    at: datetime | None = None
    outbox_id: int | None = None


def _item(row: dict[str, Any]) -> QueueItem:
    return QueueItem(
        id=int(row["s_id"]), mention_id=int(row["id"]), connector=row["connector"], kind=row["s_kind"],
        action=row["action"],
        status=row["status"], version=int(row["version"]), priority=row["priority"],
        sla_due=parse_time(row["sla_due"]), rule_id=row["rule_id"], text=row["s_text"],
        follow_up=row["follow_up"], escalate_to=row["escalate_to"], note=row["note"],
        why=tuple(json.loads(row["why"])), blocked_by=tuple(json.loads(row["blocked_by"])),
        assignee=row["assignee"], created_at=datetime.fromisoformat(row["s_created_at"]),
        mention=row_to_mention(row), compound=float(row["compound"] or 0.0), label=row["label"] or "neutral",
        intents=tuple(json.loads(row["intents"] or "[]")), relevance=float(row["relevance"] or 0.0),
        reasons=tuple(json.loads(row["reasons"] or "[]")), draft=row["draft"],
        claimed_at=parse_time(row["claimed_at"]), snoozed_until=parse_time(row["snoozed_until"]),
        updated_at=parse_time(row["s_updated_at"]),
    )


_ITEM_SELECT = f"""SELECT {MENTION_COLUMNS}, s.id AS s_id, s.kind AS s_kind, s.action, s.status, s.version,
    s.priority, s.sla_due, s.rule_id, s.text AS s_text, s.follow_up, s.escalate_to, s.note, s.why,
    s.blocked_by, s.assignee, s.created_at AS s_created_at, s.draft, s.claimed_at, s.snoozed_until,
    s.updated_at AS s_updated_at, t.compound, t.label, t.intents, t.relevance,
    t.reasons"""
_ITEM_JOINS = """JOIN mentions m ON m.id = s.mention_id JOIN authors a ON a.id = m.author_id
  LEFT JOIN triage t ON t.mention_id = m.id"""
_ITEM_SQL = f"{_ITEM_SELECT} FROM suggestions s {_ITEM_JOINS}"


TRIAGE_SQL = """INSERT OR REPLACE INTO triage (mention_id, compound, label, intents, relevance, language, spam,
    priority, score, reasons, triaged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
ADD_SQL = """INSERT INTO suggestions (mention_id, kind, action, rule_id, text, follow_up, follow_up_after_hours,
    escalate_to, note, why, blocked_by, status, platform, account, priority, sla_due, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mention_id, kind) DO NOTHING"""


def triage_row(mention_id: int, triage: Triage, at: str) -> tuple[object, ...]:
    """The parameters of :data:`TRIAGE_SQL` for one mention's triage, stored at ``at``."""
    return (mention_id, triage.sentiment.compound, triage.sentiment.label, json.dumps(list(triage.intents)),
            triage.relevance, triage.language, int(triage.spam), triage.priority, triage.score,
            json.dumps(list(triage.reasons)), at)


def suggestion_row(mention: Mention, mention_id: int, suggestion: Suggestion, priority: str,
                   sla_due: datetime | None, at: str, kind: str = "reply") -> tuple[object, ...]:
    """The parameters of :data:`ADD_SQL`: status pending, blocked (a guardrail stopped it) or ignored."""
    status = "ignored" if suggestion.action == "ignore" else "blocked" if suggestion.blocked_by else "pending"
    return (mention_id, kind, suggestion.action, suggestion.rule_id, suggestion.text, suggestion.follow_up,
            suggestion.follow_up_after_hours, suggestion.escalate_to, suggestion.note,
            json.dumps(list(suggestion.why)), json.dumps(list(suggestion.blocked_by)), status,
            mention.platform, mention.account, priority, iso(sla_due) if sla_due else None, at, at)


class SuggestionStore:
    """The approval queue's storage: one conditional UPDATE decides every race."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record_triage(self, mention_id: int, triage: Triage, now: datetime) -> None:
        """Store (or replace) the triage of a mention."""
        with transaction(self.db):
            self.db.execute(TRIAGE_SQL, triage_row(mention_id, triage, iso(now)))

    def add(self, mention: Mention, mention_id: int, suggestion: Suggestion, priority: str,
            sla_due: datetime | None, now: datetime, kind: str = "reply") -> int | None:
        """Queue a suggestion (status pending, blocked or ignored); None if one of this kind exists."""
        with transaction(self.db):
            cur = self.db.execute(ADD_SQL, suggestion_row(mention, mention_id, suggestion, priority, sla_due,
                                                          iso(now), kind))
            return int(cur.lastrowid) if cur.rowcount and cur.lastrowid else None

    def pending(self, limit: int = 50, offset: int = 0) -> list[QueueItem]:
        """Pending items: highest priority first, then earliest SLA deadline, then oldest."""
        rows = self.db.query(
            f"{_ITEM_SQL} WHERE s.status = 'pending' ORDER BY s.priority, s.sla_due, s.id LIMIT ? OFFSET ?",
            [limit, offset])
        return [_item(r) for r in rows]

    def get(self, suggestion_id: int) -> QueueItem | None:
        """One item by id, whatever its status."""
        rows = list(self.db.query(f"{_ITEM_SQL} WHERE s.id = ?", [suggestion_id]))
        return _item(rows[0]) if rows else None

    def for_mention(self, platform: str, platform_id: str, kind: str = "reply") -> QueueItem | None:
        """The suggestion of ``kind`` for a mention given by its platform id."""
        rows = list(self.db.query(f"{_ITEM_SQL} WHERE m.platform = ? AND m.platform_id = ? AND s.kind = ?",
                                  [platform, platform_id, kind]))
        return _item(rows[0]) if rows else None

    def counts(self) -> dict[str, int]:
        """Number of suggestions per status."""
        rows = self.db.execute("SELECT status, count(*) FROM suggestions GROUP BY status").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def last_decision(self, suggestion_id: int) -> tuple[str, datetime | None]:
        """Who decided on a suggestion, and when ("" if nobody)."""
        row = self.db.execute("SELECT by, at FROM approvals WHERE suggestion_id = ?", [suggestion_id]).fetchone()
        return (str(row[0]), parse_time(row[1])) if row else ("", None)

    def decide(self, item: QueueItem, decision: str, by: str, final_text: str, diff: str, reason: str,
               idem_key: str, connector: str, now: datetime, expected_version: int | None = None) -> Decision:
        """Approve or reject a pending item atomically; an approval also writes the outbox intent.

        Exactly one concurrent caller wins: the UPDATE only matches a pending row (at the expected
        version); every loser gets ``ok=False`` with the status and the person who won.
        """
        with transaction(self.db):
            version_clause = "" if expected_version is None else " AND version = ?"
            params: list[Any] = [decision, iso(now), item.id]
            if expected_version is not None:
                params.append(expected_version)
            cur = self.db.execute(
                "UPDATE suggestions SET status = ?, version = version + 1, updated_at = ? "
                f"WHERE id = ? AND status = 'pending'{version_clause}", params)
            if cur.rowcount != 1:
                row = self.db.execute("SELECT status FROM suggestions WHERE id = ?", [item.id]).fetchone()
                by_who, at = self.last_decision(item.id)
                return Decision(False, str(row[0]) if row else "missing", by_who, at)
            approval = self.db.execute(
                """INSERT INTO approvals (suggestion_id, decision, by, at, suggested_text, final_text, diff, reason)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [item.id, decision, by, iso(now), item.text, final_text, diff, reason]).lastrowid
            outbox_id = None
            if decision == "approved":
                outbox_id = self.db.execute(
                    """INSERT INTO outbox (suggestion_id, approval_id, mention_id, connector, idem_key, text, state,
                         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'approved', ?, ?)""",
                    [item.id, approval, item.mention_id, connector, idem_key, final_text, iso(now), iso(now)],
                ).lastrowid
            self.db.execute(
                "INSERT INTO audit (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, 'suggestion', ?, ?)",
                [iso(now), by, decision, item.id,
                 json.dumps({"final_text": final_text, "diff": diff, "reason": reason, "outbox_id": outbox_id})])
            return Decision(True, decision, by, now, int(outbox_id) if outbox_id else None)

    def page(self, where: QueueFilter, now: datetime, limit: int = 50, offset: int = 0) -> tuple[list[QueueItem], int]:
        """One page of pending items matching ``where`` in queue order, and how many match in all.

        Rows come through the queue indexes (bot.store.queue_query.plan), and the count stops at
        ``count_cap(where) + 1``, so a page costs about the same whatever the size of the queue.
        """
        page, counted = plan(self.db, where, now)
        # Only ids are sorted; the 50 rows shown are then read whole.
        rows = self.db.query(
            f"{_ITEM_SELECT} FROM (SELECT s.id AS pid FROM {page.source} WHERE {page.conditions} "
            f"ORDER BY {page.order} LIMIT ? OFFSET ?) p CROSS JOIN suggestions s ON s.id = p.pid {_ITEM_JOINS} "
            "ORDER BY s.priority, s.sla_due, s.id", [*page.params, limit, offset])
        items = [_item(r) for r in rows]
        # Counting stops past the cap ("10,000+"): nobody pages that far, and the page stays fast.
        total = self.db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {counted.source} WHERE {counted.conditions} "
            f"LIMIT {count_cap(where) + 1})", counted.params).fetchone()[0]
        return items, int(total)

    def newest_pending(self) -> int:
        """The highest id of a pending item (0 if none): cheap, for live updates."""
        row = self.db.execute("SELECT max(id) FROM suggestions WHERE status = 'pending'").fetchone()
        return int(row[0] or 0)

    def change(self, item: QueueItem, changes: dict[str, Any], actor: str, action: str, detail: dict[str, Any],
               now: datetime, expected_version: int | None = None) -> Decision:
        """Change columns of a pending item (draft, assignee, claimed_at, snoozed_until) with an audit entry.

        Like :meth:`decide`, one conditional UPDATE decides races: a stale ``expected_version`` or an
        item no longer pending changes nothing and returns ``ok=False``.
        """
        allowed = {"draft", "assignee", "claimed_at", "snoozed_until"}
        if not changes or set(changes) - allowed:
            raise ValueError(f"only {sorted(allowed)} can be changed this way")
        sets = ", ".join(f"{column} = ?" for column in changes)
        values = [iso(v) if isinstance(v, datetime) else v for v in changes.values()]
        with transaction(self.db):
            version_clause = "" if expected_version is None else " AND version = ?"
            params: list[Any] = [*values, iso(now), item.id]
            if expected_version is not None:
                params.append(expected_version)
            cur = self.db.execute(
                f"UPDATE suggestions SET {sets}, version = version + 1, updated_at = ? "
                f"WHERE id = ? AND status = 'pending'{version_clause}", params)
            if cur.rowcount != 1:
                row = self.db.execute("SELECT status FROM suggestions WHERE id = ?", [item.id]).fetchone()
                by_who, at = self.last_decision(item.id)
                if row is not None and row[0] == "pending":
                    by_who, _, at = self.last_action(item.id)
                return Decision(False, str(row[0]) if row else "missing", by_who, at)
            self.db.execute(
                "INSERT INTO audit (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, 'suggestion', ?, ?)",
                [iso(now), actor, action, item.id, json.dumps(detail, ensure_ascii=False)])
            return Decision(True, "pending", actor, now)

    def last_action(self, suggestion_id: int) -> tuple[str, str, datetime | None]:
        """(who, what, when) of the latest audit entry on a suggestion (("", "", None) if none)."""
        row = self.db.execute(
            "SELECT actor, action, at FROM audit WHERE entity = 'suggestion' AND entity_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [suggestion_id]).fetchone()
        return (str(row[0]), str(row[1]), parse_time(row[2])) if row else ("", "", None)

    def author_profile(self, platform: str, author_platform_id: str, limit: int = 12) -> AuthorProfile:
        """An author's mentions of us, our replies to them and their latest sentiment scores (oldest first)."""
        row = self.db.execute(
            """SELECT a.id, a.first_seen, (SELECT count(*) FROM mentions WHERE author_id = a.id),
                 (SELECT count(replied_at) FROM loops WHERE author_id = a.id),
                 (SELECT count(*) FROM loops WHERE author_id = a.id AND state != 'closed')
               FROM authors a WHERE a.platform = ? AND a.platform_id = ?""", [platform, author_platform_id]).fetchone()
        if row is None:
            return AuthorProfile(0, None, 0, 0, ())
        trend = self.db.execute(
            """SELECT m.created_at, t.compound FROM mentions m JOIN triage t ON t.mention_id = m.id
               WHERE m.author_id = ? ORDER BY m.created_at DESC LIMIT ?""", [row[0], limit]).fetchall()
        return AuthorProfile(int(row[2]), parse_time(row[1]), int(row[3]), int(row[4]),
                             tuple((datetime.fromisoformat(t), float(c)) for t, c in reversed(trend)))

    def thread(self, platform: str, thread_id: str, limit: int = 30) -> list[ThreadPost]:
        """The stored conversation a mention belongs to, with the replies we posted in it, in time order."""
        if not thread_id:
            return []
        theirs = self.db.execute(
            """SELECT m.created_at, a.handle, m.text, m.id FROM mentions m JOIN authors a ON a.id = m.author_id
               WHERE m.platform = ? AND m.thread_id = ? ORDER BY m.created_at LIMIT ?""",
            [platform, thread_id, limit]).fetchall()
        ours = self.db.execute(
            """SELECT o.posted_at, m.account, o.text FROM outbox o JOIN mentions m ON m.id = o.mention_id
               WHERE m.platform = ? AND m.thread_id = ? AND o.posted_at IS NOT NULL LIMIT ?""",
            [platform, thread_id, limit]).fetchall()
        posts = [ThreadPost(datetime.fromisoformat(r[0]), str(r[1]), str(r[2]), False, int(r[3])) for r in theirs]
        posts += [ThreadPost(datetime.fromisoformat(r[0]), str(r[1]), str(r[2]), True) for r in ours]
        return sorted(posts, key=lambda p: p.at)

    def bulk_pending(self, count: int, now: datetime, platform: str = "x", account: str = "nimbushome") -> None:
        """Insert ``count`` synthetic pending items quickly (benchmarks and load tests only)."""
        with transaction(self.db):
            start = int(self.db.execute("SELECT coalesce(max(id), 0) FROM mentions").fetchone()[0])
            self.db.execute(
                """INSERT INTO authors (platform, platform_id, handle, name, followers, first_seen, last_seen)
                   VALUES (?, 'bench-author', 'bench', 'Bench Author', 10, ?, ?)
                   ON CONFLICT (platform, platform_id) DO NOTHING""", [platform, iso(now), iso(now)])
            author = self.db.execute("SELECT id FROM authors WHERE platform = ? AND platform_id = 'bench-author'",
                                     [platform]).fetchone()[0]
            ids = range(start + 1, start + count + 1)
            self.db.conn.executemany(
                """INSERT INTO mentions (id, connector, platform, platform_id, author_id, account, text, created_at,
                     fetched_at, thread_id, raw) VALUES (?, 'bench', ?, ?, ?, ?, ?, ?, ?, ?, '{}')""",
                ((i, platform, f"bench-{i}", author, account, f"@{account} synthetic mention number {i}", iso(now),
                  iso(now), f"bench-{i}") for i in ids))
            self.db.conn.executemany(
                """INSERT INTO triage (mention_id, compound, label, intents, relevance, language, spam, priority,
                     score, reasons, triaged_at) VALUES (?, 0.0, 'neutral', '["question"]', 1.0, 'en', 0, ?, 0.5,
                     '[]', ?)""", ((i, PRIORITY_ORDER[i % 4], iso(now)) for i in ids))
            self.db.conn.executemany(
                """INSERT INTO suggestions (mention_id, kind, action, rule_id, text, status, platform, account,
                     priority, sla_due, created_at, updated_at)
                   VALUES (?, 'reply', 'reply', 'bench', 'Thanks for asking!', 'pending', ?, ?, ?, ?, ?, ?)""",
                ((i, platform, account, PRIORITY_ORDER[i % 4], iso(now), iso(now), iso(now)) for i in ids))
