"""`ronr status`: is the daemon healthy, and how is the work going? Exit 1 when unhealthy (for monitors)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from bot.cli.context import now, runtime
from bot.cli.table import table
from bot.daemon.health import Health, collect

PRIORITIES = ("P1", "P2", "P3", "P4")
OUTBOX_STATES = ("approved", "sending", "posted", "failed", "needs_review")


def ago(moment: datetime | None, at: datetime) -> str:
    """``"3m ago"``, ``"in 2h 05m"``, or ``"-"``."""
    if moment is None:
        return "-"
    seconds = int((at - moment).total_seconds())
    s = abs(seconds)
    text = (f"{s}s" if s < 60 else f"{s // 60}m" if s < 3600 else f"{s // 3600}h {s % 3600 // 60:02d}m"
            if s < 86400 else f"{s // 86400}d {s % 86400 // 3600}h")
    return f"{text} ago" if seconds >= 0 else f"in {text}"


def _daemon_line(h: Health) -> str:
    inst = h.instance
    if h.running and inst is not None:
        return (f"running (pid {h.pid} on {inst.host}, version {inst.version}, started {ago(inst.started_at, h.now)}, "
                f"last heartbeat {ago(inst.beat_at, h.now)}{', web ' + inst.web_url if inst.web_url else ''})")
    if inst is not None and inst.stopped_at is not None:
        return f"not running (stopped cleanly {ago(inst.stopped_at, h.now)})"
    if inst is not None:
        return f"not running (last heartbeat {ago(inst.beat_at, h.now)}; it did not stop cleanly)"
    return "not running (never started on this database)"


def render(h: Health) -> str:
    """The whole status as text."""
    verdict = "healthy" if h.healthy else "UNHEALTHY"
    out = [f"RonR status at {h.now:%Y-%m-%d %H:%M:%S} UTC: {verdict}", f"Daemon: {_daemon_line(h)}", ""]
    if h.connectors:
        out.append(table(["connector", "last poll", "next poll", "paused until", "budget", "last error"], [
            (c.name, ago(c.last_poll, h.now), ago(c.next_poll, h.now),
             f"{c.paused_until:%Y-%m-%d %H:%M} UTC" if c.paused_until else "-", c.budget or "-",
             c.last_error or "-") for c in h.connectors]))
    else:
        out.append("No connector is enabled.")
    total = sum(h.queue.values())
    out += ["", table(["queue", *PRIORITIES, "total"], [
        ("pending", *(h.queue.get(p, 0) for p in PRIORITIES), total),
        ("past SLA", *(h.sla_breaches.get(p, 0) for p in PRIORITIES), sum(h.sla_breaches.values()))])]
    out.append(f"Oldest pending: {ago(h.oldest_pending, h.now)}.  Mentions stored: {h.mentions}.")
    states = [*OUTBOX_STATES, *sorted(set(h.outbox) - set(OUTBOX_STATES))]
    out += ["", "Outbox: " + ", ".join(f"{s} {h.outbox.get(s, 0)}" for s in states)]
    report = h.last_report
    if report is None or report.last_start is None:
        out.append("Weekly report: not run yet.")
    elif report.failing:
        out.append(f"Weekly report: last run {ago(report.last_error_at, h.now)} failed: {report.last_error}")
    else:
        out.append(f"Weekly report: last sent {ago(report.last_success, h.now)} ({report.last_summary}).")
    if h.jobs:
        out += ["", table(["job", "runs", "failures", "last success", "next run", "last result"], [
            (j.job, j.runs, j.failures, ago(j.last_success, h.now), ago(j.next_run, h.now),
             f"error: {j.last_error}" if j.failing else j.last_summary or "-") for j in h.jobs.values()])]
    if h.problems:
        out += ["", "Problems:", *(f"  - {p}" for p in h.problems)]
    if h.warnings:
        out += ["", "Warnings:", *(f"  - {w}" for w in h.warnings)]
    return "\n".join(out)


def as_json(h: Health) -> str:
    """The verdict and figures as JSON (for scripts)."""
    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None
    return json.dumps({
        "healthy": h.healthy, "running": h.running, "pid": h.pid, "problems": h.problems, "warnings": h.warnings,
        "connectors": [{"name": c.name, "last_poll": when(c.last_poll), "next_poll": when(c.next_poll),
                        "paused_until": when(c.paused_until), "last_error": c.last_error, "budget": c.budget}
                       for c in h.connectors],
        "queue": h.queue, "sla_breaches": h.sla_breaches, "oldest_pending": when(h.oldest_pending),
        "outbox": h.outbox}, indent=2)


@click.command("status")
@click.option("--json", "json_out", is_flag=True, help="Print JSON instead of tables.")
def status_cmd(json_out: bool) -> None:
    """Daemon, connectors, queue, outbox and weekly report at a glance; exit code 1 when unhealthy."""
    with runtime(existing=True) as rt:
        health = collect(rt.store, rt.settings, now(), rt.connectors, rt.connector_errors)
    click.echo(as_json(health) if json_out else render(health))
    if not health.healthy:
        raise SystemExit(1)
