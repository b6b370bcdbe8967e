"""The outbox: the intent to post is recorded before the network call, its outcome after.

States: ``approved`` -> ``sending`` -> ``posted`` | ``failed`` | ``needs_review``; a transient
failure goes back to ``approved`` with a ``next_attempt_at``. Every transition is a conditional
UPDATE on the expected state, so two dispatchers can never both send one item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.models import Posted
from bot.store.database import iso, parse_time, transaction


@dataclass(frozen=True)
class OutboxItem:
    """One approved reply on its way to a platform."""

    id: int
    suggestion_id: int
    mention_id: int
    connector: str
    idem_key: str
    text: str
    state: str
    attempts: int
    reply_platform_id: str | None
    posted_at: datetime | None
    last_error: str


def _item(row: dict[str, Any]) -> OutboxItem:
    return OutboxItem(
        id=int(row["id"]), suggestion_id=int(row["suggestion_id"]), mention_id=int(row["mention_id"]),
        connector=row["connector"], idem_key=row["idem_key"], text=row["text"], state=row["state"],
        attempts=int(row["attempts"]), reply_platform_id=row["reply_platform_id"],
        posted_at=parse_time(row["posted_at"]), last_error=row["last_error"] or "",
    )


class OutboxStore:
    """Reads and moves outbox items through their states."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Approved items whose next attempt is due, oldest first."""
        rows = self.db.query(
            """SELECT * FROM outbox WHERE state = 'approved' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
               ORDER BY id LIMIT ?""", [iso(now), limit])
        return [_item(r) for r in rows]

    def in_state(self, state: str, limit: int = 1000) -> list[OutboxItem]:
        """Items in ``state`` (for example ``sending`` ones left by a crash), oldest first."""
        return [_item(r) for r in self.db.query(
            "SELECT * FROM outbox WHERE state = ? ORDER BY id LIMIT ?", [state, limit])]

    def get(self, outbox_id: int) -> OutboxItem | None:
        """One item by id."""
        rows = list(self.db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))
        return _item(rows[0]) if rows else None

    def counts(self) -> dict[str, int]:
        """Number of items per state."""
        return {str(r[0]): int(r[1]) for r in self.db.execute(
            "SELECT state, count(*) FROM outbox GROUP BY state").fetchall()}

    def _move(self, outbox_id: int, from_state: str, to_state: str, now: datetime, **columns: object) -> bool:
        sets = "".join(f", {name} = ?" for name in columns)
        with transaction(self.db):
            cur = self.db.execute(
                f"UPDATE outbox SET state = ?, updated_at = ?{sets} WHERE id = ? AND state = ?",
                [to_state, iso(now), *columns.values(), outbox_id, from_state])
            return cur.rowcount == 1

    def claim(self, outbox_id: int, now: datetime) -> bool:
        """approved -> sending, counting the attempt; False if someone else moved it first."""
        with transaction(self.db):
            cur = self.db.execute(
                """UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?
                   WHERE id = ? AND state = 'approved'""", [iso(now), outbox_id])
            return cur.rowcount == 1

    def posted(self, outbox_id: int, posted: Posted, now: datetime) -> bool:
        """sending -> posted, with the platform's id and time for the reply."""
        return self._move(outbox_id, "sending", "posted", now, reply_platform_id=posted.platform_id,
                          reply_url=posted.url, posted_at=iso(posted.posted_at), last_error="")

    def retry_later(self, outbox_id: int, error: str, at: datetime, now: datetime) -> bool:
        """sending -> approved again, not before ``at`` (a transient failure)."""
        return self._move(outbox_id, "sending", "approved", now, last_error=error, next_attempt_at=iso(at))

    def failed(self, outbox_id: int, error: str, now: datetime, state: str = "failed") -> bool:
        """sending -> failed (or needs_review), with the reason."""
        return self._move(outbox_id, "sending", state, now, last_error=error)
