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

PRIORITY_ORDER = ("P1", "P2", "P3", "P4")


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
        reasons=tuple(json.loads(row["reasons"] or "[]")),
    )


_ITEM_SQL = f"""SELECT {MENTION_COLUMNS}, s.id AS s_id, s.kind AS s_kind, s.action, s.status, s.version,
    s.priority, s.sla_due, s.rule_id, s.text AS s_text, s.follow_up, s.escalate_to, s.note, s.why,
    s.blocked_by, s.assignee, s.created_at AS s_created_at, t.compound, t.label, t.intents, t.relevance,
    t.reasons
  FROM suggestions s JOIN mentions m ON m.id = s.mention_id JOIN authors a ON a.id = m.author_id
  LEFT JOIN triage t ON t.mention_id = m.id"""


class SuggestionStore:
    """The approval queue's storage: one conditional UPDATE decides every race."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record_triage(self, mention_id: int, triage: Triage, now: datetime) -> None:
        """Store (or replace) the triage of a mention."""
        with transaction(self.db):
            self.db.execute(
                """INSERT OR REPLACE INTO triage (mention_id, compound, label, intents, relevance, language, spam,
                     priority, score, reasons, triaged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [mention_id, triage.sentiment.compound, triage.sentiment.label, json.dumps(list(triage.intents)),
                 triage.relevance, triage.language, int(triage.spam), triage.priority, triage.score,
                 json.dumps(list(triage.reasons)), iso(now)],
            )

    def add(self, mention: Mention, mention_id: int, suggestion: Suggestion, priority: str,
            sla_due: datetime | None, now: datetime, kind: str = "reply") -> int | None:
        """Queue a suggestion (status pending, blocked or ignored); None if one of this kind exists."""
        status = "ignored" if suggestion.action == "ignore" else "blocked" if suggestion.blocked_by else "pending"
        with transaction(self.db):
            cur = self.db.execute(
                """INSERT INTO suggestions (mention_id, kind, action, rule_id, text, follow_up,
                     follow_up_after_hours, escalate_to, note, why, blocked_by, status, platform, account,
                     priority, sla_due, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (mention_id, kind) DO NOTHING""",
                [mention_id, kind, suggestion.action, suggestion.rule_id, suggestion.text, suggestion.follow_up,
                 suggestion.follow_up_after_hours, suggestion.escalate_to, suggestion.note,
                 json.dumps(list(suggestion.why)), json.dumps(list(suggestion.blocked_by)), status,
                 mention.platform, mention.account, priority, iso(sla_due) if sla_due else None, iso(now), iso(now)],
            )
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
