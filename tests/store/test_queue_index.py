"""The queue's intent and text indexes (m007): same results as a plain scan, index-driven plans, kept in step."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Author, Mention, Sentiment, Suggestion, Triage
from bot.store import Store, queue_query
from bot.store.database import apply_migrations, connect
from bot.store.mentions import MentionStore
from bot.store.queue_query import QueueFilter, plan
from bot.store.suggestions import QueueItem, SuggestionStore

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
INTENTS = ("question", "complaint", "praise", "purchase", "outage")
WORDS = ("wifi", "WiFi", "HomeKit", "thermo", "crash", "100%", "under_score", "back\\slash", 'say "hi"', "ok",
         "a", "NEAR", "AND", "OR", "NOT", "*", "^", "col:umn", "(paren)", "Ünïcödé", "日本語", "<script>", "'; --")
AUTHORS = (("jess", "Jess Doe"), ("ok_bob", "Bob"), ("nyra191", "Nyra"), ("thermo_fan", "Sam O'Neil"),
           ("Ünï", "Ünïcödé Person"), ("x", "X"))


def _mention(i: int, rng: random.Random) -> Mention:
    handle, name = AUTHORS[i % len(AUTHORS)]
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
    return Mention(platform=("x", "reddit")[i % 2], platform_id=str(i), author=Author(("x", "reddit")[i % 2],
                   f"u-{handle}", handle, name, 10), text=f"@nimbushome {text}", created_at=NOW,
                   account=("nimbushome", "NimbusHome")[i % 2], thread_id=str(i), raw=json.dumps({"id": i}))


def _triage(intents: tuple[str, ...], priority: str) -> Triage:
    return Triage(Sentiment(0.0, 0.0, 1.0, 0.0, "neutral"), intents, 1.0, "en", False, priority,  # type: ignore[arg-type]
                  0.5)


def _fill(store: Store, count: int, seed: int = 7) -> None:
    """``count`` queued items through the live write path, with a few assigned, snoozed and decided."""
    rng = random.Random(seed)
    for i in range(count):
        mention = _mention(i, rng)
        mid = store.mentions.insert("replay", [mention], NOW)[0]
        priority = ("P1", "P2", "P3", "P4")[rng.randrange(4)]
        store.suggestions.record_triage(mid, _triage(tuple(rng.sample(INTENTS, rng.randint(0, 2))), priority), NOW)
        due = None if i % 7 == 0 else NOW + timedelta(minutes=rng.randint(-60, 600))
        sid = store.suggestions.add(mention, mid, Suggestion("r", "reply", "Thanks!"), priority, due, NOW)
        assert sid is not None
        item = store.suggestions.get(sid)
        assert item is not None
        if i % 5 == 1:
            store.suggestions.change(item, {"assignee": ("ann", "ben")[i % 2]}, "ann", "assigned", {}, NOW)
        elif i % 9 == 2:
            store.suggestions.change(item, {"snoozed_until": NOW + timedelta(hours=2)}, "ann", "snoozed", {}, NOW)
        elif i % 11 == 3:
            store.suggestions.decide(item, "rejected", "ann", "", "", "no", f"k{i}", "replay", NOW)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = Store(tmp_path_factory.mktemp("queue") / "q.db")
    _fill(opened, 90)
    yield opened
    opened.close()


def _fold(text: str) -> str:
    """ASCII-only case folding, as SQLite's LIKE does it."""
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def _expected(store: Store, where: QueueFilter) -> list[int]:
    """The filter applied in Python to every pending item (the specification the SQL must meet)."""
    def keep(item: QueueItem) -> bool:
        snoozed = item.snoozed_until is not None and item.snoozed_until > NOW
        fields = (item.mention.text, item.mention.author.handle, item.mention.author.name)
        return (snoozed == where.snoozed
                and (not where.platform or item.mention.platform == where.platform)
                and (not where.account or item.mention.account == where.account)
                and (not where.priority or item.priority == where.priority)
                and (not where.intent or where.intent in item.intents)
                and (where.assignee != "-" or item.assignee is None)
                and (where.assignee in ("", "-") or item.assignee == where.assignee)
                and all(any(_fold(term) in _fold(f) for f in fields) for term in where.q.replace("\x00", "").split()))
    return [i.id for i in store.suggestions.pending(limit=10_000) if keep(i)]


def _page_ids(store: Store, where: QueueFilter, limit: int = 1000) -> tuple[list[int], int]:
    items, total = store.suggestions.page(where, NOW, limit)
    return [i.id for i in items], total


