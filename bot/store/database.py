"""Opening the SQLite database: WAL, foreign keys, busy timeout, migrations, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from bot.store.schema import latest, migrations


class StoreError(Exception):
    """The database cannot be used as it is (newer schema, not a RonR database, unreadable)."""


def iso(moment: datetime) -> str:
    """The one text form of a time in the database: UTC, seconds, sortable."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: RonR stores timezone-aware times only")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(text: str | None) -> datetime | None:
    """Inverse of :func:`iso` (None stays None)."""
    return datetime.fromisoformat(text) if text else None


def connect(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date."""
    target = Path(path)
    if str(path) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(target), timeout=30.0, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{target}: not a usable SQLite database ({exc})") from None
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-16384")  # 16 MiB per connection (default 2): indexes of a big history stay warm
    db = sqlite_utils.Database(conn, execute_plugins=False)
    if migrate:
        apply_migrations(db, str(target))
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    """The highest migration version applied to ``db`` (0 for a new database)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def applied_versions(db: sqlite_utils.Database) -> set[int]:
    """Every migration version applied to ``db``, from its ``schema_migrations`` table."""
    if "schema_migrations" not in db.table_names():
        return set()
    return {int(row[0]) for row in db.execute("SELECT version FROM schema_migrations")}


def apply_migrations(db: sqlite_utils.Database, name: str, upto: int | None = None) -> int:
    """Apply every migration not applied yet (up to version ``upto``), in order, each in its own transaction.

    Applied versions are recorded one by one, so a migration that lands with a lower number than
    one already applied (work merged from two branches) is still applied.
    """
    current = schema_version(db)
    if current > latest():
        raise StoreError(f"{name}: schema version {current} is newer than this RonR ({latest()}); upgrade RonR")
    if current == 0 and db.table_names() and "mentions" not in db.table_names():
        raise StoreError(f"{name}: this SQLite file is not a RonR database; point database.path elsewhere")
    with transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
    done = applied_versions(db)
    if current and not done:  # made before versions were recorded one by one: all up to user_version ran
        done = {number for number, _ in migrations() if number <= current}
        with transaction(db):
            db.conn.executemany("INSERT INTO schema_migrations (version) VALUES (?)", [(v,) for v in sorted(done)])
    for number, script in migrations():
        if number in done or (upto is not None and number > upto):
            continue
        with transaction(db):
            for statement in _statements(script):
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, datetime('now'))", [number])
            db.execute(f"PRAGMA user_version={max(number, schema_version(db))}")
    return schema_version(db)


def _statements(script: str) -> list[str]:
    """Split a migration into statements the way SQLite does (a trigger's body keeps its semicolons)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return [s for s in statements if s.rstrip(";").strip()]


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction taken with BEGIN IMMEDIATE (no lock upgrade surprises); nests as savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
