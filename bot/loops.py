"""Following conversations until the loop closes: the author's answer, or time, closes it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.runtime import Runtime
from bot.triage.sentiment import score_sentiment
from connectors.base import ConnectorError

log = logging.getLogger(__name__)


@dataclass
class LoopReport:
    """What a loop check did."""

    answered: int = 0
    timed_out: int = 0
    declined: int = 0
    missed: int = 0


def check_loops(rt: Runtime, now: datetime) -> LoopReport:
    """Look for the authors' answers to our replies and close loops whose time is up."""
    report = LoopReport()
    timeout = timedelta(hours=rt.settings.loops.timeout_hours)
    for loop in rt.store.loops.in_state("waiting_answer"):
        mention = rt.store.mentions.get(loop.mention_id)
        connector = rt.connectors.get(rt.store.mentions.connector_of(loop.mention_id))
        answers = []
        if connector is not None and loop.replied_at is not None:
            try:
                answers = connector.thread_since(mention, loop.replied_at, now)
            except ConnectorError as exc:
                log.warning("follow-up check failed: %s", exc, extra={"loop": loop.id})
        own = [a for a in answers if a.author.platform_id == mention.author.platform_id]
        if own:
            first = own[0]
            with rt.store.atomic():
                ids = rt.store.mentions.insert(connector.name if connector else "", own, now)
                answer_id = ids[0] if ids else rt.store.mentions.id_of(first.platform, first.platform_id)
                rt.store.loops.answered(loop.id, answer_id, first.created_at, score_sentiment(first.text).compound)
            report.answered += 1
        elif loop.replied_at is not None and now - loop.replied_at > timeout:
            rt.store.loops.close(loop.id, "timeout", loop.replied_at + timeout)
            report.timed_out += 1
    for loop in rt.store.loops.declined_waiting():
        rt.store.loops.close(loop.id, "declined", now)
        report.declined += 1
    for loop in rt.store.loops.in_state("waiting_reply"):
        if now - loop.opened_at > timeout:
            rt.store.loops.close(loop.id, "missed", loop.opened_at + timeout)
            report.missed += 1
    return report
