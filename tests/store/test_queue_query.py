"""The planned queue queries against a straightforward reference query, over a generated store.

The reference reads every pending suggestion with its mention, author and triage, filters with plain
LIKE and json_each, and sorts: no index table, no plan. Every combination of filters and searches
must give the same ids in the same order, the same pages and the same capped count, whichever way
:func:`bot.store.queue_query.plan` reads them (a list of full-text candidates, a walk of the queue,
a count streamed from the index).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.generate import Generator, build
from bot.models import Author, Mention, Sentiment, Suggestion, Triage
from bot.store import Store, queue_query
from bot.store.database import apply_migrations, connect
from bot.store.mentions import MentionStore
from bot.store.queue_query import QueueFilter, count_cap, search_terms
from bot.store.suggestions import SuggestionStore

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KELVIN, LONG_S = "\u212a", "\u017f"
RARE = Generator(1).authors[7][2]
"""A generated handle: a few items in the generated queue."""
PLANTED = (  # (text, author name): text the trigram index folds otherwise than LIKE, and their plain twins
    (f"my {KELVIN}elvin hub is off", "Ann"), ("my kelvin hub is off", "Ann"), (f"the {LONG_S}mart plug", "Bo"),
    ("the smart plug", "Bo"), ("wifi", f"{KELVIN}im wifi"), ("wifi ok 100% under_score", "Kim"),
)
SEARCHES = ("", "wifi", "WiFi", "homekit", "kelvin", "smart", "kim", "ok", "wifi ok", "nimbus", "nimbus homekit",
            RARE, "100%", "under_score", "no-such-word", f"{KELVIN}elvin", "hub", "zq")


def _plant(store: Store) -> None:
    """Items through the live write path: fold characters, assigned, snoozed and decided items."""
    for k, (text, name) in enumerate(PLANTED):
        author = Author("x", f"planted-{k}", f"planted{k}", name, 10)
        mention = Mention("x", f"planted-{k}", author, f"@nimbushome {text}", NOW, "nimbushome", raw="{}")
        mid = store.mentions.insert("test", [mention], NOW)[0]
        store.suggestions.record_triage(mid, Triage(Sentiment(0.0, 0.0, 1.0, 0.0, "neutral"), ("question",),
                                                    1.0, "en", False, "P2", 0.5), NOW)
        store.suggestions.add(mention, mid, Suggestion("t", "reply", "Hi!"), "P2", NOW + timedelta(hours=k), NOW)
    pending = store.suggestions.pending(limit=100_000)
    for k, item in enumerate(pending[::37]):
        if k % 3 == 0:
            store.suggestions.change(item, {"assignee": "ann"}, "ann", "assigned", {}, NOW)
        elif k % 3 == 1:
            store.suggestions.change(item, {"snoozed_until": NOW + timedelta(hours=3)}, "ann", "snoozed", {}, NOW)
        else:
            store.suggestions.decide(item, "rejected", "ann", "", "", "no", f"k{k}", "replay", NOW)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("queue-query") / "q.db"
    build(path, seed=1, pending=3_000)
    opened = Store(path)
    _plant(opened)
    yield opened
    opened.close()


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _reference(store: Store, where: QueueFilter) -> list[int]:
    """Every pending item the filter describes, in queue order, read the plain way."""
    conditions = ["s.status = 'pending'",
                  "s.snoozed_until > ?" if where.snoozed else "(s.snoozed_until IS NULL OR s.snoozed_until <= ?)"]
    params: list[Any] = [NOW.isoformat()]
    for column, value in (("s.platform", where.platform), ("s.priority", where.priority),
                          ("s.account", where.account)):
        if value:
            conditions.append(f"{column} = ?")
            params.append(value)
    if where.assignee:
        conditions.append("s.assignee IS NULL" if where.assignee == "-" else "s.assignee = ?")
        params += [] if where.assignee == "-" else [where.assignee]
    if where.intent:
        conditions.append("EXISTS (SELECT 1 FROM json_each(t.intents) j WHERE j.value = ?)")
        params.append(where.intent)
    for term in search_terms(where.q):
        conditions.append("(m.text LIKE ? ESCAPE '\\' OR a.handle LIKE ? ESCAPE '\\' OR a.name LIKE ? ESCAPE '\\')")
        params += [_like(term)] * 3
    sql = ("SELECT s.id FROM suggestions s JOIN mentions m ON m.id = s.mention_id JOIN authors a ON a.id = m.author_id "
           f"LEFT JOIN triage t ON t.mention_id = m.id WHERE {' AND '.join(conditions)} "
           "ORDER BY s.priority, s.sla_due, s.id")
    return [row[0] for row in store.db.execute(sql, params)]


COMBINATIONS = [QueueFilter(platform=p, intent=i, assignee=a, snoozed=z, q=q)
                for p, i, a, z, q in itertools.product(("", "x"), ("", "question", "complaint"), ("", "-", "ann"),
                                                       (False, True), SEARCHES)]


CAPS = ("SEARCH_DRIVE_CAP", "FILTER_DRIVE_CAP", "MATCH_PROBE_CAP", "SEARCH_COUNT_CAP")


@pytest.mark.parametrize("caps", [(0, 0, 0, 1_000), (30, 0, 0, 1_000), (30, 0, 10**9, 1_000), (30, 0, 10**9, 30),
                                  (1_000, 2_000, 20_000, 1_000)],
                         ids=["walk, count streamed", "small list", "matches read first", "count known", "default"])
def test_every_combination_gives_the_reference_rows_pages_and_count(
        store: Store, caps: tuple[int, int, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, cap in zip(CAPS, caps, strict=True):
        monkeypatch.setattr(queue_query, name, cap)
    for where in COMBINATIONS:
        expected = _reference(store, where)
        items, total = store.suggestions.page(where, NOW, 50)
        assert [i.id for i in items] == expected[:50], where
        assert total == min(len(expected), count_cap(where) + 1), where
        assert [i.id for i in store.suggestions.page(where, NOW, 20, 40)[0]] == expected[40:60], where


def test_the_generated_store_covers_the_cases(store: Store) -> None:
    def size(**kw: Any) -> int:
        return len(_reference(store, QueueFilter(**kw)))
    assert size(q="nimbus") > queue_query.SEARCH_COUNT_CAP  # a count that stops at the cap
    assert 30 < size(q="wifi") < 1_000 and size(q="homekit", intent="question") > 30  # lists and walks
    assert 0 < size(q=RARE) < 30 and size(snoozed=True) and size(assignee="ann")
    assert size(q="kelvin") == 1 and size(q="smart") >= 1 and size(q=f"{KELVIN}elvin") == 1
    assert store.db.execute("SELECT count(*) FROM queue_text_folds").fetchone()[0] == 3


def test_a_common_search_whose_candidates_all_match_is_counted_from_them(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, cap in zip(CAPS, (30, 0, 10**9, 30), strict=True):
        monkeypatch.setattr(queue_query, name, cap)
    _, counted = queue_query.plan(store.db, QueueFilter(q="nimbus"), NOW)
    assert counted.source == "json_each(?) f" and len(json.loads(counted.params[0])) == 31
    assert store.suggestions.page(QueueFilter(q="nimbus"), NOW)[1] == 31


def _trigram_folds_onto_ascii(first: int, last: int) -> dict[str, str]:
    """Characters in [first, last) that SQLite's trigram tokenizer matches with an ASCII character."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram')")
    db.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)",
                   ((c, f"qq{chr(c)}qq") for c in range(first, last) if not 0xD800 <= c < 0xE000))
    found = {}
    for a in range(0x20, 0x7F):
        phrase = '"q' + chr(a).replace('"', '""') + 'q"'
        found.update({chr(c): chr(a) for (c,) in db.execute("SELECT rowid FROM t WHERE t MATCH ?", [phrase])})
    db.close()
    return found


