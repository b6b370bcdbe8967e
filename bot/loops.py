"""Following conversations until the loop closes: the author's answer, or time, closes it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.models import Suggestion
from bot.policy.gate import audit_blocked, guard, rule_by_id
from bot.policy.rules import TRIGGERS
from bot.runtime import Runtime
from bot.triage.priority import sla_due
from bot.triage.sentiment import score_in_language
from connectors.base import ConnectorError

log = logging.getLogger(__name__)


@dataclass
class LoopReport:
    """What a loop check did."""

    answered: int = 0
    timed_out: int = 0
    declined: int = 0
    missed: int = 0
    follow_ups: int = 0


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
                mood = score_in_language(first.text, first.lang).compound
                rt.store.loops.answered(loop.id, answer_id, first.created_at, mood)
            report.answered += 1
        elif loop.replied_at is not None and now - loop.replied_at > timeout:
            rt.store.loops.close(loop.id, "timeout", loop.replied_at + timeout)
            report.timed_out += 1
    for loop in rt.store.loops.declined_waiting():
        rt.store.loops.close(loop.id, "declined", now)
        report.declined += 1
    for loop in rt.store.loops.expired_waiting():
        rt.store.loops.close(loop.id, "missed", now)
        report.missed += 1
    for loop in rt.store.loops.in_state("waiting_reply"):
        if now - loop.opened_at > timeout:
            rt.store.loops.close(loop.id, "missed", loop.opened_at + timeout)
            report.missed += 1
    report.follow_ups = queue_follow_ups(rt, now)
    return report


def queue_follow_ups(rt: Runtime, now: datetime) -> int:
    """Queue follow-up questions for a person to approve (kind ``follow_up``); never posts anything.

    A rule's ``[follow_up]`` is asked when the author answers our reply, or after ``after_hours`` of
    silence (as its ``when`` says), at most once per loop, and checked by the guardrails like any reply.
    """
    queued = 0
    recent = now - timedelta(hours=rt.settings.loops.timeout_hours)
    for due in rt.store.follow_ups.due_on_answer(recent) + rt.store.follow_ups.due_on_silence(now):
        rule = rule_by_id(rt.rules, due.rule_id)
        if due.trigger not in (rule.follow_up_when if rule else TRIGGERS):
            continue
        mention = rt.store.mentions.get(due.target_id)
        why = (f"follow-up of rule {due.rule_id}", "the author answered our reply" if due.trigger == "answer"
               else f"no answer {due.after_hours:g}h after our reply")
        proposal = guard(rt, due.target_id, mention, Suggestion(due.rule_id, "reply", due.text, why=why), now,
                         kind="follow_up")
        with rt.store.atomic():
            added = rt.store.suggestions.add(mention, due.target_id, proposal, due.priority,
                                             sla_due(now, due.priority, rt.sla_hours()), now, kind="follow_up")
            rt.store.follow_ups.mark(due.loop_id, added, due.trigger, now)
            if proposal.blocked_by:
                audit_blocked(rt, "suggestion", added, proposal.blocked_by, now)
        queued += added is not None
    return queued
