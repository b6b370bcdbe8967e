"""Sending a week's reports for a running RonR: the one path the CLI and the daemon share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.report.figures import WeekFigures, week_figures
from bot.report.send import SendOutcome, SmtpTransport, send_reports
from bot.runtime import Runtime
from bot.socialid import week_of


def last_week(now: datetime, timezone: str) -> str:
    """The ISO week before the one ``now`` falls in: the week a weekly report is about."""
    return week_of(now - timedelta(days=7), timezone)


def send_week(rt: Runtime, week: str, now: datetime) -> SendOutcome:
    """Email ``week``'s reports (and any owed from earlier runs) through the configured SMTP server.

    Raises :class:`bot.report.send.ReportError` when nobody is configured to receive them.
    """
    def figures(name: str, accounts: Sequence[str] | None) -> WeekFigures:
        return week_figures(rt.store, rt.settings, rt.rules, name, now, accounts)

    with SmtpTransport(rt.settings.report.smtp) as transport:
        return send_reports(rt.store, rt.settings, week, figures, transport, now)
