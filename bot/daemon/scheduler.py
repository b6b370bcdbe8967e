"""APScheduler wiring: the only module that knows when things run.

Jobs: ``poll:<connector>`` on the connector's interval (jittered, coalesced, one at a time, pushed
back by rate-limit pauses and the read budget), ``dispatch`` every ``dispatch_seconds`` and at once
when an approval is announced, ``loops``, ``expire``, ``weekly_report`` (cron, in the configured
timezone), ``maintenance`` (daily) and ``heartbeat``. Each job owns a runtime (its own SQLite
connection and connector clients), so jobs never share a connection or a client across threads.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.daemon import jobs
from bot.daemon.jobs import Outcome
from bot.dispatch import DispatchReport, dispatch, on_approval, reconcile
from bot.logs import log_context
from bot.policy import load_rules
from bot.runtime import Runtime, attach_ledger, build_connectors
from bot.store import Store
from connectors.base import Connector

log = logging.getLogger(__name__)

RECONCILE_RETRY = timedelta(seconds=30)
QUIET_JOBS = ("dispatch", "heartbeat")


def parse_hhmm(text: str, key: str) -> tuple[int, int]:
    """``"08:30"`` -> (8, 30); a ValueError names the key and the expected form."""
    hour, sep, minute = text.partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ValueError(f"daemon.{key} = {text!r}: expected a time like \"08:30\" (24-hour HH:MM); fix bot.toml")
    return int(hour), int(minute)


def poll_minutes(settings: Settings, name: str) -> float:
    """The polling interval of a connector, in minutes."""
    return float(getattr(settings.connectors, name).poll_minutes)


class Daemon:
    """Schedules the jobs over one database; :meth:`start` then :meth:`stop`."""

    def __init__(self, settings: Settings, database: Path, clock: Callable[[], datetime],
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        self.database = database
        self.clock = clock
        self.rng = rng or random.Random()
        self.tz = ZoneInfo(settings.timezone)
        self.stopping = threading.Event()
        self.rules, self.rule_errors = load_rules(settings.resolve(settings.policies.path))
        self.connector_errors: dict[str, str] = {}
        self.connector_names = list(build_connectors(settings, self.connector_errors))
        self._runtimes: dict[str, Runtime] = {}
        self._connectors: dict[str, dict[str, Connector]] = {}
        self._build_lock = threading.Lock()
        self._pipeline_lock = threading.Lock()
        self._active: dict[str, int] = {}
        self._active_cv = threading.Condition()
        self._needs_reconcile = True
        self._reconcile_after: datetime | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.scheduler = BackgroundScheduler(timezone=self.tz, executors={"default": ThreadPoolExecutor(12)},
                                             job_defaults={"coalesce": True, "max_instances": 1})

    # -- runtimes -------------------------------------------------------------------------------
    def runtime(self, job: str) -> Runtime:
        """The runtime a job (or the web UI) works with: its own connection; connectors per group."""
        with self._build_lock:
            if job not in self._runtimes:
                group = "poll" if job.startswith("poll:") else job
                if group not in self._connectors:
                    self._connectors[group] = build_connectors(self.settings) if group in (
                        "poll", "dispatch", "loops") else {}
                    attach_ledger(self._connectors[group], self.database)
                self._runtimes[job] = Runtime(self.settings, Store(self.database), self._connectors[group],
                                              self.rules, self.rule_errors, self.connector_errors)
            return self._runtimes[job]

    # -- the jobs -------------------------------------------------------------------------------
    def _poll(self, rt: Runtime, name: str) -> Outcome:
        outcome = jobs.poll(rt, name, self.clock())
        with self._pipeline_lock:  # two connectors' polls must not triage the same new mention twice
            processed = jobs.process(rt, self.clock())
        return Outcome(f"{outcome.summary}; {processed}", outcome.error, outcome.resume_at, outcome.quiet)

    def _dispatch(self, rt: Runtime) -> Outcome | None:
        now = self.clock()
        report = DispatchReport()
        if self._needs_reconcile and (self._reconcile_after is None or now >= self._reconcile_after):
            reconcile(rt, now, report)
            self._needs_reconcile = bool(report.unsettled)
            self._reconcile_after = now + RECONCILE_RETRY
        if not rt.store.outbox.due(now, 1):
            return Outcome(report.summary()) if report.reconciled or report.unsettled else None
        try:
            done = dispatch(rt, now, self.rng, stop=self.stopping.is_set, clock=self.clock)
        except BaseException:
            self._needs_reconcile, self._reconcile_after = True, None  # an item may be left in `sending`
            raise
        done.reconciled, done.unsettled = report.reconciled, report.unsettled
        return Outcome(done.summary())

    def _heartbeat(self, rt: Runtime) -> None:
        rt.store.daemon.beat(os.getpid(), self.clock())
        self._save_next_runs(rt)

    def _save_next_runs(self, rt: Runtime) -> None:
        for job in self.scheduler.get_jobs():
            if job.id not in QUIET_JOBS:
                rt.store.daemon.set_next_run(job.id, getattr(job, "next_run_time", None))

    def _run(self, job_id: str, body: Callable[[Runtime], Outcome | None]) -> None:
        if self.stopping.is_set():
            return
        with self._active_cv:
            self._active[job_id] = self._active.get(job_id, 0) + 1
        try:
            with log_context(job=job_id, connector=job_id.partition(":")[2] or None):
                self._run_recorded(job_id, body)
        finally:
            with self._active_cv:
                self._active[job_id] -= 1
                self._active_cv.notify_all()

    def _run_recorded(self, job_id: str, body: Callable[[Runtime], Outcome | None]) -> None:
        started = self.clock()
        try:
            rt = self.runtime(job_id)
            if job_id not in QUIET_JOBS:
                rt.store.daemon.job_started(job_id, started)
            outcome = body(rt)
        except Exception as exc:
            log.exception("job failed")
            try:
                store = self.runtime(job_id).store.daemon
                if job_id in QUIET_JOBS:
                    store.job_started(job_id, started)
                store.job_finished(job_id, self.clock(), error=f"{type(exc).__name__}: {exc}")
            except Exception:
                log.exception("could not record the failure")
            return
        if outcome is None:
            return
        if job_id in QUIET_JOBS:
            rt.store.daemon.job_started(job_id, started)
        rt.store.daemon.job_finished(job_id, self.clock(), error=outcome.error, summary=outcome.summary)
        if outcome.error:
            log.warning("%s: %s", outcome.summary, outcome.error)
        else:
            log.log(logging.DEBUG if outcome.quiet else logging.INFO, "%s", outcome.summary)
        if outcome.resume_at is not None:
            self._push_back(job_id, outcome.resume_at)
        if job_id not in QUIET_JOBS:
            job = self.scheduler.get_job(job_id)
            rt.store.daemon.set_next_run(job_id, getattr(job, "next_run_time", None) if job else None)

    def _push_back(self, job_id: str, at: datetime) -> None:
        job = self.scheduler.get_job(job_id)
        planned = getattr(job, "next_run_time", None) if job else None
        if job is not None and (planned is None or planned < at):
            job.modify(next_run_time=at.astimezone(self.tz))

    # -- wiring ---------------------------------------------------------------------------------
    def schedule(self) -> None:
        """Add every job to the scheduler (not started yet)."""
        d = self.settings.daemon
        now = self.clock()
        state_store = self.runtime("heartbeat").store
        for name in self.connector_names:
            seconds = poll_minutes(self.settings, name) * 60
            paused = state_store.mentions.cursor_state(name).paused_until
            first = paused if paused and paused > now else now + timedelta(seconds=self.rng.uniform(0, 1))
            self.scheduler.add_job(
                self._run, IntervalTrigger(seconds=seconds, jitter=min(60.0, seconds * 0.1), timezone=self.tz),
                args=[f"poll:{name}", lambda rt, n=name: self._poll(rt, n)], id=f"poll:{name}",
                next_run_time=first.astimezone(self.tz), misfire_grace_time=max(1, int(seconds)))
        self._interval("dispatch", d.dispatch_seconds, self._dispatch, first=now)
        self._interval("heartbeat", d.heartbeat_seconds, self._heartbeat, first=now)
        self._interval("loops", d.loops_minutes * 60, lambda rt: jobs.loops(rt, self.clock()))
        self._interval("expire", 15 * 60, lambda rt: jobs.expire(rt, self.clock()), first=now)
        hour, minute = parse_hhmm(d.report_time, "report_time")
        self.scheduler.add_job(self._run, CronTrigger(day_of_week=d.report_day, hour=hour, minute=minute,
                                                      timezone=self.tz),
                               args=["weekly_report", lambda rt: jobs.weekly_report(rt, self.clock())],
                               id="weekly_report", misfire_grace_time=6 * 3600)
        hour, minute = parse_hhmm(d.maintenance_time, "maintenance_time")
        backups = self.settings.resolve(d.backup_dir)
        self.scheduler.add_job(self._run, CronTrigger(hour=hour, minute=minute, timezone=self.tz),
                               args=["maintenance", lambda rt: jobs.maintenance(rt, self.clock(), backups,
                                                                                d.backup_keep)],
                               id="maintenance", misfire_grace_time=6 * 3600)

    def _interval(self, job_id: str, seconds: float, body: Callable[[Runtime], Outcome | None],
                  first: datetime | None = None) -> None:
        kwargs = {"next_run_time": first.astimezone(self.tz)} if first is not None else {}
        self.scheduler.add_job(self._run, IntervalTrigger(seconds=seconds, timezone=self.tz), args=[job_id, body],
                               id=job_id, misfire_grace_time=max(1, int(seconds)), **kwargs)

    def wake_dispatch(self) -> None:
        """Run the dispatch job now (an approval was recorded in this process)."""
        if not self.stopping.is_set() and self.scheduler.running:
            job = self.scheduler.get_job("dispatch")
            if job is not None:
                job.modify(next_run_time=datetime.now(self.tz))

    def start(self) -> None:
        """Schedule and start the jobs; approvals announced in this process wake the dispatcher."""
        self.schedule()
        self._unsubscribe = on_approval(self.wake_dispatch)
        self.scheduler.start()

    def stop(self, timeout: float) -> bool:
        """Start no new runs, let running ones finish (dispatch stops after its post in flight).

        Returns False when some job was still running after ``timeout`` seconds.
        """
        self.stopping.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        deadline = time.monotonic() + timeout
        with self._active_cv:
            while any(self._active.values()) and time.monotonic() < deadline:
                self._active_cv.wait(max(0.0, deadline - time.monotonic()))
            busy = [job for job, n in self._active.items() if n]
        if busy:
            log.warning("stopping with jobs still running: %s", ", ".join(busy))
        return not busy

    def close(self) -> None:
        """Close every runtime's connection."""
        with self._build_lock:
            for rt in self._runtimes.values():
                rt.close()
            self._runtimes.clear()

