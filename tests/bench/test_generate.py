"""The synthetic database generator: deterministic from its seed, on the real schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.generate import ACCOUNTS, WEEK, build, main, replay_records, write_replay
from bot.socialid import week_bounds
from bot.store import Store
from bot.store.bulk import COLUMNS, load, table_digest
from bot.store.schema import latest


def _schema(db_path: Path) -> list[tuple[str, str, str]]:
    store = Store(db_path)
    try:
        return [tuple(r) for r in store.db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")]
    finally:
        store.close()


def test_same_seed_same_rows_and_another_seed_differs(tmp_path: Path) -> None:
    sizes = {"mentions": 300, "pending": 200, "loops": 400, "week_loops": 50}
    a = build(tmp_path / "a.db", seed=7, **sizes)
    b = build(tmp_path / "b.db", seed=7, **sizes)
    c = build(tmp_path / "c.db", seed=8, **sizes)
    assert a == b == c
    assert a["mentions"] == a["triage"] == 950 and a["suggestions"] == 650 and a["loops"] == 450
    stores = [Store(tmp_path / f"{n}.db") for n in "abc"]
    try:
        for table in COLUMNS:
            assert table_digest(stores[0].db, table) == table_digest(stores[1].db, table), table
        assert table_digest(stores[0].db, "mentions") != table_digest(stores[2].db, "mentions")
    finally:
        for s in stores:
            s.close()


def test_schema_is_the_one_the_migrations_make(tmp_path: Path) -> None:
    build(tmp_path / "gen.db", seed=1, mentions=50, pending=50, loops=50)
    Store(tmp_path / "plain.db").close()
    assert _schema(tmp_path / "gen.db") == _schema(tmp_path / "plain.db")  # indexes rebuilt after the load
    store = Store(tmp_path / "gen.db")
    try:
        assert store.version == latest()
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


def test_rows_read_back_through_the_store(tmp_path: Path) -> None:
    build(tmp_path / "g.db", seed=3, pending=120, loops=300, week_loops=40)
    store = Store(tmp_path / "g.db")
    try:
        page = store.suggestions.pending(limit=50)
        assert len(page) == 50 and all(item.status == "pending" for item in page)
        assert [item.priority for item in page] == sorted(item.priority for item in page)
        start, end = week_bounds(WEEK, "UTC")
        week = [r for account in ACCOUNTS.values() for r in store.relationships.week_records(start, end, account)]
        assert len(week) == 40  # only the week's own loops, whatever the history
        assert all(start <= f.opened_at < end and f.replied_at is not None for f in week)
        history = start.replace(year=start.year - 2)
        assert sum(len(store.relationships.week_records(history, start, a)) for a in ACCOUNTS.values()) == 300
    finally:
        store.close()


def test_extending_a_database_continues_its_ids(tmp_path: Path) -> None:
    build(tmp_path / "g.db", seed=1, pending=10)
    counts = build(tmp_path / "g.db", seed=2, pending=10, week_loops=0)
    assert counts["suggestions"] == 220 and counts["authors"] == 10_000  # 200 week loops the first time


def test_a_failing_load_writes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    try:
        with pytest.raises(ValueError, match="unknown table"):
            load(store.db, {"nope": []})
        row = (1, "x", "u1", "h", "H", 1, 0, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00")
        with pytest.raises(Exception, match="UNIQUE"):
            load(store.db, {"authors": [row, row]})
        assert store.db.execute("SELECT count(*) FROM authors").fetchone()[0] == 0
    finally:
        store.close()


def test_replay_data_set_is_deterministic_and_readable(tmp_path: Path) -> None:
    write_replay(tmp_path / "r1", seed=5, count=2500, per_minute=1000)
    write_replay(tmp_path / "r2", seed=5, count=2500, per_minute=1000)
    text = (tmp_path / "r1" / "mentions.jsonl").read_text(encoding="utf-8")
    assert text == (tmp_path / "r2" / "mentions.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["minutes"] for r in records[999:1001]] == [0, 1] and records[-1]["minutes"] == 2
    assert {r["platform"] for r in records} == {"x", "reddit"}
    assert records == list(replay_records(5, 2500, 1000))


def test_cli_writes_database_and_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seed", "1", "--pending", "5", "--out", str(tmp_path / "c.db"),
                 "--replay", str(tmp_path / "r"), "--replay-mentions", "7"]) == 0
    out = capsys.readouterr().out
    assert ", 205 suggestions, 200 loops" in out  # 200 week loops by default
    assert len((tmp_path / "r" / "mentions.jsonl").read_text(encoding="utf-8").splitlines()) == 7
    with pytest.raises(SystemExit) as exit_info:
        main(["--seed", "1"])
    assert exit_info.value.code == 2
