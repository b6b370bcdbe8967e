"""Mentions, authors and connector cursors: the ingest side of the store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from bot.models import Author, Batch, Cursor, Mention
from bot.store.database import iso, parse_time, transaction


@dataclass(frozen=True)
class CursorState:
    """What the store knows about one connector's polling."""

    connector: str
    cursor: Cursor | None
    last_poll_at: datetime | None
    last_error: str
    paused_until: datetime | None
    pause_reason: str
    calls_spent: int


def row_to_mention(row: dict[str, object]) -> Mention:
    """Rebuild a :class:`Mention` from a joined mentions+authors row (author columns prefixed ``a_``)."""
    author = Author(
        platform=str(row["platform"]), platform_id=str(row["a_platform_id"]), handle=str(row["a_handle"]),
        name=str(row["a_name"]), followers=int(str(row["a_followers"])), verified=bool(row["a_verified"]),
    )
    return Mention(
        platform=str(row["platform"]), platform_id=str(row["platform_id"]), author=author, text=str(row["text"]),
        created_at=datetime.fromisoformat(str(row["created_at"])), account=str(row["account"]),
        thread_id=str(row["thread_id"]), in_reply_to=str(row["in_reply_to"]) if row["in_reply_to"] else None,
        addresses_us=bool(row["addresses_us"]), lang=str(row["lang"]) if row["lang"] else None,
        url=str(row["url"]), raw=str(row["raw"]), kind="answer" if row["kind"] == "answer" else "mention",
    )


def text_hash(text: str) -> str:
    """A short fingerprint of a text with case and spacing folded (finds copies across authors)."""
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()[:16]


def same_text_authors(db: sqlite_utils.Database, items: Sequence[tuple[int, str, datetime]],
                      within: timedelta) -> dict[int, int]:
    """Per (key, text, time): how many distinct authors stored a copy of the text created in ``[time - within, time]``.

    Read from ``recent_texts`` (kept by a trigger on ``mentions``, pruned to the window by the daily
    maintenance), in one statement however many items: a mention counts its own author, so a stored
    mention gets at least 1; keys whose text has no copy in the window are left out.
    """
    if not items:
        return {}
    keyed = json.dumps([[key, text_hash(text), iso(at - within), iso(at)] for key, text, at in items])
    return {int(key): int(n) for key, n in db.execute(SAME_TEXT_SQL, [keyed])}


SAME_TEXT_SQL = """SELECT json_extract(k.value, '$[0]'), count(DISTINCT r.author_id) FROM json_each(?) k
    CROSS JOIN recent_texts r ON r.text_hash = json_extract(k.value, '$[1]')
      AND r.created_at BETWEEN json_extract(k.value, '$[2]') AND json_extract(k.value, '$[3]')
    GROUP BY k.key"""
"""Distinct authors per [key, text hash, from, to] of a JSON array: each item one range of the primary key."""


MENTION_COLUMNS = """m.*, a.platform_id AS a_platform_id, a.handle AS a_handle, a.name AS a_name,
    a.followers AS a_followers, a.verified AS a_verified"""


