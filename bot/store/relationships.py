"""Reads for Social ID and the relationship ledger: a week's loops, and authors' histories."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.relationships import AuthorLoop, Contact
from bot.socialid import LoopRecord
from bot.store.database import iso, parse_time

_WEEK_SQL = """SELECT l.*, m.text AS mention_text, s.text AS suggested_text, s.rule_id, a.handle,
    a.platform AS author_platform,
    ans.text AS answer_text
  FROM loops l JOIN mentions m ON m.id = l.mention_id JOIN authors a ON a.id = l.author_id
  LEFT JOIN suggestions s ON s.mention_id = l.mention_id AND s.kind = 'reply'
  LEFT JOIN mentions ans ON ans.id = l.answer_mention_id"""


def _record(r: dict[str, Any]) -> LoopRecord:
    return LoopRecord(
        account=r["account"], priority=r["priority"], opened_at=datetime.fromisoformat(r["opened_at"]),
        sla_due=parse_time(r["sla_due"]), mention_text=r["mention_text"],
        mention_compound=float(r["mention_compound"]), close_reason=r["close_reason"] or "",
        replied_at=parse_time(r["replied_at"]), reply_text=r["reply_text"] or "",
        suggested_text=r["suggested_text"] or "", answered_at=parse_time(r["answered_at"]),
        answer_compound=None if r["answer_compound"] is None else float(r["answer_compound"]),
        loop_id=int(r["id"]), author_id=int(r["author_id"]), author_handle=r["handle"], rule_id=r["rule_id"] or "",
        answer_text=r["answer_text"] or "", author_platform=r["author_platform"],
    )


class RelationshipStore:
    """Read-only queries behind Social ID, the ledger and the dashboard."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def week_records(self, start: datetime, end: datetime, account: str) -> list[LoopRecord]:
        """Loops of ``account`` opened in [start, end), with texts, author and rule (account/opened index)."""
        rows = self.db.query(f"{_WEEK_SQL} WHERE l.account = ? AND l.opened_at >= ? AND l.opened_at < ? "
                             "ORDER BY l.opened_at", [account, iso(start), iso(end)])
        return [_record(r) for r in rows]

    def week_plan(self, start: datetime, end: datetime, account: str) -> list[str]:
        """SQLite's query plan for :meth:`week_records` (the benchmark checks it uses the index)."""
        rows = self.db.execute(f"EXPLAIN QUERY PLAN {_WEEK_SQL} WHERE l.account = ? AND l.opened_at >= ? "
                               "AND l.opened_at < ? ORDER BY l.opened_at", [account, iso(start), iso(end)])
        return [str(r[3]) for r in rows]

    def accounts(self) -> list[str]:
        """Every account that has mentions."""
        return [str(r[0]) for r in self.db.execute("SELECT DISTINCT account FROM mentions ORDER BY account")]

    def busiest_authors(self, account: str | None, limit: int) -> list[dict[str, Any]]:
        """Authors with the most non-spam posts (optionally about one account): id, platform, handle, name."""
        where = "WHERE coalesce(t.spam, 0) = 0" + (" AND m.account = ?" if account else "")
        rows = self.db.query(
            f"""SELECT a.id, a.platform, a.handle, a.name, count(*) AS n, max(m.created_at) AS last
                FROM mentions m JOIN authors a ON a.id = m.author_id LEFT JOIN triage t ON t.mention_id = m.id
                {where} GROUP BY a.id ORDER BY n DESC, last DESC LIMIT ?""", [*([account] if account else []), limit])
        return list(rows)

    def histories(self, author_ids: Sequence[int], account: str | None = None
                  ) -> tuple[dict[int, list[Contact]], dict[int, list[AuthorLoop]]]:
        """Contacts and loops of each author, oldest first (uses the author/created index)."""
        contacts: dict[int, list[Contact]] = defaultdict(list)
        loops: dict[int, list[AuthorLoop]] = defaultdict(list)
        if not author_ids:
            return contacts, loops
        marks = ",".join("?" * len(author_ids))
        extra, params = (" AND m.account = ?", [account]) if account else ("", [])
        for r in self.db.query(
                f"""SELECT m.author_id, m.created_at, m.kind, m.text, coalesce(t.compound, l.answer_compound) AS c,
                      t.intents FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id
                    LEFT JOIN loops l ON l.answer_mention_id = m.id
                    WHERE m.author_id IN ({marks}) AND coalesce(t.spam, 0) = 0{extra} ORDER BY m.created_at""",
                [*author_ids, *params]):
            contacts[int(r["author_id"])].append(Contact(
                at=datetime.fromisoformat(r["created_at"]), kind=r["kind"],
                compound=None if r["c"] is None else float(r["c"]), intents=tuple(json.loads(r["intents"] or "[]")),
                text=r["text"]))
        extra = " AND account = ?" if account else ""
        for r in self.db.query(
                f"""SELECT author_id, opened_at, mention_compound, replied_at, answer_compound, close_reason
                    FROM loops WHERE author_id IN ({marks}){extra} ORDER BY opened_at""", [*author_ids, *params]):
            loops[int(r["author_id"])].append(AuthorLoop(
                opened_at=datetime.fromisoformat(r["opened_at"]), mention_compound=float(r["mention_compound"]),
                replied_at=parse_time(r["replied_at"]),
                answer_compound=None if r["answer_compound"] is None else float(r["answer_compound"]),
                close_reason=r["close_reason"] or ""))
        return contacts, loops
