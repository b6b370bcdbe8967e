"""The daemon's bookkeeping and the read-only figures ``ronr status`` and ``/metrics`` show.

Per job: how often it ran, failed, and when it last succeeded; per instance: who runs, since when,
and the last heartbeat. Also the maintenance the daemon does on the database itself: an online
backup through SQLite's backup API, ``ANALYZE`` and ``PRAGMA optimize``, expiring stale
suggestions, and pruning the recent texts the same-text spam count reads.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.models import Cursor
from bot.store.database import iso, parse_time, transaction

RESTORED_UNSURE = ("approved when this backup was taken and maybe posted after it: if this copy is restored, "
                   "the platform is asked before any retry")


@dataclass(frozen=True)
class JobState:
    """What the database remembers about one scheduled job."""

    job: str
    runs: int
    failures: int
    last_start: datetime | None
    last_end: datetime | None
    last_success: datetime | None
    last_error: str
    last_error_at: datetime | None
    last_summary: str
    next_run: datetime | None

    @property
    def failing(self) -> bool:
        """Whether the most recent run ended in an error."""
        return bool(self.last_error) and (self.last_success is None or
                                          (self.last_error_at is not None and self.last_error_at >= self.last_success))


@dataclass(frozen=True)
class InstanceState:
    """The ``ronr run`` process that last started on this database."""

    pid: int
    host: str
    version: str
    started_at: datetime
    beat_at: datetime
    stopped_at: datetime | None
    web_url: str


def _job(row: dict[str, Any]) -> JobState:
    return JobState(
        job=row["job"], runs=int(row["runs"]), failures=int(row["failures"]),
        last_start=parse_time(row["last_start"]), last_end=parse_time(row["last_end"]),
        last_success=parse_time(row["last_success"]), last_error=row["last_error"] or "",
        last_error_at=parse_time(row["last_error_at"]), last_summary=row["last_summary"] or "",
        next_run=parse_time(row["next_run"]))


class DaemonStateStore:
    """Job runs, the instance heartbeat, status figures and database maintenance."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- jobs -----------------------------------------------------------------------------------
    def job_started(self, job: str, now: datetime) -> None:
        """Record the start of a run of ``job``."""
        with transaction(self.db):
            self.db.execute(
                """INSERT INTO daemon_jobs (job, runs, last_start) VALUES (?, 1, ?)
                   ON CONFLICT (job) DO UPDATE SET runs = runs + 1, last_start = excluded.last_start""",
                [job, iso(now)])

    def job_finished(self, job: str, now: datetime, *, error: str = "", summary: str = "") -> None:
        """Record how a run of ``job`` ended: ``error`` empty means it succeeded."""
        with transaction(self.db):
            if error:
                self.db.execute(
                    """UPDATE daemon_jobs SET last_end = ?, failures = failures + 1, last_error = ?,
                         last_error_at = ? WHERE job = ?""", [iso(now), error[:1000], iso(now), job])
            else:
                self.db.execute(
                    """UPDATE daemon_jobs SET last_end = ?, last_success = ?, last_summary = ? WHERE job = ?""",
                    [iso(now), iso(now), summary[:1000], job])

    def set_next_run(self, job: str, at: datetime | None) -> None:
        """Remember when the scheduler will next run ``job`` (shown by ``ronr status``)."""
        with transaction(self.db):
            self.db.execute(
                """INSERT INTO daemon_jobs (job, next_run) VALUES (?, ?)
                   ON CONFLICT (job) DO UPDATE SET next_run = excluded.next_run""",
                [job, iso(at) if at else None])

    def jobs(self) -> dict[str, JobState]:
        """Every job the daemon has run or scheduled, by name."""
        return {r["job"]: _job(r) for r in self.db.query("SELECT * FROM daemon_jobs ORDER BY job")}

    # -- the running instance -------------------------------------------------------------------
    def started(self, pid: int, host: str, version: str, now: datetime, web_url: str = "") -> None:
        """A ``ronr run`` process took over the database."""
        with transaction(self.db):
            self.db.execute(
                """INSERT OR REPLACE INTO daemon_instance (id, pid, host, version, started_at, beat_at, stopped_at,
                     web_url) VALUES (1, ?, ?, ?, ?, ?, NULL, ?)""", [pid, host, version, iso(now), iso(now), web_url])

    def beat(self, pid: int, now: datetime) -> None:
        """The running instance is alive at ``now``."""
        with transaction(self.db):
            self.db.execute("UPDATE daemon_instance SET beat_at = ? WHERE id = 1 AND pid = ?", [iso(now), pid])

    def stopped(self, pid: int, now: datetime) -> None:
        """The instance stopped cleanly."""
        with transaction(self.db):
            self.db.execute("UPDATE daemon_instance SET stopped_at = ?, beat_at = ? WHERE id = 1 AND pid = ?",
                            [iso(now), iso(now), pid])

    def instance(self) -> InstanceState | None:
        """The last instance that ran on this database, if any."""
        rows = list(self.db.query("SELECT * FROM daemon_instance WHERE id = 1"))
        if not rows:
            return None
        r = rows[0]
        return InstanceState(pid=int(r["pid"]), host=r["host"], version=r["version"],
                             started_at=datetime.fromisoformat(r["started_at"]),
                             beat_at=datetime.fromisoformat(r["beat_at"]), stopped_at=parse_time(r["stopped_at"]),
                             web_url=r["web_url"] or "")

    # -- status figures -------------------------------------------------------------------------
    def queue_depth(self) -> dict[str, int]:
        """Pending suggestions per priority."""
        rows = self.db.execute(
            "SELECT priority, count(*) FROM suggestions WHERE status = 'pending' GROUP BY priority").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def oldest_pending(self) -> datetime | None:
        """When the oldest pending suggestion was queued."""
        row = self.db.execute("SELECT min(created_at) FROM suggestions WHERE status = 'pending'").fetchone()
        return parse_time(row[0]) if row else None

    def sla_breaches(self, now: datetime) -> dict[str, int]:
        """Pending suggestions past their response-time target, per priority."""
        rows = self.db.execute(
            """SELECT priority, count(*) FROM suggestions WHERE status = 'pending' AND sla_due IS NOT NULL
               AND sla_due < ? GROUP BY priority""", [iso(now)]).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def stuck_sending(self, before: datetime) -> int:
        """Outbox items claimed for sending before ``before`` and still not settled."""
        row = self.db.execute("SELECT count(*) FROM outbox WHERE state = 'sending' AND updated_at < ?",
                              [iso(before)]).fetchone()
        return int(row[0])

    def mention_count(self) -> int:
        """How many mentions are stored."""
        return int(self.db.execute("SELECT count(*) FROM mentions").fetchone()[0])

    # -- maintenance ----------------------------------------------------------------------------
    def expire_stale(self, queued_before: datetime, now: datetime) -> list[int]:
        """Expire suggestions still pending that were queued before ``queued_before``; return their ids."""
        with transaction(self.db):
            ids = [int(r[0]) for r in self.db.execute(
                "SELECT id FROM suggestions WHERE status = 'pending' AND created_at < ?",
                [iso(queued_before)]).fetchall()]
            for sid in ids:
                self.db.execute("UPDATE suggestions SET status = 'expired', version = version + 1, updated_at = ? "
                                "WHERE id = ? AND status = 'pending'", [iso(now), sid])
                self.db.execute(
                    "INSERT INTO audit (at, actor, action, entity, entity_id, detail) "
                    "VALUES (?, 'ronr', 'expired', 'suggestion', ?, ?)",
                    [iso(now), sid, json.dumps({"queued_before": iso(queued_before)})])
        return ids

    def prune_recent_texts(self, keep_since: datetime) -> int:
        """Forget stored copies of texts created before ``keep_since``; return how many rows went.

        ``recent_texts`` only serves the same-text count over ``[triage] spam_same_text_days``, so run
        daily with ``now`` minus that window it holds about one window and a day of mentions.
        """
        with transaction(self.db):
            return int(self.db.execute("DELETE FROM recent_texts WHERE created_at < ?", [iso(keep_since)]).rowcount)

    def backup(self, target: Path, now: datetime) -> int:
        """Copy the live database to ``target`` with SQLite's online backup API (writers keep going).

        In the copy, every approved reply not yet posted is moved to ``sending``: the live daemon may
        post it after this moment, so a restored copy must ask the platform first (the start-up
        reconciliation does) instead of posting it a second time. Returns how many were moved.
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        dest = sqlite3.connect(str(partial))
        try:
            self.db.conn.backup(dest)
            with dest:
                moved = dest.execute(
                    "UPDATE outbox SET state = 'sending', updated_at = ?, last_error = ? WHERE state = 'approved'",
                    [iso(now), RESTORED_UNSURE]).rowcount
        finally:
            dest.close()
        partial.replace(target)
        return int(moved)

    def optimize(self) -> None:
        """Refresh the planner's statistics (``ANALYZE``), let SQLite tune itself, and merge the search index.

        Every queue change adds a small segment to the full-text index (FTS5 merges them only
        gradually); merging them into one once a day keeps rare-word searches at about half the cost.
        The index holds pending suggestions only, so this stays quick however long the history is.
        """
        self.db.execute("ANALYZE")
        self.db.execute("PRAGMA optimize")
        with transaction(self.db):
            self.db.execute("INSERT INTO queue_search (queue_search) VALUES ('optimize')")


class ReadLedger:
    """Reads a connector spent outside its polls, per UTC month (``YYYY-MM``); see m013.

    Its own short connection per call, so any thread (a poll, the dispatcher, the loops job) may add
    to it without sharing a job's connection or joining its transaction.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)

    def add(self, connector: str, month: str, reads: int) -> None:
        """Count ``reads`` more for ``connector`` in ``month``."""
        if reads <= 0:
            return
        conn = self._connect()
        try:
            conn.execute("""INSERT INTO connector_reads (connector, month, reads) VALUES (?, ?, ?)
                            ON CONFLICT (connector, month) DO UPDATE SET reads = reads + excluded.reads""",
                         [connector, month, reads])
        finally:
            conn.close()

    def cursor(self, connector: str) -> Cursor | None:
        """The connector's stored poll cursor (its polls count their own reads in it)."""
        conn = self._connect()
        try:
            row = conn.execute("SELECT value FROM cursors WHERE connector = ?", [connector]).fetchone()
        finally:
            conn.close()
        return Cursor(row[0]) if row and row[0] is not None else None

    def spent(self, connector: str, month: str) -> int:
        """Reads ``connector`` spent outside its polls in ``month``."""
        conn = self._connect()
        try:
            row = conn.execute("SELECT reads FROM connector_reads WHERE connector = ? AND month = ?",
                               [connector, month]).fetchone()
        finally:
            conn.close()
        return int(row[0]) if row else 0
