"""Conversation loops: mention -> our reply -> the author's answer (or a timeout)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.store.database import iso, parse_time, transaction


@dataclass(frozen=True)
class Loop:
    """One conversation we were asked to take part in, and how it went."""

    id: int
    mention_id: int
    platform: str
    account: str
    author_id: int
    priority: str
    opened_at: datetime
    sla_due: datetime | None
    mention_compound: float
    state: str
    replied_at: datetime | None
    reply_text: str
    answered_at: datetime | None
    answer_compound: float | None
    closed_at: datetime | None
    close_reason: str


def _loop(row: dict[str, Any]) -> Loop:
    return Loop(
        id=int(row["id"]), mention_id=int(row["mention_id"]), platform=row["platform"], account=row["account"],
        author_id=int(row["author_id"]), priority=row["priority"], opened_at=datetime.fromisoformat(row["opened_at"]),
        sla_due=parse_time(row["sla_due"]), mention_compound=float(row["mention_compound"]), state=row["state"],
        replied_at=parse_time(row["replied_at"]), reply_text=row["reply_text"] or "",
        answered_at=parse_time(row["answered_at"]),
        answer_compound=None if row["answer_compound"] is None else float(row["answer_compound"]),
        closed_at=parse_time(row["closed_at"]), close_reason=row["close_reason"] or "",
    )


OPEN_SQL = """INSERT INTO loops (mention_id, platform, account, author_id, priority, opened_at, sla_due,
    mention_compound, state)
  SELECT id, platform, account, author_id, ?, created_at, ?, ?, 'waiting_reply'
  FROM mentions WHERE id = ? ON CONFLICT (mention_id) DO NOTHING"""
"""Open a loop: parameters (priority, sla_due, mention compound, mention id); once per mention."""


class LoopStore:
    """Opens loops when a reply is suggested and moves them as the conversation goes on."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def open(self, mention_id: int, priority: str, sla_due: datetime | None, compound: float) -> None:
        """Open a loop for a mention that calls for a reply (once per mention)."""
        with transaction(self.db):
            self.db.execute(OPEN_SQL, [priority, iso(sla_due) if sla_due else None, compound, mention_id])

    def replied(self, mention_id: int, outbox_id: int, at: datetime, text: str) -> None:
        """Our reply is on the platform: now we wait for the author."""
        with transaction(self.db):
            self.db.execute(
                """UPDATE loops SET state = 'waiting_answer', outbox_id = ?, replied_at = ?, reply_text = ?
                   WHERE mention_id = ? AND state = 'waiting_reply'""", [outbox_id, iso(at), text, mention_id])

    def answered(self, loop_id: int, answer_id: int, at: datetime, compound: float) -> None:
        """The author answered: the loop is closed."""
        with transaction(self.db):
            self.db.execute(
                """UPDATE loops SET state = 'closed', answer_mention_id = ?, answered_at = ?, answer_compound = ?,
                     closed_at = ?, close_reason = 'answered' WHERE id = ? AND state = 'waiting_answer'""",
                [answer_id, iso(at), compound, iso(at), loop_id])

    def close(self, loop_id: int, reason: str, at: datetime) -> None:
        """Close a loop without an answer (``timeout``, ``declined`` or ``missed``)."""
        with transaction(self.db):
            self.db.execute("UPDATE loops SET state = 'closed', closed_at = ?, close_reason = ? "
                            "WHERE id = ? AND state != 'closed'", [iso(at), reason, loop_id])

    def in_state(self, state: str, limit: int = 10_000) -> list[Loop]:
        """Loops in ``state``, oldest first."""
        return [_loop(r) for r in self.db.query(
            "SELECT * FROM loops WHERE state = ? ORDER BY opened_at LIMIT ?", [state, limit])]

    def declined_waiting(self) -> list[Loop]:
        """Loops still waiting for our reply whose suggestion a person rejected (a decision, not a miss).

        A suggestion that expired because nobody decided is not a decision: its loop closes as missed.
        """
        return [_loop(r) for r in self.db.query(
            """SELECT l.* FROM loops l JOIN suggestions s ON s.mention_id = l.mention_id AND s.kind = 'reply'
               WHERE l.state = 'waiting_reply' AND s.status = 'rejected'""")]

    def expired_waiting(self) -> list[Loop]:
        """Loops still waiting for our reply whose suggestion expired undecided."""
        return [_loop(r) for r in self.db.query(
            """SELECT l.* FROM loops l JOIN suggestions s ON s.mention_id = l.mention_id AND s.kind = 'reply'
               WHERE l.state = 'waiting_reply' AND s.status = 'expired'""")]

    def author_history(self, platform: str, author_platform_id: str) -> tuple[int, bool, datetime | None]:
        """(replies we sent to this author, whether a loop with them is open, time of our last reply)."""
        row = self.db.execute(
            """SELECT count(l.replied_at), coalesce(sum(l.state = 'waiting_answer'), 0), max(l.replied_at)
               FROM loops l JOIN authors a ON a.id = l.author_id WHERE a.platform = ? AND a.platform_id = ?""",
            [platform, author_platform_id]).fetchone()
        return int(row[0]), bool(row[1]), parse_time(row[2])
