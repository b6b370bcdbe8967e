"""Sending a week's reports for a running RonR: the one path the CLI and the daemon share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

from bot.daemon.lock import AlreadyRunning, InstanceLock, holder
from bot.report.figures import WeekFigures, week_figures
from bot.report.send import ReportError, SendOutcome, SmtpTransport, send_reports
from bot.runtime import Runtime
from bot.socialid import week_of
from bot.store import Store


def last_week(now: datetime, timezone: str) -> str:
    """The ISO week before the one ``now`` falls in: the week a weekly report is about."""
    return week_of(now - timedelta(days=7), timezone)


def send_week(rt: Runtime, week: str, now: datetime) -> SendOutcome:
    """Email ``week``'s reports (and any owed from earlier runs) through the configured SMTP server.

    Only one process sends at a time (a lock next to the database; the system drops it if the holder dies):
    raises :class:`SendingElsewhere` when another is sending, :class:`bot.report.send.ReportError` when
    nobody is configured to receive them.
    """
    def figures(name: str, accounts: Sequence[str] | None) -> WeekFigures:
        return week_figures(rt.store, rt.settings, rt.rules, name, now, accounts)

    lock = InstanceLock(sender_lock(Path(rt.store.path)))
    try:
        lock.acquire()
    except AlreadyRunning:
        pid = holder(sender_lock(Path(rt.store.path)))
        raise SendingElsewhere(
            f"another process{f' (pid {pid})' if pid else ''} is sending the weekly email from {rt.store.path} right "
            "now; two at once could send a week twice, so nothing was sent. Run it again when that one has finished"
        ) from None
    try:
        with SmtpTransport(rt.settings.report.smtp) as transport:
            return send_reports(rt.store, rt.settings, week, figures, transport, now)
    finally:
        lock.release()


def sender_lock(database: Path) -> Path:
    """The path :class:`InstanceLock` locks while one process sends the weekly email (``ronr.db.report.lock``)."""
    return database.with_name(database.name + ".report")


class SendingElsewhere(ReportError):
    """Another process is sending the weekly email from the same database right now."""


def uncertain_lines(store: Store) -> list[str]:
    """One line per email the SMTP server may or may not have accepted, with what to do about it
    (for `ronr report` and `ronr status`)."""
    return [f"weekly email {r.week} to {r.recipient} is uncertain: {r.last_error}. Check their inbox, then run "
            f"`ronr report --week {r.week} --send --resend {parseaddr(r.recipient)[1]}` if it did not arrive, or "
            f"`ronr report --week {r.week} --delivered {parseaddr(r.recipient)[1]}` if it did"
            for r in store.reports.uncertain()]


def release(store: Store, week: str, address: str, status: str, now: datetime) -> str:
    """Settle ``week``'s uncertain email to ``address`` after a person checked the inbox: "failed" sends it again
    on the next send, "sent" records it as delivered. Returns the recipient as stored; ReportError when
    there is no such uncertain email."""
    wanted = parseaddr(address)[1].lower() or address.strip().lower()
    rows = [r for r in store.reports.uncertain() if r.week == week and parseaddr(r.recipient)[1].lower() == wanted]
    if not rows:
        others = ", ".join(f"{r.week} {parseaddr(r.recipient)[1]}" for r in store.reports.uncertain()) or "none"
        raise ReportError(f"no uncertain weekly email for {week} to {address} (uncertain ones: {others})")
    for row in rows:
        store.reports.release(row.id, status, now)
        store.audit.record("cli", "report_resend" if status == "failed" else "report_delivered", "report", row.id,
                           {"week": week, "recipient": row.recipient}, now)
    return rows[0].recipient
