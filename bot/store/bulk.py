"""Loading many rows at once: one transaction, one ``executemany`` per table (synthetic data sets).

Used by ``bench/generate.py`` to build large databases fast. The caller supplies rows as tuples in
the column order of :data:`COLUMNS` and assigns ids itself, so no row needs a lookup. Tables are
filled in foreign-key order, and rows are streamed (any iterable), so a million loops never sit in
memory at once. Nothing here is used on the live path: normal writes go through the repositories.
The tables' triggers fire as on the live path (a mention enters the triage work list and the recent
texts the same-text count reads), so a loaded row is stored exactly as an ingested one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import sqlite_utils

from bot.store.database import transaction

COLUMNS: dict[str, tuple[str, ...]] = {
    "authors": ("id", "platform", "platform_id", "handle", "name", "followers", "verified", "first_seen",
                "last_seen"),
    "mentions": ("id", "connector", "platform", "platform_id", "kind", "author_id", "account", "text", "created_at",
                 "fetched_at", "thread_id", "addresses_us", "lang", "url", "raw", "text_hash"),
    "triage": ("mention_id", "compound", "label", "intents", "relevance", "language", "spam", "priority", "score",
               "reasons", "triaged_at"),
    "suggestions": ("id", "mention_id", "kind", "action", "rule_id", "text", "status", "platform", "account",
                    "priority", "sla_due", "created_at", "updated_at"),
    "loops": ("id", "mention_id", "platform", "account", "author_id", "priority", "opened_at", "sla_due",
              "mention_compound", "state", "replied_at", "reply_text", "answered_at", "answer_compound", "closed_at",
              "close_reason"),
}
"""The tables a bulk load can fill, in the order they are filled, with the column order of their rows."""


def _sql(table: str) -> str:
    columns = COLUMNS[table]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def load(db: sqlite_utils.Database, rows: Mapping[str, Iterable[Sequence[object]]]) -> dict[str, int]:
    """Insert ``rows`` (table name -> row tuples) in one transaction; return rows inserted per table.

    Unknown table names raise ``ValueError`` before anything is written; any failing row rolls the
    whole load back.
    """
    unknown = sorted(set(rows) - set(COLUMNS))
    if unknown:
        raise ValueError(f"bulk load: unknown table(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}")
    counts: dict[str, int] = {}
    with transaction(db):
        for table in COLUMNS:
            if table in rows:
                before = db.conn.total_changes
                db.conn.executemany(_sql(table), rows[table])
                counts[table] = db.conn.total_changes - before
    return counts


@contextmanager
def session(db: sqlite_utils.Database, cache_mib: int = 512) -> Iterator[sqlite_utils.Database]:
    """One transaction around many :func:`load` calls, built for speed.

    While it lasts the page cache is large, nothing is fsynced, and the secondary indexes of the
    loaded tables are set aside and rebuilt at the end from their own stored ``CREATE INDEX``
    text (one sort each instead of a million random inserts), so the schema ends up exactly as the
    migrations made it. A crash during a session loses the session's rows, never older ones: meant
    for building synthetic data sets, not for the live path.
    """
    cache, sync = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "synchronous"))
    db.execute(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
    db.execute("PRAGMA synchronous=OFF")
    marks = ", ".join("?" * len(COLUMNS))
    try:
        with transaction(db):
            indexes = db.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                 f"AND tbl_name IN ({marks}) ORDER BY name", list(COLUMNS)).fetchall()
            for name, _ in indexes:
                db.execute(f'DROP INDEX "{name}"')
            yield db
            for _, sql in indexes:
                db.execute(sql)
    finally:
        db.execute(f"PRAGMA cache_size={int(cache)}")
        db.execute(f"PRAGMA synchronous={int(sync)}")


def next_id(db: sqlite_utils.Database, table: str) -> int:
    """One more than the highest ``id`` of ``table`` (1 when empty): where the caller's ids start."""
    if table not in COLUMNS or "id" not in COLUMNS[table]:
        raise ValueError(f"bulk load: {table!r} has no id column to continue")
    row = db.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()
    return int(row[0])


def row_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many rows each bulk-loadable table holds."""
    return {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COLUMNS}


def table_digest(db: sqlite_utils.Database, table: str) -> list[tuple[object, ...]]:
    """Every row of ``table`` in the bulk column order, sorted by its first column (for comparisons)."""
    if table not in COLUMNS:
        raise ValueError(f"bulk load: unknown table {table!r}")
    columns = COLUMNS[table]
    return [tuple(r) for r in db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {columns[0]}")]