FILTERS = [
    QueueFilter(), QueueFilter(intent="question"), QueueFilter(intent="outage"), QueueFilter(intent="nope"),
    QueueFilter(platform="reddit"), QueueFilter(account="nimbushome"), QueueFilter(priority="P1"),
    QueueFilter(assignee="-"), QueueFilter(assignee="ben"), QueueFilter(snoozed=True),
    QueueFilter(q="wifi"), QueueFilter(q="WIFI homekit"), QueueFilter(q="nyra191"), QueueFilter(q="Sam O'Neil"),
    QueueFilter(q="ok"), QueueFilter(q="a"), QueueFilter(q="100%"), QueueFilter(q="under_score"),
    QueueFilter(q="back\\slash"), QueueFilter(q='"hi"'), QueueFilter(q="NEAR(wifi crash)"), QueueFilter(q="*"),
    QueueFilter(q="col:umn"), QueueFilter(q="日本語"), QueueFilter(q="<script>"), QueueFilter(q="'; --"),
    QueueFilter(q="   "), QueueFilter(q="Ünï"), QueueFilter(intent="question", q="thermo", priority="P2"),
    QueueFilter(intent="complaint", platform="x", assignee="-", q="crash"),
    QueueFilter(q="crash", snoozed=True),
]


@pytest.mark.parametrize("drive_cap", [0, 1_000], ids=["walk the queue", "drive from full text"])
@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_page_matches_every_pending_item_the_filter_describes(
        store: Store, where: QueueFilter, drive_cap: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_query, "SEARCH_DRIVE_CAP", drive_cap)
    expected = _expected(store, where)
    ids, total = _page_ids(store, where)
    assert ids == expected
    assert total == len(expected)
    assert _page_ids(store, where, 3)[0] == expected[:3]
    assert [i.id for i in store.suggestions.page(where, NOW, 3, 3)[0]] == expected[3:6]


def test_the_fixture_covers_the_cases(store: Store) -> None:
    assert len(_expected(store, QueueFilter(q="wifi"))) > 5 and _expected(store, QueueFilter(snoozed=True))
    assert _expected(store, QueueFilter(assignee="ben")) and _expected(store, QueueFilter(q="100%"))
    assert store.suggestions.counts()["rejected"] > 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=40) | st.lists(st.sampled_from(WORDS + ('"', '""', "-", "+", ":", "\x00")),
                                          max_size=5).map(" ".join))
def test_any_search_text_gives_the_plain_scan_results_and_never_raises(store: Store, q: str) -> None:
    where = QueueFilter(q=q)
    ids, total = _page_ids(store, where)
    expected = _expected(store, where)
    assert ids == expected and total == len(expected)


def _plan_text(store: Store, where: QueueFilter) -> tuple[str, str]:
    page, counted = plan(store.db, where, NOW)
    explain = "EXPLAIN QUERY PLAN SELECT s.id FROM {} WHERE {} ORDER BY {} LIMIT 50"
    page_plan = store.db.execute(explain.format(page.source, page.conditions, page.order), page.params).fetchall()
    count_plan = store.db.execute(f"EXPLAIN QUERY PLAN SELECT 1 FROM {counted.source} WHERE {counted.conditions}",
                                  counted.params).fetchall()
    return " | ".join(r[3] for r in page_plan), " | ".join(r[3] for r in count_plan)


def test_intent_filter_reads_its_page_in_queue_order_from_the_intent_index(store: Store) -> None:
    page_plan, count_plan = _plan_text(store, QueueFilter(intent="question"))
    assert "queue_intents_order (intent=?)" in page_plan and "TEMP B-TREE" not in page_plan
    assert "queue_intents_order (intent=?)" in count_plan
    assert "SCAN s" not in page_plan + count_plan and "suggestions_queue" not in page_plan


def test_selective_search_sorts_just_its_full_text_candidates(store: Store) -> None:
    page_plan, count_plan = _plan_text(store, QueueFilter(q="nyra191"))
    for text in (page_plan, count_plan):  # the candidates plan() read, as a JSON list, then each item by its id
        assert text.startswith("SCAN c VIRTUAL TABLE") and "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)" in text
        assert "suggestions_queue" not in text and "SCAN s" not in text and "queue_search" not in text


