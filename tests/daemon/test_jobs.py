"""The jobs' bodies (backup, expiry, reports) and the schedule (pauses honoured, wake-up on approval)."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.daemon import jobs
from bot.daemon.scheduler import Daemon, parse_hhmm
from bot.dispatch import notify_approved, on_approval
from bot.pipeline import poll_once
from bot.runtime import Runtime
from tests.conftest import NOW


def test_maintenance_backs_up_online_keeps_the_newest_and_analyzes(rt: Runtime, tmp_path: Path) -> None:
    poll_once(rt, NOW)
    backups = tmp_path / "backups"
    for day in range(4):
        outcome = jobs.maintenance(rt, NOW + timedelta(days=day), backups, keep=2)
        assert not outcome.error
    kept = sorted(p.name for p in backups.iterdir())
    assert kept == ["ronr-20261122-120000.db", "ronr-20261123-120000.db"]
    copy = sqlite3.connect(backups / kept[-1])
    assert copy.execute("SELECT count(*) FROM mentions").fetchone()[0] == rt.store.mentions.count()
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    assert rt.store.db.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0


def test_maintenance_merges_the_queue_search_index(rt: Runtime, tmp_path: Path) -> None:
    poll_once(rt, NOW)
    pending = rt.store.suggestions.pending()
    for suggestion in pending[:3]:  # each decision is its own transaction, so its own index segment
        with rt.store.atomic():
            rt.store.db.execute("UPDATE suggestions SET status = 'rejected' WHERE id = ?", [suggestion.id])

    def pages() -> int:  # FTS5 keeps each segment's leaves as rows of its data table
        return int(rt.store.db.execute("SELECT count(*) FROM queue_search_data").fetchone()[0])

    before = pages()
    assert not jobs.maintenance(rt, NOW, tmp_path / "backups", keep=1).error
    assert pages() < before
    for (text,) in rt.store.db.execute("SELECT text FROM queue_text").fetchall():  # every item still found
        word = max(text.split(), key=len).replace('"', "")
        hits = rt.store.db.execute("SELECT count(*) FROM queue_search WHERE queue_search MATCH ?", [f'"{word}"'])
        assert hits.fetchone()[0] >= 1, word


def test_maintenance_prunes_text_copies_older_than_the_same_text_window(rt: Runtime, tmp_path: Path) -> None:
    poll_once(rt, NOW)  # five mentions, posted 300, 200, 100, 90 and 80 minutes before NOW

    def copies() -> int:
        return int(rt.store.db.execute("SELECT count(*) FROM recent_texts").fetchone()[0])

    window = timedelta(days=rt.settings.triage.spam_same_text_days)
    kept = jobs.maintenance(rt, NOW - timedelta(minutes=300) + window, tmp_path / "backups", keep=1)
    assert not kept.error and kept.summary.endswith(", 0 old text copies pruned") and copies() == 5
    pruned = jobs.maintenance(rt, NOW - timedelta(minutes=150) + window, tmp_path / "backups", keep=1)
    assert pruned.summary.endswith(", 2 old text copies pruned") and copies() == 3
    assert rt.store.mentions.count() == 5


def test_expire_moves_stale_pending_suggestions_and_audits(rt: Runtime) -> None:
    poll_once(rt, NOW)
    pending = len(rt.store.suggestions.pending())
    assert jobs.expire(rt, NOW).summary == "expired 0"
    later = NOW + timedelta(hours=rt.settings.loops.timeout_hours + 6)
    assert jobs.expire(rt, later).summary == f"expired {pending}"
    assert rt.store.suggestions.pending() == []
    assert rt.store.db.execute("SELECT count(*) FROM audit WHERE action = 'expired'").fetchone()[0] == pending


def test_weekly_report_without_recipients_is_a_recorded_failure(rt: Runtime) -> None:
    outcome = jobs.weekly_report(rt, NOW)
    assert "not sent" in outcome.summary
    assert "report.recipients: nobody to send to" in outcome.error


def test_weekly_report_names_an_uncertain_email_as_an_error_and_sends_nothing(
        make_project: Callable[..., Path]) -> None:
    from bot.config import load_settings
    from bot.report.weekly import last_week
    from bot.runtime import build_runtime
    from tests.conftest import CONFIG

    config = CONFIG + '\n[report.recipients]\n"*" = ["lead@nimbus.example"]\n'
    rt = build_runtime(load_settings(make_project(config=config)))
    try:
        poll_once(rt, NOW)
        week = last_week(NOW, rt.settings.timezone)
        row = rt.store.reports.claim(week, "lead@nimbus.example", ("nimbushome",), "<id@x>", NOW)
        assert row is not None
        rt.store.reports.committing(row.id, NOW)  # as if the process died before the server's answer
        outcome = jobs.weekly_report(rt, NOW)
        assert outcome.summary == f"week {week}: sent 0, already sent 0, failed 0, uncertain 1"
        assert outcome.error.startswith("uncertain, never resent by itself (see ronr report): ")
        assert f"{week} lead@nimbus.example" in outcome.error
        assert [r.status for r in rt.store.reports.for_week(week)] == ["uncertain"]
    finally:
        rt.close()


def test_a_paused_connector_is_first_polled_when_its_pause_ends(rt: Runtime) -> None:
    until = NOW + timedelta(minutes=40)
    rt.store.mentions.record_poll_error("replay", "rate limited", NOW, paused_until=until)
    daemon = Daemon(rt.settings, Path(rt.store.path), lambda: NOW, random.Random(1))
    try:
        daemon.schedule()
        job = daemon.scheduler.get_job("poll:replay")
        assert job.next_run_time == until
        daemon.scheduler.start(paused=True)
        daemon._push_back("poll:replay", until + timedelta(hours=1))
        assert daemon.scheduler.get_job("poll:replay").next_run_time == until + timedelta(hours=1)
        daemon._push_back("poll:replay", until)  # never pulled earlier
        assert daemon.scheduler.get_job("poll:replay").next_run_time == until + timedelta(hours=1)
        assert {j.id for j in daemon.scheduler.get_jobs()} == {
            "poll:replay", "dispatch", "heartbeat", "loops", "expire", "weekly_report", "maintenance"}
    finally:
        daemon.stop(1)
        daemon.close()


def test_an_approval_wakes_the_dispatcher() -> None:
    calls: list[int] = []
    unsubscribe = on_approval(lambda: calls.append(1))
    notify_approved()
    unsubscribe()
    notify_approved()
    assert calls == [1]


def test_bad_schedule_times_are_config_errors(make_project: object) -> None:
    with pytest.raises(ValueError, match=r"daemon.report_time = '8am': expected a time like"):
        parse_hhmm("8am", "report_time")
    config = Path(make_project(config=_config_with('[daemon]\nmaintenance_time = "25:00"\n')))  # type: ignore[operator]
    result = CliRunner().invoke(main, ["--config", str(config), "run", "--no-web"])
    assert result.exit_code == 2
    assert "daemon.maintenance_time = '25:00'" in result.output


def _config_with(extra: str) -> str:
    from tests.conftest import CONFIG

    return CONFIG + "\n" + extra
