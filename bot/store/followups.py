"""Follow-up questions: which loops are due one (the author answered, or went quiet) and which got one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.store.database import iso, transaction


@dataclass(frozen=True)
class FollowUpDue:
    """A loop whose reply carried a follow-up question that may now be queued.

    ``target_id`` is the mention the question answers: the author's answer (trigger ``answer``)
    or the original mention (trigger ``silence``).
    """

    loop_id: int
    target_id: int
    trigger: str
    rule_id: str
    text: str
    after_hours: float
    priority: str


_BASE = """SELECT l.id AS loop_id, l.priority, s.rule_id, s.follow_up, s.follow_up_after_hours, {target} AS target_id
  FROM loops l JOIN suggestions s ON s.mention_id = l.mention_id AND s.kind = 'reply'
  LEFT JOIN follow_ups f ON f.loop_id = l.id
  WHERE f.loop_id IS NULL AND s.follow_up != '' AND """


def _due(rows: object, trigger: str) -> list[FollowUpDue]:
    return [FollowUpDue(int(r["loop_id"]), int(r["target_id"]), trigger, r["rule_id"], r["follow_up"],
                        float(r["follow_up_after_hours"]), r["priority"]) for r in rows]  # type: ignore[attr-defined]


class FollowUpStore:
    """At most one follow-up question per loop: the ``follow_ups`` row is written with the suggestion."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def due_on_answer(self, since: datetime) -> list[FollowUpDue]:
        """Loops the author answered since ``since`` that have not had their follow-up yet."""
        rows = self.db.query(
            _BASE.format(target="l.answer_mention_id")
            + "l.close_reason = 'answered' AND l.answer_mention_id IS NOT NULL AND l.answered_at >= ? ORDER BY l.id",
            [iso(since)])
        return _due(rows, "answer")

    def due_on_silence(self, now: datetime) -> list[FollowUpDue]:
        """Loops still waiting for the author whose follow-up delay has passed since our reply."""
        rows = self.db.query(
            _BASE.format(target="l.mention_id")
            + """l.state = 'waiting_answer' AND l.replied_at IS NOT NULL
                 AND (julianday(?) - julianday(l.replied_at)) * 24 >= s.follow_up_after_hours ORDER BY l.id""",
            [iso(now)])
        return _due(rows, "silence")

    def mark(self, loop_id: int, suggestion_id: int | None, trigger: str, now: datetime) -> bool:
        """Record that a loop's follow-up was handled (queued, or skipped by its rule); False if it already was."""
        with transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO follow_ups (loop_id, suggestion_id, trigger, queued_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (loop_id) DO NOTHING", [loop_id, suggestion_id, trigger, iso(now)])
            return cur.rowcount == 1

    def of_loop(self, loop_id: int) -> tuple[int | None, str] | None:
        """(suggestion id, trigger) of a loop's follow-up, or None when it has none."""
        row = self.db.execute("SELECT suggestion_id, trigger FROM follow_ups WHERE loop_id = ?", [loop_id]).fetchone()
        return None if row is None else (None if row[0] is None else int(row[0]), str(row[1]))
