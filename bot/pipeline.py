"""poll -> store -> triage -> policy -> queue. Time is passed in; nothing here reads the clock."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.models import Mention
from bot.policy.gate import audit_blocked, propose
from bot.runtime import Runtime
from bot.triage import TriageContext, triage
from bot.triage.priority import sla_due
from connectors.base import ConnectorError, RateLimited

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    """What one poll of every connector brought in, and what the pipeline made of it."""

    fetched: Counter[str] = field(default_factory=Counter)
    new: Counter[str] = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    triaged: int = 0
    queued: int = 0
    ignored: int = 0
    intents: Counter[str] = field(default_factory=Counter)
    priorities: Counter[str] = field(default_factory=Counter)
    failed: dict[int, str] = field(default_factory=dict)


def poll_connector(rt: Runtime, name: str, now: datetime, report: PollReport) -> None:
    """Poll one connector and commit what it fetched with its new cursor; record any failure."""
    state = rt.store.mentions.cursor_state(name)
    if state.paused_until and state.paused_until > now:
        report.skipped[name] = f"paused until {state.paused_until.isoformat()} ({state.pause_reason})"
        return
    try:
        batch = rt.connectors[name].poll(state.cursor, now)
    except RateLimited as exc:
        rt.store.mentions.record_poll_error(name, str(exc), now, paused_until=exc.until)
        report.errors[name] = str(exc)
        return
    except ConnectorError as exc:
        rt.store.mentions.record_poll_error(name, str(exc), now)
        report.errors[name] = str(exc)
        log.warning("poll failed", extra={"connector": name, "error": str(exc)})
        return
    ids = rt.store.mentions.save_batch(name, batch, now)
    report.fetched[name] += len(batch.mentions)
    report.new[name] += len(ids)
    for problem in batch.problems:
        log.warning("payload problem: %s", problem, extra={"connector": name})


COMMIT_EVERY = 100
"""Mentions processed per commit: a commit costs about as much as triaging a mention, and holding the write
lock for 100 of them (tens of milliseconds) keeps the web queue's writes waiting no longer than that."""


def process_new(rt: Runtime, now: datetime, report: PollReport, limit: int = 1000) -> None:
    """Triage every stored mention that has no triage yet, and queue the policy's suggestion."""
    ctx = rt.triage_context
    hours = rt.sla_hours()
    while True:
        batch = [(i, m) for i, m in rt.store.mentions.untriaged(limit + len(report.failed)) if i not in report.failed]
        if not batch:
            return
        for first in range(0, len(batch), COMMIT_EVERY):
            with rt.store.atomic():  # one commit per group; each mention inside is its own savepoint
                for mention_id, mention in batch[first:first + COMMIT_EVERY]:
                    try:
                        _process_one(rt, ctx, hours, mention_id, mention, now, report)
                    except Exception as exc:  # one bad mention must not stop the others; it stays stored
                        report.failed[mention_id] = f"{type(exc).__name__}: {exc}"
                        log.exception("could not triage mention %d; it stays stored and is retried next poll",
                                      mention_id, extra={"mention": mention_id})


def _process_one(rt: Runtime, ctx: TriageContext, hours: dict[str, float], mention_id: int, mention: Mention,
                 now: datetime, report: PollReport) -> None:
    copies = rt.store.mentions.authors_with_same_text(mention.text)
    result = triage(mention, ctx, now, duplicate_authors=copies)
    proposal = propose(rt, mention_id, mention, result, now)  # policy engine, then the guardrails
    due = sla_due(mention.created_at, result.priority, hours)
    with rt.store.atomic():  # the triage and its suggestion land together or not at all
        rt.store.suggestions.record_triage(mention_id, result, now)
        if proposal is not None:
            added = rt.store.suggestions.add(mention, mention_id, proposal, result.priority, due, now)
            if proposal.blocked_by:  # shown in the queue with its reasons; no loop is owed
                audit_blocked(rt, "suggestion", added, proposal.blocked_by, now)
            elif proposal.action == "reply":
                rt.store.loops.open(mention_id, result.priority, due, result.sentiment.compound)
    report.triaged += 1
    report.intents.update(result.intents or ("none",))
    report.priorities[result.priority] += 1
    if proposal is not None:
        if proposal.action == "ignore":
            report.ignored += 1
        else:
            report.queued += 1


def poll_once(rt: Runtime, now: datetime) -> PollReport:
    """One poll of every enabled connector through the whole pipeline."""
    report = PollReport()
    for name in rt.connectors:
        poll_connector(rt, name, now, report)
    process_new(rt, now, report)
    return report
