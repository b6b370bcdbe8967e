"""Weekly reports sent or owed, approval decisions per rule, and the queue's health."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.store.database import iso, parse_time, transaction


@dataclass(frozen=True)
class ReportRow:
    """One weekly email to one recipient: what it covers and how sending went."""

    id: int
    week: str
    recipient: str
    accounts: tuple[str, ...]
    status: str
    attempts: int
    message_id: str
    last_error: str
    sent_at: datetime | None


@dataclass(frozen=True)
class DecisionRow:
    """A suggestion and the human decision on it (None while undecided)."""

    rule_id: str
    account: str
    created_at: datetime
    status: str
    decided_at: datetime | None
    suggested_text: str
    final_text: str
    reason: str
    kind: str = "reply"  # or "follow_up": the rule's follow-up question


@dataclass(frozen=True)
class QueueHealth:
    """The approval queue at a moment: how much waits, for how long, and what is stuck."""

    pending: int
    overdue: int
    oldest_pending: datetime | None
    blocked: int
    outbox_failed: int


def _report(r: dict[str, Any]) -> ReportRow:
    return ReportRow(id=int(r["id"]), week=r["week"], recipient=r["recipient"],
                     accounts=tuple(json.loads(r["accounts"])),
                     status=r["status"], attempts=int(r["attempts"]), message_id=r["message_id"],
                     last_error=r["last_error"], sent_at=parse_time(r["sent_at"]))


# "owed" (recorded), "sending" (claimed, message not complete) and "failed" are retried by the next run
RETRYABLE = "'owed', 'sending', 'failed'"
UNCERTAIN = "the process or connection stopped after the whole message was sent; the server may have accepted it"


class ReportStore:
    """Records every weekly email before it is sent, so none is lost and none goes out twice.

    Status: "owed" -> "sending" (claimed) -> "uncertain" (the moment before the end-of-data mark) -> "sent";
    an error before the end-of-data mark, or a refusal after it, makes it "failed" (retried).
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def claim(self, week: str, recipient: str, accounts: tuple[str, ...], message_id: str,
              now: datetime) -> ReportRow | None:
        """Mark the email "sending" and return it; None when it was sent or may have been (uncertain)."""
        with transaction(self.db):
            self.db.execute(
                """INSERT INTO reports (week, recipient, accounts, status, message_id, created_at, updated_at)
                   VALUES (?, ?, ?, 'owed', ?, ?, ?) ON CONFLICT (week, recipient) DO NOTHING""",
                [week, recipient, json.dumps(list(accounts)), message_id, iso(now), iso(now)])
            cur = self.db.execute(
                f"""UPDATE reports SET status = 'sending', attempts = attempts + 1, updated_at = ?
                   WHERE week = ? AND recipient = ? AND status IN ({RETRYABLE})""", [iso(now), week, recipient])
            if not cur.rowcount:
                return None
            row = next(iter(self.db.query("SELECT * FROM reports WHERE week = ? AND recipient = ?",
                                          [week, recipient])))
            return _report(row)

    def sent(self, report_id: int, now: datetime) -> None:
        """The SMTP server accepted the message."""
        with transaction(self.db):
            self.db.execute("UPDATE reports SET status = 'sent', sent_at = ?, updated_at = ?, last_error = '' "
                            "WHERE id = ?", [iso(now), iso(now), report_id])

    def failed(self, report_id: int, error: str, now: datetime) -> None:
        """Sending failed: keep it owed, with the reason, for the next run."""
        with transaction(self.db):
            self.db.execute("UPDATE reports SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?",
                            [error[:500], iso(now), report_id])

    def committing(self, report_id: int, now: datetime) -> None:
        """The whole message is with the server and only the end-of-data mark is left to send: from here on a
        crash leaves the email "uncertain" (the server may have accepted it), never resent automatically."""
        with transaction(self.db):
            self.db.execute("UPDATE reports SET status = 'uncertain', last_error = ?, updated_at = ? WHERE id = ?",
                            [UNCERTAIN, iso(now), report_id])

    def lost_reply(self, report_id: int, error: str, now: datetime) -> None:
        """The connection failed after the end-of-data mark: the email stays uncertain, with the reason."""
        with transaction(self.db):
            self.db.execute("UPDATE reports SET last_error = ?, updated_at = ? WHERE id = ? AND status = 'uncertain'",
                            [f"{UNCERTAIN} ({error})"[:500], iso(now), report_id])

    def owed(self) -> list[ReportRow]:
        """Emails recorded but not sent (failed, or interrupted before the message was complete), oldest week
        first. Uncertain ones are not owed: a person decides (:meth:`release`)."""
        return [_report(r) for r in self.db.query(
            f"SELECT * FROM reports WHERE status IN ({RETRYABLE}) ORDER BY week, recipient")]

    def uncertain(self) -> list[ReportRow]:
        """Emails the server may or may not have accepted (a crash or a lost reply after the message was sent)."""
        return [_report(r) for r in self.db.query(
            "SELECT * FROM reports WHERE status = 'uncertain' ORDER BY week, recipient")]

    def release(self, report_id: int, status: str, now: datetime) -> None:
        """A person checked the inbox: "failed" (it did not arrive: send it again) or "sent" (it did)."""
        if status not in ("failed", "sent"):
            raise ValueError(f"release to {status!r}: only 'failed' or 'sent'")
        note = "not received (checked by a person); send again" if status == "failed" else ""
        with transaction(self.db):
            self.db.execute(
                "UPDATE reports SET status = ?, last_error = ?, updated_at = ?, sent_at = CASE WHEN ? = 'sent' "
                "THEN coalesce(sent_at, ?) END WHERE id = ? AND status = 'uncertain'",
                [status, note, iso(now), status, iso(now), report_id])

    def for_week(self, week: str) -> list[ReportRow]:
        """Every email recorded for ``week``."""
        return [_report(r) for r in self.db.query("SELECT * FROM reports WHERE week = ? ORDER BY recipient",
                                                  [week])]

    def decisions(self, start: datetime, end: datetime, account: str | None = None) -> list[DecisionRow]:
        """Reply and follow-up suggestions made in [start, end) and what people decided on them."""
        extra, params = (" AND s.account = ?", [account]) if account else ("", [])
        rows = self.db.query(
            f"""SELECT s.rule_id, s.account, s.created_at, s.status, s.text, ap.at, ap.final_text, ap.reason, s.kind
                FROM suggestions s LEFT JOIN approvals ap ON ap.suggestion_id = s.id
                WHERE s.created_at >= ? AND s.created_at < ? AND s.kind IN ('reply', 'follow_up')
                  AND s.action = 'reply'{extra}
                ORDER BY s.created_at""", [iso(start), iso(end), *params])
        return [DecisionRow(rule_id=r["rule_id"], account=r["account"],
                            created_at=datetime.fromisoformat(r["created_at"]), status=r["status"],
                            decided_at=parse_time(r["at"]), suggested_text=r["text"] or "",
                            final_text=r["final_text"] or "", reason=r["reason"] or "", kind=r["kind"]) for r in rows]

    def queue_health(self, now: datetime, account: str | None = None) -> QueueHealth:
        """Pending items, those past their SLA at ``now``, the oldest, blocked ones and failed posts."""
        extra, params = (" AND account = ?", [account]) if account else ("", [])
        row = self.db.execute(
            f"""SELECT coalesce(sum(status = 'pending'), 0), coalesce(sum(status = 'pending' AND sla_due < ?), 0),
                  min(CASE WHEN status = 'pending' THEN created_at END), coalesce(sum(status = 'blocked'), 0)
                FROM suggestions WHERE status IN ('pending', 'blocked'){extra}""", [iso(now), *params]).fetchone()
        failed = self.db.execute("SELECT count(*) FROM outbox WHERE state IN ('failed', 'needs_review')").fetchone()[0]
        return QueueHealth(pending=int(row[0]), overdue=int(row[1]), oldest_pending=parse_time(row[2]),
                           blocked=int(row[3]), outbox_failed=int(failed))
