"""Send the weekly email over SMTP: each (week, recipient) once, a failed one again on the next run.

Every email is recorded as "sending" before the SMTP call and "sent" once the server accepted it;
a failure is recorded with its reason and retried by the next run. The Message-ID is derived from
the week and the recipient, so the one retry after a crash mid-send carries the same id.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from types import TracebackType

from bot.config import Settings
from bot.config.settings import SmtpSettings, secret
from bot.report.figures import WeekFigures
from bot.report.render import render_html, render_text, subject
from bot.store import Store

Figures = Callable[[str, Sequence[str]], WeekFigures]


class ReportError(Exception):
    """The report cannot be sent as configured (one line naming the setting to fix)."""


@dataclass
class SendOutcome:
    """What a send run did, per recipient."""

    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def recipients(settings: Settings, accounts: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each recipient address and the accounts their email covers ("*" covers every account)."""
    found: dict[str, list[str]] = {}
    for account in accounts:
        for address in [*settings.report.recipients.get("*", []), *settings.report.recipients.get(account, [])]:
            if account not in found.setdefault(address, []):
                found[address].append(account)
    return {a: tuple(sorted(accs)) for a, accs in sorted(found.items())}


def message_id(week: str, recipient: str, from_address: str) -> str:
    """A stable Message-ID for one week's email to one recipient."""
    domain = parseaddr(from_address)[1].rpartition("@")[2] or "ronr.localhost"
    return f"<ronr-{week}-{hashlib.sha1(recipient.lower().encode()).hexdigest()[:12]}@{domain}>"


def build_message(figures: WeekFigures, recipient: str, from_address: str, msg_id: str,
                  now: datetime) -> EmailMessage:
    """A multipart/alternative email: the plain-text part first, the HTML part preferred."""
    msg = EmailMessage()
    msg["Subject"] = subject(figures)
    msg["From"] = from_address
    msg["To"] = recipient
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render_text(figures))
    msg.add_alternative(render_html(figures), subtype="html")
    return msg


class SmtpTransport:
    """One SMTP session: implicit TLS, STARTTLS or plain, logging in when a username is set."""

    def __init__(self, smtp: SmtpSettings, context: ssl.SSLContext | None = None) -> None:
        self.smtp = smtp
        self.context = context or ssl.create_default_context()
        self.username, self.password = secret(smtp.username_env), secret(smtp.password_env)
        if self.username and not self.password:
            raise ReportError(f"report.smtp.password_env: {smtp.username_env} is set but {smtp.password_env} is "
                              f"empty. Fix: export {smtp.password_env}, or unset {smtp.username_env}")
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()

    def send(self, msg: EmailMessage) -> None:
        """Send one message, connecting on first use; raises smtplib.SMTPException or OSError."""
        if self.client is None:
            s = self.smtp
            if s.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=self.context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
                if s.security == "starttls":
                    client.starttls(context=self.context)
            if self.username and self.password:
                client.login(self.username, self.password)
            self.client = client
        self.client.send_message(msg)


def send_reports(store: Store, settings: Settings, week: str, figures: Figures, transport: SmtpTransport,
                 now: datetime) -> SendOutcome:
    """Send ``week``'s emails and any owed from earlier runs; each recipient's week at most once."""
    outcome = SendOutcome()
    jobs = [(row.week, row.recipient, row.accounts) for row in store.reports.owed() if row.week != week]
    jobs += [(week, address, accs) for address, accs in recipients(settings, store.relationships.accounts()).items()]
    if not jobs:
        raise ReportError("report.recipients: nobody to send to. Fix: add e.g. \"*\" = [\"lead@example.com\"] "
                          "under [report.recipients] in bot.toml")
    for job_week, address, accounts in jobs:
        mid = message_id(job_week, address, settings.report.from_address)
        row = store.reports.claim(job_week, address, accounts, mid, now)
        if row is None:
            outcome.already.append(f"{job_week} {address}")
            continue
        try:
            msg = build_message(figures(job_week, row.accounts), address, settings.report.from_address,
                                row.message_id, now)
            transport.send(msg)
        except (smtplib.SMTPException, OSError) as exc:
            store.reports.failed(row.id, f"{type(exc).__name__}: {exc}", now)
            outcome.failed.append((f"{job_week} {address}", f"{type(exc).__name__}: {exc}"))
            continue
        store.reports.sent(row.id, now)
        outcome.sent.append(f"{job_week} {address}")
    return outcome
