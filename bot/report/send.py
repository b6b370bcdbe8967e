"""Send the weekly email over SMTP: each (week, recipient) at most once, a failed one again on the next run.

Every email is recorded as "sending" before the SMTP session and marked "uncertain" at the last moment
the outcome is still known: the whole message has gone to the server and only the end-of-data mark
("." on its own line) is left. A crash or a broken connection before that mark leaves nothing at the
server (SMTP drops an unfinished message), so "sending" and "failed" are retried by the next run. After
it, the server may have accepted the message and we cannot know, so an "uncertain" email is never sent
again automatically: `ronr report` and `ronr status` name it with the command to run after checking the
inbox. A refusal the server states (4xx/5xx) is "failed", retried. The Message-ID is derived from the
week and the recipient, so a resend carries the same id.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, getaddresses, parseaddr
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
    """What a send run did, per recipient; ``uncertain`` lists every email (this run's or older) a person must
    check, with the reason."""

    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    uncertain: list[tuple[str, str]] = field(default_factory=list)


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


def _no_trace(step: str) -> None:
    """The default trace: nothing to observe."""


def _payload(msg: EmailMessage) -> tuple[str, list[str], bytes, bool]:
    """Envelope sender, recipients, the dot-stuffed CRLF body without the end-of-data mark, and whether
    the addresses need SMTPUTF8."""
    sender = parseaddr(str(msg["From"]))[1]
    rcpts = [address for _, address in getaddresses([str(msg["To"])]) if address]
    international = any(not a.isascii() for a in (sender, *rcpts))
    raw = msg.as_bytes(policy=SMTPUTF8 if international else SMTP)
    body = re.sub(rb"(?m)^\.", b"..", re.sub(rb"\r\n|\r|\n", b"\r\n", raw))
    return sender, rcpts, body if body.endswith(b"\r\n") else body + b"\r\n", international


class SmtpTransport:
    """One SMTP session: implicit TLS, STARTTLS or plain, logging in when a username is set.

    ``trace`` is told each step as it completes ("connected", "mail", "rcpt", "data", "body", "committing",
    "accepted"): the crash tests stop the process there.
    """

    def __init__(self, smtp: SmtpSettings, context: ssl.SSLContext | None = None,
                 trace: Callable[[str], None] = _no_trace) -> None:
        self.smtp = smtp
        self.context = context or ssl.create_default_context()
        self.trace = trace
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

    def _connect(self) -> smtplib.SMTP:
        if self.client is None:
            s = self.smtp
            try:
                if s.security == "tls":
                    client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds,
                                                            context=self.context)
                else:
                    client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            except (ConnectionError, TimeoutError, socket.gaierror) as exc:  # say where, not just "refused"
                raise OSError(f"cannot reach the SMTP server {s.host}:{s.port} ([report.smtp] host and port): "
                              f"{type(exc).__name__}: {exc}") from None
            if s.security == "starttls":
                client.starttls(context=self.context)
            if self.username and self.password:
                client.login(self.username, self.password)
            client.ehlo_or_helo_if_needed()
            self.client = client
            self.trace("connected")
        return self.client

    def send(self, msg: EmailMessage, committing: Callable[[], None] = lambda: None) -> None:
        """Send one message, connecting on first use; ``committing`` runs right before the end-of-data mark.

        Raises smtplib.SMTPException or OSError; after any error the session is dropped (the next send
        connects afresh)."""
        sender, rcpts, body, international = _payload(msg)
        try:
            client = self._connect()
            self._envelope(client, sender, rcpts, international)
            code, reply = client.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            self.trace("data")
            client.send(body)
            self.trace("body")
            committing()
            self.trace("committing")
            client.send(b".\r\n")
            code, reply = client.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
            self.trace("accepted")
        except (smtplib.SMTPException, OSError):
            self._drop()
            raise

    def _envelope(self, client: smtplib.SMTP, sender: str, rcpts: Sequence[str], international: bool) -> None:
        code, reply = client.mail(sender, ["SMTPUTF8", "BODY=8BITMIME"] if international else [])
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        self.trace("mail")
        for rcpt in rcpts:
            code, reply = client.rcpt(rcpt)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({rcpt: (code, reply)})
        self.trace("rcpt")

    def _drop(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


def send_reports(store: Store, settings: Settings, week: str, figures: Figures, transport: SmtpTransport,
                 now: datetime) -> SendOutcome:
    """Send ``week``'s emails and any owed from earlier runs; each recipient's week at most once."""
    outcome = SendOutcome()
    jobs = [(row.week, row.recipient, row.accounts) for row in store.reports.owed() if row.week != week]
    jobs += [(week, address, accs) for address, accs in recipients(settings, store.relationships.accounts()).items()]
    if not jobs:
        raise ReportError("report.recipients: nobody to send to. Fix: add e.g. \"*\" = [\"lead@example.com\"] "
                          "under [report.recipients] in bot.toml")
    doubtful = {(r.week, r.recipient) for r in store.reports.uncertain()}
    for job_week, address, accounts in jobs:
        mid = message_id(job_week, address, settings.report.from_address)
        row = store.reports.claim(job_week, address, accounts, mid, now)
        if row is None:
            if (job_week, address) not in doubtful:
                outcome.already.append(f"{job_week} {address}")
            continue
        msg = build_message(figures(job_week, row.accounts), address, settings.report.from_address,
                            row.message_id, now)
        status, error = _deliver(store, transport, row.id, msg, now)
        if status == "sent":
            outcome.sent.append(f"{job_week} {address}")
        elif status == "failed":
            outcome.failed.append((f"{job_week} {address}", error))
    outcome.uncertain = [(f"{r.week} {r.recipient}", r.last_error) for r in store.reports.uncertain()]
    return outcome


def _deliver(store: Store, transport: SmtpTransport, report_id: int, msg: EmailMessage, now: datetime
             ) -> tuple[str, str]:
    """Send one claimed email and record how it went: ("sent" | "failed" | "uncertain", error)."""
    committed = []

    def committing() -> None:
        store.reports.committing(report_id, now)
        committed.append(True)

    try:
        transport.send(msg, committing)
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
        if committed and not isinstance(exc, smtplib.SMTPResponseException):
            store.reports.lost_reply(report_id, error, now)
            return "uncertain", error
        store.reports.failed(report_id, error, now)  # nothing reached the server, or it said no: send again
        return "failed", error
    store.reports.sent(report_id, now)
    return "sent", ""
