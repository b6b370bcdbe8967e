"""poll -> store -> triage -> policy -> queue. Time is passed in; nothing here reads the clock."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bot.models import Mention, Suggestion, Triage
from bot.pipeline_batch import BatchDecider, copies_within
from bot.policy.gate import audit_blocked, propose
from bot.runtime import Runtime
from bot.store.ingest import Outcome
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
        # a transient fault waits out the connector's capped, jittered backoff (a pause, never a disable)
        backoff = exc.retry_at if exc.transient and exc.retry_at and exc.retry_at > now else None
        rt.store.mentions.record_poll_error(name, str(exc), now, paused_until=backoff)
        report.errors[name] = str(exc)
        log.warning("poll failed", extra={"connector": name, "error": str(exc)})
        return
    ids = rt.store.mentions.save_batch(name, batch, now)
    report.fetched[name] += len(batch.mentions)
    report.new[name] += len(ids)
    for problem in batch.problems:
        log.warning("payload problem: %s", problem, extra={"connector": name})


BATCH = 100
"""Mentions read, decided and written together. The write lock is held only for the write phase, one
transaction of a few statements per table (about 20-50 ms for 100 mentions on a shared 2-core machine,
mostly the queue-index and search triggers a new suggestion fires); the reads and the pure stage run
outside it, so the web queue's writes wait no longer than that. Batches of 250-1,000 were no faster in
side-by-side runs (the statements per batch are already few) and hold the lock 2-10 times longer."""


def process_new(rt: Runtime, now: datetime, report: PollReport, limit: int = 1000) -> None:
    """Triage every stored mention that has no triage yet, and queue the policy's suggestion.

    Batched: per :data:`BATCH` mentions, a few set-based reads, the pure stage per mention (a mention
    whose triage or policy raises is logged, stays stored and is retried next poll), then one write
    transaction. If that write fails, the batch is redone one mention at a time, so only the mention at
    fault is left for the next poll. The results are those of :func:`process_one_by_one`.
    """
    for waiting in _waiting(rt, report, limit):
        for first in range(0, len(waiting), BATCH):
            _process_batch(rt, waiting[first:first + BATCH], now, report)


def _waiting(rt: Runtime, report: PollReport, limit: int) -> Iterator[list[tuple[int, Mention]]]:
    """Mentions waiting for triage, up to ``limit`` at a time, without those that failed in this poll."""
    while True:
        batch = [(i, m) for i, m in rt.store.mentions.untriaged(limit + len(report.failed)) if i not in report.failed]
        if not batch:
            return
        yield batch


def _process_batch(rt: Runtime, batch: list[tuple[int, Mention]], now: datetime, report: PollReport) -> None:
    decider = BatchDecider(rt.settings, rt.rules, rt.brand, rt.triage_context, rt.sla_hours(), now)
    reads = rt.store.ingest.reads(batch, decider.handles(batch), decider.window, decider.midnight,
                                  decider.copies_within)
    outcomes: list[Outcome] = []
    for mention_id, mention in batch:
        try:
            outcome = decider.decide(mention_id, mention, reads, triage)
        except Exception as exc:  # one bad mention must not stop the others; it stays stored
            _failed(report, mention_id, exc)
            continue
        decider.remember(outcome, reads)
        outcomes.append(outcome)
    try:
        with rt.store.atomic():
            rt.store.ingest.write(outcomes, now)
    except Exception as exc:
        if not rt.store.ingest.row_at_fault(exc):
            raise  # the database itself refused (locked, full, read-only): one at a time would fail alike
        log.exception("could not store a batch of %d triaged mentions; storing them one at a time", len(outcomes))
        _one_by_one(rt, [(o.mention_id, o.mention) for o in outcomes], now, report)
        return
    for outcome in outcomes:
        _count(report, outcome.triage, outcome.proposal)


def process_one_by_one(rt: Runtime, now: datetime, report: PollReport, limit: int = 1000) -> None:
    """The reference semantics of :func:`process_new`: each mention read, decided and written on its own.

    Slow (about 20 statements a mention); the batched path must give the same stored results
    (tests/test_pipeline_batch.py), and falls back to this when a batch cannot be written.
    """
    for waiting in _waiting(rt, report, limit):
        _one_by_one(rt, waiting, now, report)


def _one_by_one(rt: Runtime, batch: list[tuple[int, Mention]], now: datetime, report: PollReport) -> None:
    ctx, hours = rt.triage_context, rt.sla_hours()
    for mention_id, mention in batch:
        try:
            with rt.store.atomic():  # the triage and its suggestion land together or not at all
                _process_one(rt, ctx, hours, mention_id, mention, now, report)
        except Exception as exc:  # one bad mention must not stop the others; it stays stored
            _failed(report, mention_id, exc)


def _failed(report: PollReport, mention_id: int, exc: Exception) -> None:
    report.failed[mention_id] = f"{type(exc).__name__}: {exc}"
    log.exception("could not triage mention %d; it stays stored and is retried next poll",
                  mention_id, extra={"mention": mention_id})


def _process_one(rt: Runtime, ctx: TriageContext, hours: dict[str, float], mention_id: int, mention: Mention,
                 now: datetime, report: PollReport) -> None:
    copies = rt.store.mentions.authors_with_same_text(mention.text, mention.created_at, copies_within(ctx))
    result = triage(mention, ctx, now, duplicate_authors=copies)
    proposal = propose(rt, mention_id, mention, result, now)  # policy engine, then the guardrails
    due = sla_due(mention.created_at, result.priority, hours)
    rt.store.suggestions.record_triage(mention_id, result, now)
    if proposal is not None:
        added = rt.store.suggestions.add(mention, mention_id, proposal, result.priority, due, now)
        if proposal.blocked_by:  # shown in the queue with its reasons; no loop is owed
            audit_blocked(rt, "suggestion", added, proposal.blocked_by, now)
        elif proposal.action == "reply":
            rt.store.loops.open(mention_id, result.priority, due, result.sentiment.compound)
    _count(report, result, proposal)


def _count(report: PollReport, result: Triage, proposal: Suggestion | None) -> None:
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
