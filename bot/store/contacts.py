"""The do-not-contact list, and the reads the guardrails need (per thread, per day, per person)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from bot.store.database import iso, parse_time, transaction

#: Outbox states that mean a reply is out (or may be): what the post-time checks count.
SENT = ("sending", "posted", "needs_review")
#: Plus approved-but-not-yet-posted: what the suggestion-time checks count.
COMMITTED = ("approved", *SENT)


@dataclass(frozen=True)
class BlockedContact:
    """One entry of the do-not-contact list."""

    platform: str
    handle: str
    reason: str
    added_by: str
    added_at: datetime | None


def _in(states: Sequence[str]) -> str:
    return ", ".join("?" for _ in states)


class ContactStore:
    """Reads and writes the do-not-contact table; counts our replies for the guardrails."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def block(self, platform: str, handle: str, reason: str, by: str, now: datetime) -> bool:
        """Add a handle (stored lower case, without @ or u/); False when it was already listed."""
        with transaction(self.db):
            cur = self.db.execute(
                """INSERT INTO do_not_contact (platform, handle, reason, added_by, added_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (platform, handle) DO NOTHING""", [platform, handle, reason, by, iso(now)])
            return cur.rowcount == 1

    def unblock(self, platform: str, handle: str) -> bool:
        """Remove a handle; False when it was not listed."""
        with transaction(self.db):
            cur = self.db.execute("DELETE FROM do_not_contact WHERE platform = ? AND handle = ?", [platform, handle])
            return cur.rowcount == 1

    def blocked(self) -> list[BlockedContact]:
        """The whole list, by platform and handle."""
        return [BlockedContact(r["platform"], r["handle"], r["reason"], r["added_by"], parse_time(r["added_at"]))
                for r in self.db.query("SELECT * FROM do_not_contact ORDER BY platform, handle")]

    def block_reason(self, platform: str, handle: str) -> str | None:
        """Why a handle is listed ("" if no reason given), or None when it is not."""
        row = self.db.execute("SELECT reason FROM do_not_contact WHERE platform = ? AND handle = ?",
                              [platform, handle]).fetchone()
        return None if row is None else str(row[0])

    def unanswered_in_thread(self, mention_id: int, exclude_outbox: int | None, states: Sequence[str]) -> int:
        """Our replies to this mention's author in its thread that they have not answered (posted after) yet."""
        row = self.db.execute(
            f"""SELECT count(*) FROM mentions cur
                JOIN mentions r ON r.platform = cur.platform AND r.thread_id = cur.thread_id
                  AND (cur.thread_id != '' OR r.id = cur.id)  -- same rows as "same thread, or cur itself", indexable
                JOIN outbox o ON o.mention_id = r.id
                WHERE cur.id = ? AND r.author_id = cur.author_id AND o.id != ? AND o.state IN ({_in(states)})
                  AND NOT EXISTS (SELECT 1 FROM mentions a WHERE a.platform = r.platform AND a.author_id = r.author_id
                    AND ((r.thread_id != '' AND a.thread_id = r.thread_id) OR a.id = r.id)
                    AND a.created_at > coalesce(o.posted_at, o.created_at))""",
            [mention_id, exclude_outbox or -1, *states]).fetchone()
        return int(row[0])

    def replies_since(self, platform: str, since: datetime, exclude_outbox: int | None) -> int:
        """How many replies we sent (or are sending) on ``platform`` since ``since``."""
        row = self.db.execute(
            # Outbox first (CROSS JOIN keeps the order): the planner otherwise walks every mention of the platform.
            f"""SELECT count(*) FROM outbox o CROSS JOIN mentions m ON m.id = o.mention_id
                WHERE m.platform = ? AND o.id != ? AND o.state IN ({_in(SENT)})
                  AND coalesce(o.posted_at, o.updated_at) >= ?""",
            [platform, exclude_outbox or -1, *SENT, iso(since)]).fetchone()
        return int(row[0])

    def texts_to_author(self, platform: str, author_platform_id: str, since: datetime, exclude_outbox: int | None,
                        states: Sequence[str]) -> list[str]:
        """The words of our replies to one person since ``since``, newest first."""
        return [str(r[0]) for r in self.db.execute(
            f"""SELECT o.text FROM outbox o JOIN mentions m ON m.id = o.mention_id JOIN authors a ON a.id = m.author_id
                WHERE a.platform = ? AND a.platform_id = ? AND o.id != ? AND o.state IN ({_in(states)})
                  AND coalesce(o.posted_at, o.created_at) >= ? ORDER BY o.id DESC""",
            [platform, author_platform_id, exclude_outbox or -1, *states, iso(since)]).fetchall()]

    def suggested_to_author(self, platform: str, author_platform_id: str, since: datetime) -> list[str]:
        """Reply texts waiting in the queue (or approved) for one person since ``since``, newest first."""
        return [str(r[0]) for r in self.db.execute(
            # CROSS JOIN pins the order author -> their mentions -> suggestions; left to itself the planner
            # walks every pending suggestion through the status index, once per ingested mention.
            """SELECT s.text FROM authors a CROSS JOIN mentions m ON m.author_id = a.id
               CROSS JOIN suggestions s ON s.mention_id = m.id
               WHERE a.platform = ? AND a.platform_id = ? AND s.status IN ('pending', 'approved') AND s.text != ''
                 AND s.created_at >= ? ORDER BY s.id DESC""",
            [platform, author_platform_id, iso(since)]).fetchall()]

    def blocked_suggestions(self, limit: int = 50) -> list[int]:
        """Ids of suggestions a guardrail blocked, newest first."""
        return [int(r[0]) for r in self.db.execute(
            "SELECT id FROM suggestions WHERE status = 'blocked' ORDER BY id DESC LIMIT ?", [limit]).fetchall()]
