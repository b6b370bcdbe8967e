"""Dispatch posts each approved reply exactly once, across crashes; loops close on answers or time."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.dispatch import dispatch, reconcile
from bot.loops import check_loops
from bot.models import Mention, Posted
from bot.pipeline import poll_once
from bot.queue import approve, expire_stale, reject
from bot.runtime import Runtime, build_runtime
from connectors.base import ConnectorError
from tests.conftest import NOW, mention


def _sink(rt: Runtime) -> list[dict[str, str]]:
    path = rt.settings.resolve(rt.settings.connectors.replay.sink)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _approve_first(rt: Runtime) -> int:
    poll_once(rt, NOW)
    item = rt.store.suggestions.pending()[0]
    approve(rt.store, item.id, "maya", NOW + timedelta(minutes=5))
    return item.id


def test_nothing_is_posted_without_approval(rt: Runtime) -> None:
    poll_once(rt, NOW)
    report = dispatch(rt, NOW + timedelta(hours=1))
    assert report.posted == [] and _sink(rt) == []


def test_approved_reply_is_posted_once_and_recorded(rt: Runtime) -> None:
    _approve_first(rt)
    first = dispatch(rt, NOW + timedelta(minutes=6))
    second = dispatch(rt, NOW + timedelta(minutes=7))
    assert len(first.posted) == 1 and second.posted == []
    posts = _sink(rt)
    assert len(posts) == 1
    item = rt.store.outbox.get(first.posted[0])
    assert item is not None and item.state == "posted" and item.reply_platform_id == posts[0]["reply_id"]
    assert item.posted_at == NOW + timedelta(minutes=6)
    loop = rt.store.loops.in_state("waiting_answer")
    assert len(loop) == 1 and loop[0].replied_at == NOW + timedelta(minutes=6)


class CrashAfterPost:
    """Wraps a connector: posts for real, then 'crashes' before the result can be recorded."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = "replay"

    def __getattr__(self, attr: str) -> object:
        return getattr(self.inner, attr)

    def post_reply(self, to: Mention, text: str, key: str, now: object) -> Posted:
        self.inner.post_reply(to, text, key, now)  # type: ignore[attr-defined]
        raise KeyboardInterrupt("simulated crash after the platform accepted the post")


def test_crash_after_posting_is_reconciled_without_a_second_post(rt: Runtime) -> None:
    _approve_first(rt)
    real = rt.connectors["replay"]
    rt.connectors["replay"] = CrashAfterPost(real)  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        dispatch(rt, NOW + timedelta(minutes=6))
    assert rt.store.outbox.counts() == {"sending": 1}
    rt.connectors["replay"] = real
    report = reconcile(rt, NOW + timedelta(minutes=8))
    assert len(report.reconciled) == 1
    assert dispatch(rt, NOW + timedelta(minutes=9)).posted == []
    assert len(_sink(rt)) == 1
    assert rt.store.outbox.counts() == {"posted": 1}


def test_crash_before_posting_is_retried_once(rt: Runtime) -> None:
    _approve_first(rt)
    item = rt.store.outbox.due(NOW + timedelta(minutes=6))[0]
    assert rt.store.outbox.claim(item.id, NOW + timedelta(minutes=6))  # then the process died
    report = reconcile(rt, NOW + timedelta(minutes=8))
    assert report.reconciled == []
    assert len(dispatch(rt, NOW + timedelta(minutes=9)).posted) == 1
    assert len(_sink(rt)) == 1


class Flaky:
    """A connector whose posts fail with a transient error."""

    name = "replay"

    def post_reply(self, to: Mention, text: str, key: str, now: object) -> Posted:
        raise ConnectorError("replay", "503 from platform", transient=True)


def test_transient_failure_is_retried_later_not_lost(rt: Runtime) -> None:
    _approve_first(rt)
    real = rt.connectors["replay"]
    rt.connectors["replay"] = Flaky()  # type: ignore[assignment]
    report = dispatch(rt, NOW + timedelta(minutes=6), rng=random.Random(1))
    assert list(report.retrying.values()) == ["replay: 503 from platform"]
    assert rt.store.outbox.due(NOW + timedelta(minutes=6)) == []  # backoff scheduled, not slept
    rt.connectors["replay"] = real
    assert len(dispatch(rt, NOW + timedelta(hours=1)).posted) == 1


def test_answer_closes_the_loop_with_sentiment_change(make_project: Callable[..., Path]) -> None:
    path = make_project(
        [mention("201", "@nimbushome my thermostat is broken and support never answers", -60, "ana")],
        [{"to": "201", "platform": "x", "platform_id": "202", "after_minutes": 30,
          "text": "That fixed it, thank you so much!", "lang": "en"}])
    rt = build_runtime(load_settings(path))
    try:
        poll_once(rt, NOW)
        item = rt.store.suggestions.pending()[0]
        approve(rt.store, item.id, "maya", NOW)
        dispatch(rt, NOW)
        assert check_loops(rt, NOW + timedelta(minutes=10)).answered == 0
        assert check_loops(rt, NOW + timedelta(minutes=31)).answered == 1
        (loop,) = rt.store.loops.in_state("closed")
        assert loop.close_reason == "answered" and loop.answered_at == NOW + timedelta(minutes=30)
        assert loop.mention_compound < 0 < (loop.answer_compound or 0)
        assert rt.store.mentions.count() == 2  # the answer is stored too
    finally:
        rt.close()


def test_silence_and_rejection_close_loops(rt: Runtime) -> None:
    poll_once(rt, NOW)
    items = rt.store.suggestions.pending()
    approve(rt.store, items[0].id, "maya", NOW)
    dispatch(rt, NOW)
    reject(rt.store, items[1].id, "tom", "already answered in DM", NOW)
    report = check_loops(rt, NOW + timedelta(hours=80))
    assert (report.timed_out, report.declined, report.missed) == (1, 1, 1)
    reasons = sorted(lp.close_reason for lp in rt.store.loops.in_state("closed"))
    assert reasons == ["declined", "missed", "timeout"]


def test_an_expired_suggestion_counts_as_missed_not_declined(rt: Runtime) -> None:
    poll_once(rt, NOW)
    later = NOW + timedelta(hours=rt.settings.loops.timeout_hours + 1)
    expired = expire_stale(rt.store, later, rt.settings.loops.timeout_hours)
    assert len(expired) == 3 and rt.store.suggestions.pending() == []
    report = check_loops(rt, later)
    assert report.declined == 0 and report.missed == 3
    assert {lp.close_reason for lp in rt.store.loops.in_state("closed")} == {"missed"}
