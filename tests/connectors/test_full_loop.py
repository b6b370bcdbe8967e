"""The whole loop over both fake platforms: poll -> queue -> approve -> post -> answer -> loop closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.config import load_settings
from bot.dispatch import dispatch
from bot.loops import check_loops
from bot.pipeline import poll_once
from bot.queue import approve
from bot.runtime import build_runtime
from connectors.reddit import RedditConnector
from connectors.x import XConnector
from tests.connectors.conftest import NOW
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX


def test_full_loop_over_x_and_reddit(make_project: Callable[..., Path], fx: FakeX, xc: XConnector,
                                     fr: FakeReddit, rc: RedditConnector) -> None:
    settings = load_settings(make_project(mentions=[]))
    rt = build_runtime(settings, connectors={"x": xc, "reddit": rc})
    try:
        tweet = fx.add_tweet("judy", "@nimbushome my Nimbus Thermo never arrived and nobody answers my emails")
        post = fr.add_submission("sam_builds", "Nimbus Hub keeps going offline",
                                 "Third time this week my Nimbus Hub dropped off wifi. Still waiting on support.")
        fx.add_tweet("kim", "the sky is full of cumulonimbus today")  # not about us: never queued
        report = poll_once(rt, NOW)
        assert report.errors == {}
        pending = {i.mention.platform_id: i for i in rt.store.suggestions.pending()}
        assert set(pending) == {tweet, post}

        assert dispatch(rt, NOW).posted == []  # nothing is posted before a person approves
        for item in pending.values():
            approve(rt.store, item.id, "maya", NOW)
        sent = dispatch(rt, NOW)
        assert len(sent.posted) == 2
        assert [p["text"] for p in fx.posted()] == [pending[tweet].text]
        assert [p["body"] for p in fr.posted()] == [pending[post].text]

        x_reply = rt.store.outbox.get(sent.posted[0])
        r_reply = rt.store.outbox.get(sent.posted[1])
        assert x_reply is not None and r_reply is not None
        replies = {x_reply.connector: x_reply.reply_platform_id, r_reply.connector: r_reply.reply_platform_id}
        # A minute after the replies (posted at NOW): the fakes' clocks count whole seconds, so an answer
        # written within NOW's second would not come after the reply.
        later = NOW + timedelta(minutes=1)
        fx.add_tweet("judy", "Thanks, it turned up today and it works great!", reply_to=replies["x"], created_at=later)
        fr.add_comment("sam_builds", "Thanks, the firmware fix worked", parent=str(replies["reddit"]), created_at=later)

        loops = check_loops(rt, NOW + timedelta(minutes=5))
        assert loops.answered == 2
        closed = rt.store.loops.in_state("closed")
        assert {lp.close_reason for lp in closed} == {"answered"} and len(closed) == 2
        assert all(lp.answer_compound is not None and lp.answer_compound > 0 for lp in closed)

        assert dispatch(rt, NOW + timedelta(minutes=6)).posted == []
        assert len(fx.posted()) == 1 and len(fr.posted()) == 1
    finally:
        rt.close()


def test_rejected_credentials_stop_only_that_connector_and_a_fault_never_disables_one(
        make_project: Callable[..., Path], fx: FakeX, xc: XConnector, fr: FakeReddit, rc: RedditConnector) -> None:
    settings = load_settings(make_project(mentions=[]))
    rt = build_runtime(settings, connectors={"x": xc, "reddit": rc})
    try:
        tweet = fx.add_tweet("judy", "@nimbushome my Nimbus Thermo never arrived")
        post = fr.add_submission("sam_builds", "Nimbus Hub keeps going offline")
        fx.fail_next(10, 401)
        report = poll_once(rt, NOW)
        assert report.errors["x"].startswith("x: token rejected (HTTP 401")
        assert "reddit" not in report.errors and report.new["reddit"] == 1
        assert rt.store.mentions.cursor_state("x").last_error.startswith("x: token rejected")
        assert rt.store.mentions.cursor_state("x").cursor is None  # nothing moved, nothing lost

        fx.faults.clear()
        fx.fail_next(3, 503)  # more than the immediate retries: this poll fails, transiently
        report = poll_once(rt, NOW + timedelta(minutes=15))
        assert "transient" in report.errors["x"] and "x" in rt.connectors
        retry_at = rt.store.mentions.cursor_state("x").paused_until  # the backoff of a first failure: 15-30 s
        assert retry_at is not None and 15 <= (retry_at - NOW - timedelta(minutes=15)).total_seconds() <= 30
        report = poll_once(rt, retry_at - timedelta(seconds=1))  # too soon: X waits, Reddit polls
        assert report.skipped["x"].startswith("paused until") and "reddit" not in report.skipped
        assert not fx.faults
        report = poll_once(rt, NOW + timedelta(minutes=30))  # the next poll just works
        assert report.errors == {} and report.new["x"] == 1
        assert rt.store.mentions.id_of("x", tweet) and rt.store.mentions.id_of("reddit", post)
        assert rt.store.mentions.cursor_state("x").last_error == ""
    finally:
        rt.close()
