"""The demo: weeks of sample history replayed through the real pipeline on a simulated clock.

Every stage runs for real (replay connector, store, triage, policy, queue, dispatch, loops). The
sample's recorded decisions by fictional community managers (data/sample/decisions.jsonl) are
applied through the same queue functions a person uses, at the time they were recorded, so the
Social ID has weeks of history to measure; the last day is left pending in the queue for you.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.dispatch import dispatch
from bot.loops import check_loops
from bot.models import Batch
from bot.pipeline import PollReport, poll_connector, process_new
from bot.queue import QueueError, approve, expire_stale, reject
from bot.runtime import Runtime, build_runtime
from connectors.replay import ReplayConnector


@dataclass
class DemoReport:
    """Totals of the simulated history."""

    poll: PollReport = field(default_factory=PollReport)
    decisions: Counter[str] = field(default_factory=Counter)
    posted: int = 0
    answered: int = 0


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fresh_demo_runtime(settings: Settings, database: Path, sink: Path) -> Runtime:
    """Remove an earlier demo database and sink, and open a new one over the sample data."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    sink.unlink(missing_ok=True)
    replay = ReplayConnector(settings.resolve(settings.connectors.replay.path), sink)
    return build_runtime(settings, database, connectors={"replay": replay})


def _apply(rt: Runtime, decision: dict[str, Any], at: datetime, report: DemoReport) -> None:
    item = rt.store.suggestions.for_mention(decision["platform"], str(decision["mention"]))
    if item is None or item.status != "pending":
        report.decisions["skipped (no pending suggestion)"] += 1
        return
    try:
        if decision["action"] == "reject":
            reject(rt.store, item.id, decision["by"], decision.get("reason", "not needed"), at)
        else:
            approve(rt.store, item.id, decision["by"], at, text=decision.get("text"))
        report.decisions[decision["action"]] += 1
    except QueueError:
        report.decisions["skipped (refused by the queue)"] += 1


def simulate(rt: Runtime, now: datetime, progress: Callable[[int, int], None] | None = None) -> DemoReport:
    """Replay the sample history up to ``now``: polls, decisions, posts and answers, in time order."""
    folder = rt.settings.resolve(rt.settings.connectors.replay.path)
    mentions = _read_jsonl(folder / "mentions.jsonl")
    created = {(m["platform"], str(m["platform_id"])): now + timedelta(minutes=float(m["minutes"]))
               for m in mentions}
    decisions = sorted(
        ((created[(d["platform"], str(d["mention"]))] + timedelta(minutes=float(d["after_minutes"])), d)
         for d in _read_jsonl(folder / "decisions.jsonl") if (d["platform"], str(d["mention"])) in created),
        key=lambda pair: pair[0])
    moments = sorted({t for t in created.values() if t <= now} | {t for t, _ in decisions if t <= now} | {now})
    report = DemoReport()
    start = ReplayConnector.start_cursor(now)
    rt.store.mentions.save_batch("replay", Batch((), start), moments[0])
    next_decision = 0
    for step, moment in enumerate(moments, start=1):
        poll_connector(rt, "replay", moment, report.poll)
        process_new(rt, moment, report.poll)
        while next_decision < len(decisions) and decisions[next_decision][0] <= moment:
            _apply(rt, decisions[next_decision][1], moment, report)
            next_decision += 1
        expire_stale(rt.store, moment, rt.settings.loops.timeout_hours)
        report.posted += len(dispatch(rt, moment).posted)
        report.answered += check_loops(rt, moment).answered
        if progress:
            progress(step, len(moments))
    return report
