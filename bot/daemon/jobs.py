"""What each scheduled job does, given its own runtime and the moment it runs. No schedules here.

Every job returns a :class:`Outcome` (or None for an idle tick worth no record): a one-line
summary, an error if it failed in a way the operator must see, and for polls the moment before
which the connector must not be asked again (a rate limit or the read budget).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.loops import check_loops
from bot.pipeline import PollReport, poll_connector, process_new
from bot.pipeline_batch import copies_within
from bot.queue import expire_stale
from bot.runtime import Runtime

log = logging.getLogger(__name__)

BACKUP_PREFIX = "ronr-"


@dataclass(frozen=True)
class Outcome:
    """How a job run ended."""

    summary: str
    error: str = ""
    resume_at: datetime | None = None
    quiet: bool = False


def poll(rt: Runtime, name: str, now: datetime) -> Outcome:
    """Poll one connector and commit what it fetched with its cursor (triage and policy run after)."""
    report = PollReport()
    poll_connector(rt, name, now, report)
    state = rt.store.mentions.cursor_state(name)
    resume = state.paused_until if state.paused_until and state.paused_until > now else None
    if name in report.skipped:
        return Outcome(f"skipped: {report.skipped[name]}", resume_at=resume)
    if resume is not None:
        log.info("pausing polls until %s: %s", resume.isoformat(), state.pause_reason)
    summary = f"fetched {report.fetched[name]}, new {report.new[name]}"
    if name in report.errors:
        return Outcome(summary, error=report.errors[name], resume_at=resume)
    return Outcome(summary, resume_at=resume, quiet=report.new[name] == 0)


def process(rt: Runtime, now: datetime) -> str:
    """Triage every new mention and queue the policy's suggestion."""
    report = PollReport()
    process_new(rt, now, report)
    return f"triaged {report.triaged}, queued {report.queued}, ignored {report.ignored}"


def loops(rt: Runtime, now: datetime) -> Outcome:
    """Look for the authors' answers, queue follow-ups that are due, close loops whose time is up."""
    report = check_loops(rt, now)
    return Outcome(f"answered {report.answered}, timed out {report.timed_out}, declined {report.declined}, "
                   f"missed {report.missed}")


def expire(rt: Runtime, now: datetime) -> Outcome:
    """Expire suggestions nobody decided on before the conversation's time ran out."""
    ids = expire_stale(rt.store, now, rt.settings.loops.timeout_hours)
    if ids:
        log.info("expired %d stale suggestions: %s", len(ids), ", ".join(map(str, ids[:20])))
    return Outcome(f"expired {len(ids)}")


def weekly_report(rt: Runtime, now: datetime) -> Outcome:
    """Email last week's Social ID report (and any owed from earlier runs); each recipient's week once."""
    from bot.report.send import ReportError
    from bot.report.weekly import last_week, send_week

    week = last_week(now, rt.settings.timezone)
    try:
        outcome = send_week(rt, week, now)
    except ReportError as exc:
        return Outcome(f"week {week}: not sent", error=str(exc))
    summary = (f"week {week}: sent {len(outcome.sent)}, already sent {len(outcome.already)}, "
               f"failed {len(outcome.failed)}, uncertain {len(outcome.uncertain)}")
    problems = []
    if outcome.failed:
        problems.append("not sent, retried next run: " + "; ".join(f"{what}: {why}" for what, why in outcome.failed))
    if outcome.uncertain:
        problems.append("uncertain, never resent by itself (see ronr report): "
                        + "; ".join(f"{what}: {why}" for what, why in outcome.uncertain))
    return Outcome(summary, error=" | ".join(problems))


def maintenance(rt: Runtime, now: datetime, backup_dir: Path, keep: int) -> Outcome:
    """Prune the same-text window's old copies, back the database up online (keeping the newest ``keep``), then
    ``ANALYZE`` and ``PRAGMA optimize``."""
    pruned = rt.store.daemon.prune_recent_texts(now - copies_within(rt.triage_context))
    target = backup_dir / f"{BACKUP_PREFIX}{now:%Y%m%d-%H%M%S}.db"
    unsure = rt.store.daemon.backup(target, now)
    removed = prune_backups(backup_dir, keep)
    rt.store.daemon.optimize()
    waiting = f", {unsure} approved not yet posted (reconciled if restored)" if unsure else ""
    return Outcome(f"backup {target.name} ({target.stat().st_size // 1024} KiB){waiting}, removed {len(removed)} "
                   f"old, analyzed, {pruned} old text copies pruned")


def prune_backups(backup_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (by the time in their name); return what was deleted."""
    found = sorted(backup_dir.glob(f"{BACKUP_PREFIX}*.db"), key=lambda p: p.name, reverse=True)
    doomed = found[max(keep, 1):]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
