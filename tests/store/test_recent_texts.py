"""The same-text count over a recent window: recent_texts on real SQLite, its pruning and its migration (m011)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import Author, Mention
from bot.store import Store
from bot.store.database import apply_migrations, connect
from bot.store.mentions import SAME_TEXT_SQL, MentionStore, same_text_authors

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
THANKS = "Thank you @nimbushome!"


def _mention(pid: str, handle: str, text: str = THANKS, at: datetime = NOW) -> Mention:
    return Mention(platform="x", platform_id=pid, author=Author("x", f"u-{handle}", handle, handle.title(), 10),
                   text=text, created_at=at, account="nimbushome", thread_id=pid, raw=json.dumps({"id": pid}))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "r.db")
    yield opened
    opened.close()


def test_only_copies_within_the_window_before_the_mention_count(store: Store) -> None:
    store.mentions.insert("replay", [
        _mention("old", "ann", at=NOW - WEEK - timedelta(seconds=1)),  # just outside
        _mention("edge", "bob", at=NOW - WEEK),  # on the boundary: counts
        _mention("recent", "cat", at=NOW - timedelta(days=1)),
        _mention("again", "cat", at=NOW - timedelta(hours=1)),  # the same author twice counts once
        _mention("other", "dan", text="my Nimbus Thermo is broken", at=NOW - timedelta(hours=2)),
        _mention("later", "eve", at=NOW + timedelta(seconds=1)),  # after the mention: not yet seen
        _mention("me", "fay", at=NOW),
    ], NOW)
    assert store.mentions.authors_with_same_text(THANKS, NOW, WEEK) == 3  # bob, cat, fay
    # Case and spacing are folded, as before.
    assert store.mentions.authors_with_same_text("  thank YOU   @NimbusHome! ", NOW, WEEK) == 3
    assert store.mentions.authors_with_same_text(THANKS, NOW, WEEK + timedelta(seconds=1)) == 4  # ann too
    assert store.mentions.authors_with_same_text(THANKS, NOW + timedelta(seconds=1), WEEK) == 3  # eve in, bob out
    assert store.mentions.authors_with_same_text("never posted", NOW, WEEK) == 0


def test_the_batched_read_gives_each_mention_the_one_by_one_count(store: Store) -> None:
    mentions = [_mention(str(i), f"a{i % 5}", at=NOW - timedelta(days=i)) for i in range(12)]
    ids = store.mentions.insert("replay", mentions, NOW)
    batch = [(i, store.mentions.get(i)) for i in ids]
    counts = same_text_authors(store.db, [(i, m.text, m.created_at) for i, m in batch], WEEK)
    assert counts == {i: store.mentions.authors_with_same_text(m.text, m.created_at, WEEK) for i, m in batch}
    # Mention 0 (now) sees the authors of days 0-7: a0-a4 (a0 twice); mention 11 only those of days 11-18.
    assert counts[ids[0]] == 5 and counts[ids[11]] == 1


def test_a_generic_text_over_a_long_history_is_not_a_wave(store: Store) -> None:
    # One customer a fortnight has said "thank you" for a year: never three in a week.
    history = [_mention(f"h{i}", f"fan{i}", at=NOW - timedelta(days=14 * i)) for i in range(26)]
    store.mentions.insert("replay", history, NOW)
    assert store.mentions.authors_with_same_text(THANKS, NOW, WEEK) == 1
    wave = [_mention(f"w{i}", f"bot{i}", at=NOW - timedelta(minutes=i)) for i in range(4)]
    store.mentions.insert("replay", wave, NOW)
    assert store.mentions.authors_with_same_text(THANKS, NOW, WEEK) == 5


def test_pruning_keeps_what_the_window_needs(store: Store) -> None:
    store.mentions.insert("replay", [_mention(str(d), f"a{d}", at=NOW - timedelta(days=d)) for d in range(30)], NOW)
    before = store.mentions.authors_with_same_text(THANKS, NOW, WEEK)
    assert store.daemon.prune_recent_texts(NOW - WEEK) == 22  # days 8..29
    assert store.mentions.authors_with_same_text(THANKS, NOW, WEEK) == before == 8
    assert store.db.execute("SELECT count(*) FROM recent_texts").fetchone()[0] == 8
    assert store.mentions.count() == 30  # the mentions themselves are kept
    assert store.daemon.prune_recent_texts(NOW - WEEK) == 0


def test_every_way_of_inserting_a_mention_fills_the_window(store: Store) -> None:
    saved = store.mentions.insert("replay", [_mention("1", "ann")], NOW)
    assert store.mentions.insert("replay", [_mention("1", "ann")], NOW) == []  # a duplicate adds no copy
    rows = store.db.execute("SELECT mention_id, author_id, created_at FROM recent_texts").fetchall()
    author = store.db.execute("SELECT author_id FROM mentions WHERE id = ?", saved).fetchone()[0]
    assert rows == [(saved[0], author, NOW.isoformat())]


def test_upgrade_keeps_mentions_backfills_recent_copies_and_drops_the_old_index(tmp_path: Path) -> None:
    path = tmp_path / "v10.db"
    db = connect(path, migrate=False)
    apply_migrations(db, str(path), upto=10)
    newest = NOW
    MentionStore(db).insert("replay", [
        _mention("ancient", "ann", at=newest - timedelta(days=400)),
        _mention("old", "bob", at=newest - timedelta(days=91)),
        _mention("month", "cat", at=newest - timedelta(days=30)),
        _mention("day", "dan", at=newest - timedelta(days=1)),
        _mention("new", "eve", at=newest),
    ], NOW)
    db.close()
    store = Store(path)
    try:
        assert store.mentions.count() == 5
        backfilled = [r[0] for r in store.db.execute(
            "SELECT m.platform_id FROM recent_texts r JOIN mentions m ON m.id = r.mention_id ORDER BY r.created_at")]
        assert backfilled == ["month", "day", "new"]  # the 90 days before the newest mention
        assert store.mentions.authors_with_same_text(THANKS, NOW, WEEK) == 2
        indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "mentions_text_hash" not in indexes
        store.mentions.insert("replay", [_mention("after", "fay", at=NOW)], NOW)  # the trigger fills it from now on
        assert store.mentions.authors_with_same_text(THANKS, NOW, WEEK) == 3
    finally:
        store.close()


def test_the_window_read_uses_the_primary_key(store: Store) -> None:
    # One range of the primary key per item, never a scan: the table is small, but it is read per batch.
    plan = " ".join(str(r[-1]) for r in store.db.execute(f"EXPLAIN QUERY PLAN {SAME_TEXT_SQL}", ["[]"]))
    assert "USING PRIMARY KEY (text_hash=? AND created_at>? AND created_at<?)" in plan, plan