def test_only_the_characters_m009_lists_fold_onto_ascii_in_the_trigram_index() -> None:
    # Cased letters live in the first two planes; the higher planes hold none.
    assert _trigram_folds_onto_ascii(0x80, 0x20000) == {KELVIN: "k", LONG_S: "s"}


def test_fold_list_follows_the_pending_items(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.db")
    try:
        _plant(store)
        listed = {row[0] for row in store.db.execute("SELECT suggestion_id FROM queue_text_folds")}
        assert len(listed) == 3
        item = store.suggestions.get(min(listed))
        assert item is not None
        store.suggestions.decide(item, "rejected", "ann", "", "", "no", "k-fold", "replay", NOW)
        assert item.id not in {row[0] for row in store.db.execute("SELECT suggestion_id FROM queue_text_folds")}
        renamed = Author("x", "planted-1", "planted1", f"{KELVIN}ay", 10)  # an author renamed to a fold character
        store.mentions.insert("test", [Mention("x", "renamed", renamed, "hi", NOW, "nimbushome", raw="{}")], NOW)
        kay = store.suggestions.page(QueueFilter(q="planted1"), NOW)[0][0].id
        assert kay in {row[0] for row in store.db.execute("SELECT suggestion_id FROM queue_text_folds")}
        assert store.suggestions.page(QueueFilter(q="kay"), NOW) == ([], 0)
        assert [i.id for i in store.suggestions.page(QueueFilter(q=f"{KELVIN}ay"), NOW)[0]] == [kay]
    finally:
        store.close()


def test_database_from_version_8_gets_its_fold_items_listed(tmp_path: Path) -> None:
    path = tmp_path / "v8.db"
    with closing(connect(path, migrate=False)) as db:
        assert apply_migrations(db, str(path), upto=8) == 8
        for k, text in enumerate((f"{KELVIN}elvin", "kelvin")):
            mention = Mention("x", f"v8-{k}", Author("x", f"a{k}", f"a{k}", "A", 1), text, NOW, "nimbushome", raw="{}")
            SuggestionStore(db).add(mention, MentionStore(db).insert("test", [mention], NOW)[0],
                                    Suggestion("t", "reply", "Hi!"), "P2", NOW, NOW)
    with closing(Store(path)) as store:
        assert store.db.execute("SELECT count(*) FROM queue_text_folds").fetchone()[0] == 1
        assert [i.mention.text for i in store.suggestions.page(QueueFilter(q="kelvin"), NOW)[0]] == ["kelvin"]