class MentionStore:
    """Writes fetched mentions and cursors together, so that no fetched mention is ever lost."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def _author_id(self, author: Author, seen: datetime) -> int:
        rows = self.db.execute(
            """INSERT INTO authors (platform, platform_id, handle, name, followers, verified, first_seen, last_seen)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (platform, platform_id) DO UPDATE SET handle = excluded.handle, name = excluded.name,
                 followers = excluded.followers, verified = excluded.verified,
                 last_seen = max(last_seen, excluded.last_seen)
               RETURNING id""",
            [author.platform, author.platform_id, author.handle, author.name, author.followers,
             int(author.verified), iso(seen), iso(seen)],
        ).fetchall()  # read to the end, so the statement is done before the transaction commits
        return int(rows[0][0])

    def insert(self, connector: str, mentions: Sequence[Mention], now: datetime) -> list[int]:
        """Insert mentions not stored yet (unique per platform and id); return the new rows' ids."""
        new_ids: list[int] = []
        with transaction(self.db):
            for m in mentions:
                author_id = self._author_id(m.author, m.created_at)
                cur = self.db.execute(
                    """INSERT INTO mentions (connector, platform, platform_id, kind, author_id, account, text,
                         created_at, fetched_at, thread_id, in_reply_to, addresses_us, lang, url, raw, text_hash)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (platform, platform_id) DO NOTHING""",
                    [connector, m.platform, m.platform_id, m.kind, author_id, m.account, m.text, iso(m.created_at),
                     iso(now), m.thread_id, m.in_reply_to, int(m.addresses_us), m.lang, m.url, m.raw,
                     text_hash(m.text)],
                )
                if cur.rowcount:
                    new_ids.append(int(cur.lastrowid or 0))
        return new_ids

    def save_batch(self, connector: str, batch: Batch, now: datetime) -> list[int]:
        """Store a poll's mentions and advance the connector's cursor in one transaction."""
        with transaction(self.db):
            ids = self.insert(connector, batch.mentions, now)
            self.db.execute(
                """INSERT INTO cursors (connector, value, updated_at, last_poll_at, last_error, paused_until,
                     pause_reason, calls_spent) VALUES (?, ?, ?, ?, '', ?, ?, ?)
                   ON CONFLICT (connector) DO UPDATE SET value = coalesce(excluded.value, value),
                     updated_at = excluded.updated_at, last_poll_at = excluded.last_poll_at, last_error = '',
                     paused_until = excluded.paused_until, pause_reason = excluded.pause_reason,
                     calls_spent = calls_spent + excluded.calls_spent""",
                [connector, batch.cursor.value if batch.cursor else None, iso(now), iso(now),
                 iso(batch.pause_until) if batch.pause_until else None, batch.pause_reason, batch.calls],
            )
        return ids

    def record_poll_error(self, connector: str, error: str, now: datetime,
                          paused_until: datetime | None = None) -> None:
        """Remember why a poll failed (the cursor is left where it was)."""
        with transaction(self.db):
            self.db.execute(
                """INSERT INTO cursors (connector, last_poll_at, last_error, paused_until, pause_reason)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (connector) DO UPDATE SET last_poll_at = excluded.last_poll_at,
                     last_error = excluded.last_error, paused_until = excluded.paused_until,
                     pause_reason = excluded.pause_reason""",
                [connector, iso(now), error, iso(paused_until) if paused_until else None,
                 error if paused_until else ""],
            )

    def cursor_state(self, connector: str) -> CursorState:
        """The stored polling state of ``connector`` (empty if it never polled)."""
        rows = list(self.db.query("SELECT * FROM cursors WHERE connector = ?", [connector]))
        if not rows:
            return CursorState(connector, None, None, "", None, "", 0)
        r = rows[0]
        return CursorState(
            connector=connector, cursor=Cursor(r["value"]) if r["value"] is not None else None,
            last_poll_at=parse_time(r["last_poll_at"]), last_error=r["last_error"] or "",
            paused_until=parse_time(r["paused_until"]), pause_reason=r["pause_reason"] or "",
            calls_spent=int(r["calls_spent"] or 0),
        )

    def get(self, mention_id: int) -> Mention:
        """The mention with database id ``mention_id`` (KeyError if absent)."""
        rows = list(self.db.query(
            f"SELECT {MENTION_COLUMNS} FROM mentions m JOIN authors a ON a.id = m.author_id WHERE m.id = ?",
            [mention_id]))
        if not rows:
            raise KeyError(mention_id)
        return row_to_mention(rows[0])

    def connector_of(self, mention_id: int) -> str:
        """The name of the connector that fetched a mention ("" if unknown)."""
        row = self.db.execute("SELECT connector FROM mentions WHERE id = ?", [mention_id]).fetchone()
        return str(row[0]) if row else ""

    def id_of(self, platform: str, platform_id: str) -> int:
        """The database id of a stored mention (KeyError if absent)."""
        row = self.db.execute("SELECT id FROM mentions WHERE platform = ? AND platform_id = ?",
                              [platform, platform_id]).fetchone()
        if row is None:
            raise KeyError((platform, platform_id))
        return int(row[0])

    def untriaged(self, limit: int = 1000) -> list[tuple[int, Mention]]:
        """Stored mentions (not answers) that have no triage record yet, oldest first."""
        rows = self.db.query(
            f"""SELECT {MENTION_COLUMNS} FROM untriaged u JOIN mentions m ON m.id = u.mention_id
                JOIN authors a ON a.id = m.author_id ORDER BY u.mention_id LIMIT ?""", [limit])
        return [(int(r["id"]), row_to_mention(r)) for r in rows]

    def authors_with_same_text(self, text: str, at: datetime, within: timedelta) -> int:
        """How many distinct authors posted this text (case and spacing folded) in the ``within`` up to ``at``."""
        return same_text_authors(self.db, [(0, text, at)], within).get(0, 0)

    def count(self) -> int:
        """How many mentions (and answers) are stored."""
        return int(self.db.execute("SELECT count(*) FROM mentions").fetchone()[0])

    def raw(self, mention_id: int) -> object:
        """The raw platform payload of a mention, parsed."""
        row = self.db.execute("SELECT raw FROM mentions WHERE id = ?", [mention_id]).fetchone()
        return json.loads(row[0]) if row else None
