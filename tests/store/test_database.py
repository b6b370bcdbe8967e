"""The store on real SQLite: pragmas, migrations that keep rows, dedupe and atomic cursors."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Author, Batch, Cursor, Mention
from bot.store import Store, StoreError
from bot.store.database import apply_migrations, connect
from bot.store.mentions import MentionStore
from bot.store.schema import latest

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _mention(pid: str, text: str = "hello @nimbushome") -> Mention:
    return Mention(platform="x", platform_id=pid, author=Author("x", "u1", "jess", "Jess", 10), text=text,
                   created_at=NOW, account="nimbushome", thread_id=pid, raw=json.dumps({"id": pid}))


def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    try:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.version == latest()
        with pytest.raises(sqlite3.IntegrityError), store.atomic():
            store.db.execute("INSERT INTO triage (mention_id, compound, label, intents, relevance, language, spam,"
                             " priority, score, reasons, triaged_at) VALUES (999, 0, 'x', '[]', 0, 'en', 0, 'P4', 0,"
                             " '[]', 'now')")
    finally:
        store.close()


def test_database_from_first_schema_version_upgrades_and_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = connect(path, migrate=False)
    assert apply_migrations(db, str(path), upto=1) == 1
    db.close()
    v1 = connect(path, migrate=False)  # rows written while the database is still at version 1
    MentionStore(v1).save_batch("replay", Batch((_mention("1"), _mention("2")), Cursor("c1"), 1), NOW)
    v1.close()
    store = Store(path)
    try:
        assert store.version == latest()
        assert store.mentions.count() == 2
        assert store.mentions.cursor_state("replay").cursor == Cursor("c1")
        assert "do_not_contact" in store.db.table_names()
    finally:
        store.close()


def test_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(StoreError, match="schema version 99 is newer than this RonR"):
        Store(path)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE recipes (name TEXT)")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="not a RonR database"):
        Store(path)


def test_same_mention_is_stored_once_and_raw_payload_kept(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    try:
        first = store.mentions.save_batch("replay", Batch((_mention("1"),), Cursor("a")), NOW)
        second = store.mentions.save_batch("replay", Batch((_mention("1"), _mention("2")), Cursor("b")), NOW)
        assert len(first) == 1 and len(second) == 1
        assert store.mentions.count() == 2
        assert store.mentions.raw(first[0]) == {"id": "1"}
    finally:
        store.close()


def test_cursor_does_not_advance_when_mentions_cannot_be_stored(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    try:
        store.mentions.save_batch("replay", Batch((_mention("1"),), Cursor("a")), NOW)
        naive = Mention(platform="x", platform_id="9", author=Author("x", "u", "h"), text="t",
                        created_at=datetime(2026, 1, 1), account="a")  # naive time: refused
        with pytest.raises(ValueError, match="naive datetime"):
            store.mentions.save_batch("replay", Batch((_mention("2"), naive), Cursor("b")), NOW)
        assert store.mentions.cursor_state("replay").cursor == Cursor("a")
        assert store.mentions.count() == 1
    finally:
        store.close()


def test_a_migration_that_lands_late_with_a_lower_number_is_still_applied(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    store = Store(path)
    store.db.execute("DELETE FROM schema_migrations WHERE version = 2")
    store.db.execute("DROP TABLE do_not_contact")
    store.db.execute("DROP INDEX suggestions_assignee")
    store.db.conn.commit()
    store.close()
    reopened = Store(path)  # version 2 was missing (as if merged after 3..N had been applied): applied now
    try:
        assert "do_not_contact" in reopened.db.table_names()
        assert reopened.version == latest()
    finally:
        reopened.close()


def test_migration_scripts_split_like_sqlite_so_triggers_work() -> None:
    from bot.store.database import _statements

    script = """CREATE TABLE a (x TEXT);
CREATE TRIGGER a_ins AFTER INSERT ON a BEGIN
    INSERT INTO a (x) SELECT 'y; z' WHERE 0;
END;
-- a comment
CREATE INDEX a_x ON a (x);"""
    parts = _statements(script)
    assert len(parts) == 3 and parts[1].startswith("CREATE TRIGGER") and parts[1].endswith("END;")


def test_mentions_waiting_for_triage_survive_the_upgrade_to_the_work_list(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    db = connect(path, migrate=False)
    apply_migrations(db, str(path), upto=7)
    MentionStore(db).save_batch("replay", Batch((_mention("1"), _mention("2")), Cursor("c")), NOW)
    db.close()
    store = Store(path)
    try:
        assert [m.platform_id for _, m in store.mentions.untriaged()] == ["1", "2"]
    finally:
        store.close()
