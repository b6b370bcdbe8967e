"""The batched pipeline stores exactly what the one-mention-at-a-time pipeline stores.

Each test runs the same inputs twice, into two fresh databases: once through ``process_new``
(set-based reads, the pure stage with in-memory deltas, batched writes) and once through
``process_one_by_one`` (each mention read, decided and written on its own), then compares every
row the pipeline writes or that its writes drive: triage, suggestions (text, status, blocked_by,
ids), loops, audit, the outbox and the queue index.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.generate import replay_records
from bot import demo, pipeline
from bot.config import load_settings
from bot.dispatch import dispatch
from bot.pipeline import PollReport, poll_connector, process_new, process_one_by_one
from bot.queue import approve
from bot.runtime import Runtime, build_runtime
from tests.conftest import CONFIG, NOW, REPO, write_jsonl

TABLES = ("triage", "suggestions", "loops", "audit", "outbox", "approvals", "queue_intents", "queue_text",
          "untriaged")
Process = Callable[[Runtime, Any, PollReport], None]
PROMO = "Nimbus Home deals today only at nimbus-deals.example, grab yours"


def _rows(rt: Runtime) -> dict[str, list[tuple[object, ...]]]:
    conn: sqlite3.Connection = rt.store.db.conn
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}


def _summary(report: PollReport) -> tuple[object, ...]:
    return (report.triaged, report.queued, report.ignored, dict(report.intents), dict(report.priorities),
            dict(report.failed))


def _generated() -> list[dict[str, Any]]:
    """Few authors (so each comes back many times), shared threads, one text posted by many people."""
    records = list(replay_records(seed=5, count=900, per_minute=900, authors=25))
    for i, r in enumerate(records):
        r["minutes"] = -200 + i * 0.2 if i < 600 else 1 + (i - 600) * 0.15  # the last 300 arrive after approvals
        if i % 3 == 0:
            r["thread_id"] = f"thread-{i % 11}"
        if i % 40 == 7:
            r["text"] = PROMO
    return records


GUARDRAILS = """
[guardrails]
daily_caps = {{ x = 3, reddit = 2 }}
identical_text_days = 30
do_not_contact = {{ x = ["{listed}"], reddit = [] }}
"""


def _runtime(folder: Path, records: list[dict[str, Any]]) -> Runtime:
    write_jsonl(folder / "replay" / "mentions.jsonl", records)
    write_jsonl(folder / "replay" / "answers.jsonl", [])
    shutil.copytree(REPO / "policies", folder / "policies")
    x_handles = sorted({r["author"]["handle"] for r in records if r["platform"] == "x"})
    (folder / "bot.toml").write_text(CONFIG + GUARDRAILS.format(listed=x_handles[0]), encoding="utf-8")
    rt = build_runtime(load_settings(folder / "bot.toml"))
    reddit = sorted({r["author"]["handle"] for r in records if r["platform"] == "reddit"})
    rt.store.contacts.block("reddit", reddit[0].lower(), "", "test", NOW)  # stored, no reason given
    rt.store.contacts.block("x", x_handles[1].lower(), "asked us to stop", "test", NOW)
    return rt


def _generated_run(folder: Path, process: Process) -> tuple[dict[str, list[tuple[object, ...]]], list[object]]:
    rt = _runtime(folder, _generated())
    try:
        first = PollReport()
        poll_connector(rt, "replay", NOW, first)
        process(rt, NOW, first)
        pending = [i.id for i in rt.store.suggestions.pending(limit=60)]
        approved_at = NOW + timedelta(minutes=55)  # after the late mentions were written, before they arrive
        for item_id in pending[::2]:
            approve(rt.store, item_id, "maya", approved_at)
        posted = dispatch(rt, approved_at).posted  # the daily caps hold most of them back
        second = PollReport()
        poll_connector(rt, "replay", NOW + timedelta(minutes=60), second)
        process(rt, NOW + timedelta(minutes=60), second)
        return _rows(rt), [_summary(first), _summary(second), pending, len(posted)]
    finally:
        rt.close()


@pytest.mark.parametrize("batch", [7, pipeline.BATCH])
def test_generated_mentions_batched_and_one_by_one_store_the_same(tmp_path: Path, batch: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "BATCH", batch)
    batched, batched_reports = _generated_run(tmp_path / "batched", process_new)
    single, single_reports = _generated_run(tmp_path / "single", process_one_by_one)
    assert batched_reports == single_reports
    for table in TABLES:
        assert batched[table] == single[table], table
    statuses = {row[12] for row in batched["suggestions"]}
    blocked = " ".join(str(row[11]) for row in batched["suggestions"])
    # The inputs exercise what the in-memory deltas and the set-based reads must get right.
    assert {"pending", "blocked", "ignored"} <= statuses
    for guardrail in ("do_not_contact", "identical_text", "one_per_thread"):
        assert guardrail in blocked, guardrail
    assert "no reason given" in blocked and "bot.toml guardrails.do_not_contact" in blocked
    assert any('"spam"' in str(row[3]) for row in batched["triage"])
    assert len(batched["loops"]) > 100 and len(batched["audit"]) > 10


def test_a_short_same_text_window_batched_and_one_by_one_store_the_same(tmp_path: Path) -> None:
    # 21.6 minutes: the promotion (every 40th mention, one copy every 8 minutes) has 3 authors in it.
    runs = {}
    for name, process in (("batched", process_new), ("single", process_one_by_one), ("week", process_new)):
        rt = _runtime(tmp_path / name, _generated())
        if name != "week":
            rt.triage_context = replace(rt.triage_context, spam_same_text_days=0.015)
        try:
            report = PollReport()
            poll_connector(rt, "replay", NOW, report)
            process(rt, NOW, report)
            runs[name] = _rows(rt)
        finally:
            rt.close()
    for table in TABLES:
        assert runs["batched"][table] == runs["single"][table], table

    def copies(rows: list[tuple[object, ...]]) -> list[int]:  # authors in each "same text" spam reason
        return [int(r.split()[5]) for row in rows for r in json.loads(str(row[9]))
                if r.startswith("spam: the same text from")]

    short, week = copies(runs["batched"]["triage"]), copies(runs["week"]["triage"])
    assert short and max(short) == 3 and max(week) > 10  # the window bounds the count; both paths agree on it


def test_sample_history_batched_and_one_by_one_store_the_same(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "bot.toml").read_text(encoding="utf-8")
    text = text.replace('path = "data/sample"', f'path = "{REPO / "data" / "sample"}"')
    text = text.replace('path = "policies"', f'path = "{REPO / "policies"}"')
    text = text.replace("daily_caps = { x = 100, reddit = 50 }", "daily_caps = { x = 4, reddit = 3 }")
    (tmp_path / "bot.toml").write_text(text, encoding="utf-8")
    settings = load_settings(tmp_path / "bot.toml")
    results = []
    for name, process in (("batched", process_new), ("single", process_one_by_one)):
        monkeypatch.setattr(demo, "process_new", process)
        rt = demo.fresh_demo_runtime(settings, tmp_path / f"{name}.db", tmp_path / f"{name}-sink.jsonl")
        try:
            report = demo.simulate(rt, NOW)
            results.append((_rows(rt), _summary(report.poll), report.posted, report.answered))
        finally:
            rt.close()
    (batched, *batched_totals), (single, *single_totals) = results
    assert batched_totals == single_totals
    for table in TABLES:
        assert batched[table] == single[table], table
    assert len(batched["suggestions"]) > 200 and batched_totals[1] > 20  # the sample went through, replies posted


def test_a_batch_that_cannot_be_written_is_stored_one_mention_at_a_time(rt: Runtime) -> None:
    # A real write failure for one mention: the database refuses its triage row.
    rt.store.db.execute("""CREATE TRIGGER refuse AFTER INSERT ON triage
        WHEN (SELECT platform_id FROM mentions WHERE id = new.mention_id) = '102'
        BEGIN SELECT RAISE(ABORT, 'disk says no'); END""")
    report = PollReport()
    poll_connector(rt, "replay", NOW, report)
    process_new(rt, NOW, report)
    assert report.triaged == 4 and list(report.failed.values()) == ["IntegrityError: disk says no"]
    assert [m.platform_id for _, m in rt.store.mentions.untriaged()] == ["102"]  # kept, retried next poll
    assert rt.store.suggestions.counts() == {"pending": 2, "ignored": 2}
    rt.store.db.execute("DROP TRIGGER refuse")
    again = PollReport()
    process_new(rt, NOW + timedelta(minutes=5), again)
    assert again.triaged == 1 and rt.store.suggestions.counts() == {"pending": 3, "ignored": 2}


def test_a_locked_database_stops_the_poll_instead_of_retrying_each_mention(rt: Runtime) -> None:
    report = PollReport()
    poll_connector(rt, "replay", NOW, report)
    other = sqlite3.connect(rt.store.path)
    other.execute("BEGIN IMMEDIATE")  # someone else holds the write lock past our busy timeout
    rt.store.db.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            process_new(rt, NOW, report)
    finally:
        other.rollback()
        other.close()
    assert report.triaged == 0 and report.failed == {}  # nobody is blamed; all five wait for the next poll
    assert len(rt.store.mentions.untriaged()) == 5
    process_new(rt, NOW, report)
    assert report.triaged == 5 and rt.store.suggestions.counts() == {"pending": 3, "ignored": 2}
