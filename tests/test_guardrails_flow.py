"""Guardrails at both ends, on real SQLite and the replay connector: when suggesting and right before posting."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.dispatch import dispatch
from bot.loops import check_loops
from bot.pipeline import poll_once
from bot.queue import approve
from bot.runtime import Runtime, build_runtime
from tests.conftest import CONFIG, NOW, mention

Make = Callable[..., Path]


@pytest.fixture
def project(make_project: Make) -> Iterator[Callable[..., Runtime]]:
    opened: list[Runtime] = []

    def build(mentions: list[dict[str, Any]], answers: list[dict[str, Any]] | None = None,
              guardrails: str = "") -> Runtime:
        rt = build_runtime(load_settings(make_project(mentions, answers, CONFIG + "\n[guardrails]\n" + guardrails)))
        opened.append(rt)
        return rt
    yield build
    for rt in opened:
        rt.close()


def _sink(rt: Runtime) -> list[dict[str, str]]:
    path = rt.settings.resolve(rt.settings.connectors.replay.sink)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _item(rt: Runtime, pid: str, kind: str = "reply") -> Any:
    item = rt.store.suggestions.for_mention("x", pid, kind)
    assert item is not None
    return item


def test_blocked_suggestion_shows_which_guardrail_and_why(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "troll"),
                  mention("2", "my nimbus thermo never arrived, so annoyed", -50, "stranger", addresses_us=False),
                  mention("3", "@nimbushome our parcel never arrived either", -40, "acmehelp"),
                  mention("4", "@nimbushome still waiting for a refund, 3 weeks now", -30, "jess")],
                 guardrails='do_not_contact = { x = ["@Troll"] }\nbrand_bots = { x = ["acmehelp"] }\n')
    poll_once(rt, NOW)
    troll, stranger, bot, jess = (_item(rt, p) for p in "1234")
    assert troll.status == "blocked" and troll.blocked_by == (
        "do_not_contact: @troll is on the do-not-contact list (bot.toml guardrails.do_not_contact)",)
    assert stranger.status == "blocked" and stranger.blocked_by[0].startswith("addressed: on X we only reply")
    assert bot.status == "blocked" and bot.blocked_by == ("brand_bot: @acmehelp is a known brand bot",)
    assert jess.status == "pending" and jess.blocked_by == ()
    audit = {e["entity_id"]: e for e in rt.store.audit.recent() if e["action"] == "blocked"}
    assert audit[troll.id]["detail"]["blocked_by"] == list(troll.blocked_by)
    assert [i.id for i in rt.store.suggestions.pending()] == [jess.id]
    assert rt.store.loops.in_state("waiting_reply") and len(rt.store.loops.in_state("waiting_reply")) == 1


def test_post_is_blocked_when_the_person_was_blocked_after_approval(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "jess")])
    poll_once(rt, NOW)
    approve(rt.store, _item(rt, "1").id, "maya", NOW)
    rt.store.contacts.block("x", "jess", "asked us not to reply", "maya", NOW)
    report = dispatch(rt, NOW + timedelta(minutes=1))
    assert report.posted == [] and _sink(rt) == []
    (outbox_id, reason), = report.failed.items()
    assert reason == "do_not_contact: @jess is on the do-not-contact list (asked us not to reply)"
    item = rt.store.outbox.get(outbox_id)
    assert item is not None and item.state == "blocked" and item.last_error == reason
    entry = rt.store.audit.recent(entity="outbox", entity_id=outbox_id)[0]
    assert entry["action"] == "blocked" and entry["detail"]["blocked_by"] == [reason]
    assert dispatch(rt, NOW + timedelta(hours=1)).posted == []


def test_one_reply_per_thread_until_the_author_answers(project: Callable[..., Runtime]) -> None:
    first = mention("1", "@nimbushome my order never arrived", -60, "jess")
    second = {**mention("2", "@nimbushome hello?? still nothing, my order never arrived", -50, "jess"),
              "thread_id": "1"}
    rt = project([first, second])
    poll_once(rt, NOW)
    for pid in "12":
        approve(rt.store, _item(rt, pid).id, "maya", NOW)
    report = dispatch(rt, NOW + timedelta(minutes=1))
    assert len(report.posted) == 1 and len(_sink(rt)) == 1
    (reason,) = report.failed.values()
    assert reason.startswith("one_per_thread: we already replied to @jess in this thread")


def test_someone_else_in_the_thread_can_get_their_reply(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "jess"),
                  {**mention("2", "@nimbushome same here, my order never arrived either", -50, "omar"),
                   "thread_id": "1"}])
    poll_once(rt, NOW)
    for pid in "12":
        approve(rt.store, _item(rt, pid).id, "maya", NOW)
    assert len(dispatch(rt, NOW + timedelta(minutes=1)).posted) == 2


def test_the_author_answering_allows_the_next_reply(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "jess"),
                  {**mention("2", "@nimbushome thanks, but where do I send the order number?", 30, "jess"),
                   "thread_id": "1"}])
    poll_once(rt, NOW)
    approve(rt.store, _item(rt, "1").id, "maya", NOW)
    assert len(dispatch(rt, NOW + timedelta(minutes=1)).posted) == 1
    poll_once(rt, NOW + timedelta(minutes=40))  # her new post in the thread comes after our reply
    later = _item(rt, "2")
    assert later.status == "pending", later.blocked_by
    approve(rt.store, later.id, "maya", NOW + timedelta(minutes=41))
    assert len(dispatch(rt, NOW + timedelta(minutes=42)).posted) == 1


def test_quiet_hours_hold_a_post_until_they_end(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "jess")],
                 guardrails='quiet_start = "11:00"\nquiet_end = "14:00"\n')  # UTC; NOW is 12:00
    poll_once(rt, NOW)
    approve(rt.store, _item(rt, "1").id, "maya", NOW)
    report = dispatch(rt, NOW + timedelta(minutes=1))
    (outbox_id, reason), = report.retrying.items()
    assert reason.startswith("held until 2026-11-20T14:00:00+00:00: quiet_hours: quiet hours 11:00-14:00 UTC")
    assert dispatch(rt, NOW + timedelta(hours=1)).posted == []  # not due yet
    assert dispatch(rt, NOW + timedelta(hours=2)).posted == [outbox_id]
    assert len(_sink(rt)) == 1
    assert any(e["action"] == "held" for e in rt.store.audit.recent(entity="outbox", entity_id=outbox_id))


def test_daily_cap_per_platform_in_the_local_day(project: Callable[..., Runtime]) -> None:
    rt = project([mention(str(n), f"@nimbushome order {n} never arrived", -60 + n, f"p{n}") for n in range(3)],
                 guardrails="daily_caps = { x = 2 }\n")
    poll_once(rt, NOW)
    for n in range(3):
        approve(rt.store, _item(rt, str(n)).id, "maya", NOW)
    report = dispatch(rt, NOW + timedelta(minutes=1))
    assert len(report.posted) == 2
    (reason,) = report.retrying.values()
    assert "daily_cap: 2 replies on x today, cap 2" in reason and "2026-11-21T00:00:00+00:00" in reason
    assert len(dispatch(rt, datetime(2026, 11, 21, 0, 1, tzinfo=UTC)).posted) == 1


def test_no_identical_words_to_the_same_person(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "jess"),
                  mention("2", "@nimbushome and the other order never arrived either", -50, "jess")])
    poll_once(rt, NOW)
    one, two = _item(rt, "1"), _item(rt, "2")
    assert one.text != two.text  # the engine picked other words for her second reply
    approve(rt.store, one.id, "maya", NOW)
    approve(rt.store, two.id, "maya", NOW, text=one.text)  # a person pasted the same words
    report = dispatch(rt, NOW + timedelta(minutes=1))
    assert len(report.posted) == 1
    (reason,) = report.failed.values()
    assert reason.startswith("identical_text: we sent @jess these exact words within 30 days")


def test_follow_up_after_silence_is_queued_once_for_approval(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "jess")])
    poll_once(rt, NOW)
    approve(rt.store, _item(rt, "1").id, "maya", NOW)
    dispatch(rt, NOW)
    assert check_loops(rt, NOW + timedelta(hours=23)).follow_ups == 0
    assert check_loops(rt, NOW + timedelta(hours=25)).follow_ups == 1
    assert check_loops(rt, NOW + timedelta(hours=26)).follow_ups == 0
    follow = _item(rt, "1", "follow_up")
    assert follow.status == "pending" and follow.text.startswith("Hi Jess, just checking in: did that fix it")
    assert follow.why == ("follow-up of rule complaint-apology", "no answer 24h after our reply")
    assert len(_sink(rt)) == 1  # queued, never posted by itself
    approve(rt.store, follow.id, "maya", NOW + timedelta(hours=26))
    assert len(dispatch(rt, NOW + timedelta(hours=26)).posted) == 1  # the one allowed nudge in the thread
    assert _sink(rt)[-1]["text"] == follow.text


def test_follow_up_when_the_author_answers(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "jess"),
                  mention("2", "@nimbushome does the Nimbus Hub work with HomeKit?", -50, "omar")],
                 answers=[{"platform": "x", "to": "1", "platform_id": "1a", "text": "DMed you, thanks",
                           "after_minutes": 30},
                          {"platform": "x", "to": "2", "platform_id": "2a", "text": "great, thanks!",
                           "after_minutes": 30}])
    poll_once(rt, NOW)
    for pid in "12":
        approve(rt.store, _item(rt, pid).id, "maya", NOW)
    dispatch(rt, NOW)
    report = check_loops(rt, NOW + timedelta(hours=1))
    assert report.answered == 2 and report.follow_ups == 1  # the question rule asks only after silence
    follow = _item(rt, "1a", "follow_up")
    assert follow.why[1] == "the author answered our reply" and follow.mention.text == "DMed you, thanks"
    approve(rt.store, follow.id, "maya", NOW + timedelta(hours=1))
    posted = dispatch(rt, NOW + timedelta(hours=1))
    assert len(posted.posted) == 1 and _sink(rt)[-1]["to"] == "1a"
    assert check_loops(rt, NOW + timedelta(hours=30)).follow_ups == 0  # one per loop, whatever the trigger


def _blocked_by(rt: Runtime, pid: str) -> tuple[str, ...]:
    item = _item(rt, pid)
    assert item.status == "blocked", (pid, item.status, item.text)
    audit = [e for e in rt.store.audit.recent(entity="suggestion", entity_id=item.id) if e["action"] == "blocked"]
    assert [e["detail"]["blocked_by"] for e in audit] == [list(item.blocked_by)]
    return item.blocked_by


def test_own_account_length_and_identical_words_stop_a_suggestion(project: Callable[..., Runtime]) -> None:
    complaints = [mention(f"s{n}", f"@nimbushome order {n} never arrived, so annoyed", -100 + n if n < 3 else 30,
                          "sam") for n in range(4)]  # the complaint rule has three wordings: the fourth repeats one
    rt = project([mention("own", "@nimbushome my order never arrived", -60, "NimbusHome"),
                  mention("long", "@nimbushome my order never arrived", -50, "w" * 300), *complaints])
    poll_once(rt, NOW)
    assert _blocked_by(rt, "own") == ("own_account: @nimbushome is one of our own accounts",)
    (too_long,) = _blocked_by(rt, "long")
    assert too_long.startswith("length: ") and "of 280 characters as x counts them; shorten it" in too_long
    for n in range(3):
        approve(rt.store, _item(rt, f"s{n}").id, "maya", NOW)
    poll_once(rt, NOW + timedelta(minutes=40))
    assert _blocked_by(rt, "s3")[0].startswith("identical_text: we sent @sam these exact words within 30 days")


def test_a_second_reply_in_a_thread_is_stopped_when_suggested(project: Callable[..., Runtime]) -> None:
    rt = project([mention("1", "@nimbushome my order never arrived", -60, "jess"),
                  {**mention("2", "@nimbushome still no order, so annoyed", 2, "jess"), "thread_id": "1"}])
    poll_once(rt, NOW - timedelta(minutes=20))  # the replay's clock starts here: her second post is at -18 min
    approve(rt.store, _item(rt, "1").id, "maya", NOW - timedelta(minutes=15))
    poll_once(rt, NOW)  # her second post is older than our approved reply, only fetched late: not an answer
    assert _blocked_by(rt, "2")[0].startswith("one_per_thread: we already replied to @jess in this thread")


def test_accounts_and_brand_bots_added_after_approval_stop_the_post(project: Callable[..., Runtime]) -> None:
    rows = [mention("1", "@nimbushome my order never arrived", -60, "acmehelp"),
            mention("2", "@nimbushome my parcel never arrived", -50, "nimbuscare")]
    before = project(rows)
    poll_once(before, NOW)
    for pid in "12":
        approve(before.store, _item(before, pid).id, "maya", NOW)
    before.close()
    after = project(rows, guardrails='brand_bots = { x = ["acmehelp"] }\n')
    after.settings.accounts["x"].append("nimbuscare")  # our new support account, added to bot.toml since
    report = dispatch(after, NOW + timedelta(minutes=1))
    assert report.posted == [] and _sink(after) == []
    assert sorted(report.failed.values()) == ["brand_bot: @acmehelp is a known brand bot",
                                              "own_account: @nimbuscare is one of our own accounts"]
    for outbox_id, reason in report.failed.items():
        entry = after.store.audit.recent(entity="outbox", entity_id=outbox_id)[0]
        assert entry["action"] == "blocked" and entry["detail"]["blocked_by"] == [reason]