def test_common_search_counts_from_the_full_text_index_alone(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, cap in (("SEARCH_DRIVE_CAP", 2), ("FILTER_DRIVE_CAP", 0), ("MATCH_PROBE_CAP", 0)):
        monkeypatch.setattr(queue_query, name, cap)
    _, count_plan = _plan_text(store, QueueFilter(q="wifi", intent="question"))
    assert "SCAN queue_search VIRTUAL TABLE" in count_plan and "SEARCH s " not in count_plan
    assert "sqlite_autoindex_queue_intents_1 (suggestion_id=? AND intent=?)" in count_plan
    # only an item listed in queue_text_folds has its text read
    assert "USING ROWID SEARCH ON TABLE queue_text_folds" in count_plan
    _, short_plan = _plan_text(store, QueueFilter(q="wifi ok"))
    assert "SEARCH qt USING INTEGER PRIMARY KEY" in short_plan and "SEARCH s " not in short_plan


def test_search_in_a_large_filter_reads_the_terms_matches_first(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, cap in (("SEARCH_DRIVE_CAP", 2), ("FILTER_DRIVE_CAP", 0), ("MATCH_PROBE_CAP", 10**9)):
        monkeypatch.setattr(queue_query, name, cap)
    # 19 candidates, 1 match: just that one is sorted
    page_plan, count_plan = _plan_text(store, QueueFilter(q="wifi", intent="outage", platform="x"))
    assert page_plan.startswith("SCAN c VIRTUAL TABLE") and count_plan.startswith("SCAN c VIRTUAL TABLE")
    assert "queue_intents_order" not in page_plan + count_plan
    # 4 matches, more than a page of 2 lists: the page walks the intent, the count is that of the matches read
    monkeypatch.setattr(queue_query, "SEARCH_COUNT_CAP", 2)
    page_plan, count_plan = _plan_text(store, QueueFilter(q="wifi", intent="complaint"))
    assert "queue_intents_order (intent=?)" in page_plan and count_plan == "SCAN f VIRTUAL TABLE INDEX 1:"


def test_column_filters_count_from_covering_queue_indexes(store: Store) -> None:
    for where, index in ((QueueFilter(platform="x"), "suggestions_queue_platform"),
                         (QueueFilter(priority="P2"), "suggestions_queue"),
                         (QueueFilter(assignee="-"), "suggestions_queue_assignee"),
                         (QueueFilter(snoozed=True, platform="x"), "suggestions_snoozed")):
        page_plan, count_plan = _plan_text(store, where)
        assert f"INDEX {index} (status=? AND" in page_plan and f"INDEX {index} (status=? AND" in count_plan
        if not where.snoozed:  # queue order straight from the index, and the count never reads the table
            assert "TEMP B-TREE" not in page_plan and f"COVERING INDEX {index} " in count_plan


def test_indexes_follow_decisions_retriage_and_renamed_authors(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.db")
    try:
        _fill(store, 12)
        item = store.suggestions.page(QueueFilter(q="jess"), NOW)[0][0]
        store.suggestions.record_triage(item.mention_id, _triage(("refund",), item.priority), NOW)
        assert [i.id for i in store.suggestions.page(QueueFilter(intent="refund"), NOW)[0]] == [item.id]
        store.mentions.insert("replay", [Mention(
            platform=item.mention.platform, platform_id="renamed", author=Author(
                item.mention.platform, item.mention.author.platform_id, "jessica_new", "Jessica", 10),
            text="hi", created_at=NOW, account="nimbushome", raw="{}")], NOW)
        assert item.id in [i.id for i in store.suggestions.page(QueueFilter(q="jessica_new"), NOW)[0]]
        assert item.id not in [i.id for i in store.suggestions.page(QueueFilter(q="Jess Doe"), NOW)[0]]
        store.suggestions.decide(item, "approved", "ann", "Thanks!", "", "", "k-approve", "replay", NOW)
        assert store.suggestions.page(QueueFilter(intent="refund"), NOW) == ([], 0)
        assert item.id not in [i.id for i in store.suggestions.page(QueueFilter(q="jessica_new"), NOW)[0]]
        pending = store.db.execute("SELECT count(*) FROM suggestions WHERE status = 'pending'").fetchone()[0]
        assert store.db.execute("SELECT count(*) FROM queue_text").fetchone()[0] == pending
        assert store.db.execute("SELECT count(DISTINCT suggestion_id) FROM queue_intents").fetchone()[0] <= pending
        store.db.execute("INSERT INTO queue_search (queue_search) VALUES ('integrity-check')")
    finally:
        store.close()


def test_database_from_version_6_gets_its_pending_rows_indexed(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    db = connect(path, migrate=False)
    assert apply_migrations(db, str(path), upto=6) == 6
    assert "queue_intents" not in db.table_names()
    mentions, suggestions = MentionStore(db), SuggestionStore(db)
    rng = random.Random(3)
    for i, intents in enumerate((("question",), ("complaint", "question"), ("praise",))):
        mention = _mention(i, rng)
        mid = mentions.insert("replay", [mention], NOW)[0]
        suggestions.record_triage(mid, _triage(intents, "P2"), NOW)
        suggestions.add(mention, mid, Suggestion("r", "reply", "Thanks!"), "P2", NOW, NOW)
    db.close()
    store = Store(path)
    try:
        assert store.version >= 7
        questions = store.suggestions.page(QueueFilter(intent="question"), NOW)
        assert [i.mention.platform_id for i in questions[0]] == ["0", "1"] and questions[1] == 2
        assert [i.mention.platform_id for i in store.suggestions.page(QueueFilter(q="nyra191"), NOW)[0]] == ["2"]
        assert store.suggestions.page(QueueFilter(q="jess doe"), NOW)[1] == 1
    finally:
        store.close()
