"""RedditConnector: the real praw/prawcore against the fake Reddit OAuth API."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config.settings import RedditSettings
from connectors.base import ConnectorError, CredentialError
from connectors.reddit import PrawcoreChanged, RedditConnector, _never_sleep, _NoSleepLimiter, _RetryAtOnce
from tests.connectors.conftest import MID_MARCH, NOW, make_reddit
from tests.fakes.fake_reddit import FakeReddit

COMMENTS = "/r/smarthome+homeautomation/comments"


def test_poll_reads_subreddits_and_mentions_matching_the_brand(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "Nimbus Home hub review", "long text")
    fr.add_submission("bob", "Quidditch", "my nimbus 2000 is fast")
    elsewhere = fr.add_submission("carl", "unrelated", subreddit="cooking")
    about = fr.add_comment("dina", "the nimbus app keeps crashing", parent=post)
    fr.add_comment("ed", "I prefer other brands", parent=post)
    ping = fr.add_comment("flo", "u/NimbusHome can you help?", parent=elsewhere)
    fr.add_comment("NimbusHome", "nimbus here, happy to help", parent=post)
    batch = rc.poll(None, NOW)
    assert {m.platform_id for m in batch.mentions} == {post, about, ping}
    by_id = {m.platform_id: m for m in batch.mentions}
    assert by_id[ping].addresses_us and not by_id[about].addresses_us
    assert by_id[about].thread_id == post and by_id[about].in_reply_to == post
    assert json.loads(by_id[about].raw)["data"]["body"] == "the nimbus app keeps crashing"
    assert by_id[post].text.startswith("Nimbus Home hub review")
    assert batch.calls == 3


def test_pagination_and_repoll_cost(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "Nimbus thread")
    ids = [fr.add_comment(f"u{i}", f"nimbus {i}", parent=post) for i in range(250)]
    first = rc.poll(None, NOW)
    assert set(ids) <= {m.platform_id for m in first.mentions}
    assert len(fr.calls(COMMENTS)) == 3
    fr.reset_log()
    again = rc.poll(first.cursor, NOW)
    assert again.mentions == () and len(fr.calls()) == 3  # one request per listing
    new = fr.add_comment("zed", "nimbus again", parent=post)
    assert [m.platform_id for m in rc.poll(again.cursor, NOW).mentions] == [new]


def test_429_pauses_until_reset_and_the_walk_resumes(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "Nimbus thread")
    ids = [fr.add_comment(f"u{i}", f"nimbus {i}", parent=post) for i in range(150)]
    fr.fail_next(1, 429, headers={"retry-after": "120"}, path_prefix=COMMENTS, after=1)
    first = rc.poll(None, NOW)
    assert first.pause_until == NOW + timedelta(seconds=120) and "429" in first.pause_reason
    second = rc.poll(first.cursor, NOW)
    got = [m.platform_id for m in first.mentions + second.mentions if m.platform_id != post]
    assert sorted(got) == sorted(ids) and len(got) == len(set(got))


def test_spent_window_is_refused_without_a_request_or_a_sleep(fr: FakeReddit, rc: RedditConnector) -> None:
    fr.add_submission("alice", "Nimbus thread")
    fr.remaining = 1  # the first answer says 0 left, reset in 600 s
    batch = rc.poll(None, NOW)
    assert batch.pause_until is not None and batch.pause_until >= NOW + timedelta(seconds=590)
    assert len(fr.calls("/r/")) == 1


def test_server_errors_retried_at_once_then_transient(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "Nimbus thread")
    fr.fail_next(2, 500, path_prefix=COMMENTS)
    assert post in {m.platform_id for m in rc.poll(None, NOW).mentions}
    assert len(fr.calls(COMMENTS)) == 3  # both 500s were retried within the same poll
    fr.fail_next(5, 503)
    with pytest.raises(ConnectorError) as err:
        rc.poll(None, NOW)
    assert err.value.transient and not isinstance(err.value, CredentialError)


def test_bad_password_is_a_credential_error(r_settings: RedditSettings) -> None:
    with pytest.raises(CredentialError, match="reddit: token rejected") as err:
        make_reddit(r_settings, password="wrong").poll(None, NOW)
    assert err.value.kind == "rejected"


def test_429_without_reset_headers_pauses_fifteen_minutes(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "Nimbus thread")
    fr.fail_next(1, 429, path_prefix=COMMENTS)
    first = rc.poll(None, NOW)
    assert first.pause_until == NOW + timedelta(minutes=15) and "no reset header" in first.pause_reason
    assert first.mentions == ()
    assert post in {m.platform_id for m in rc.poll(first.cursor, NOW).mentions}


def test_expired_token_is_renewed_transparently(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "Nimbus thread")
    rc.poll(None, NOW)
    fr.revoke_tokens()
    comment = fr.add_comment("bo", "nimbus", parent=post)
    first = rc.poll(None, NOW)
    assert comment in {m.platform_id for m in first.mentions}
    assert len(fr.calls("/api/v1/access_token")) == 2


def test_malformed_child_keeps_the_rest_of_the_page(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "Nimbus thread")
    ids = [fr.add_comment(f"u{i}", f"nimbus {i}", parent=post) for i in range(5)]
    fr.partial_next(1, path_prefix="/message/mentions")
    fr.partial_next(1, path_prefix=COMMENTS)
    batch = rc.poll(None, NOW)
    got = {m.platform_id for m in batch.mentions}
    assert set(ids[:-1]) <= got  # the newest child lost its body, so it no longer matches the brand
    assert ids[-1] not in got


def test_malformed_mention_is_kept_with_problems(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "anything", subreddit="cooking")
    ping = fr.add_comment("flo", "u/NimbusHome hi", parent=post)
    fr.partial_next(1, path_prefix="/message/mentions")
    batch = rc.poll(None, NOW)
    [m] = [m for m in batch.mentions if m.platform_id == ping]
    assert m.author.handle == "[deleted]" and m.created_at == NOW
    assert any("author missing" in p for p in batch.problems)
    assert "surprise_field" in m.raw


def test_post_once_find_reply_and_follow_ups(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("alice", "Nimbus thread")
    ask = fr.add_comment("gus", "u/NimbusHome my plug died", parent=post)
    [m] = [x for x in rc.poll(None, NOW).mentions if x.platform_id == ask]
    assert rc.find_reply(m, "k", NOW) is None
    posted = rc.post_reply(m, "Sorry! Which firmware?", "k", NOW)
    assert len(fr.posted()) == 1 and fr.posted()[0]["parent_id"] == ask
    found = rc.find_reply(m, "k", NOW)
    assert found is not None and found.platform_id == posted.platform_id
    before = NOW - timedelta(hours=1)
    answer = fr.add_comment("gus", "1.2.3, thanks", parent=posted.platform_id)
    fr.add_comment("hal", "same here", parent=posted.platform_id)
    fr.add_comment("gus", "unrelated aside", parent=post)
    follow = rc.thread_since(m, before, NOW)
    assert [f.platform_id for f in follow] == [answer] and follow[0].kind == "answer"
    assert len(fr.posted()) == 1


def test_reply_to_a_submission_and_reconcile(fr: FakeReddit, rc: RedditConnector) -> None:
    post = fr.add_submission("ian", "Nimbus Home vs others?")
    [m] = [x for x in rc.poll(None, NOW).mentions if x.platform_id == post]
    posted = rc.post_reply(m, "Happy to compare!", "k", NOW)
    found = rc.find_reply(m, "k", NOW)
    assert found is not None and found.platform_id == posted.platform_id


def test_request_budget_spent_means_no_request(fr: FakeReddit, r_settings: RedditSettings) -> None:
    rc = make_reddit(replace(r_settings, monthly_read_budget=3))
    fr.add_submission("alice", "Nimbus thread")
    first = rc.poll(None, MID_MARCH)
    fr.reset_log()
    spent = rc.poll(first.cursor, MID_MARCH)
    assert fr.calls() == [] and spent.pause_until is not None and "budget" in spent.pause_reason


def test_prawcore_never_sleeps_on_pacing_retries_or_token_renewal(fr: FakeReddit, rc: RedditConnector,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def tripwire(seconds: float) -> None:
        raise AssertionError(f"something slept {seconds} s inside a poll")

    post = fr.add_submission("alice", "Nimbus thread")
    rc.poll(None, NOW)  # signs in first
    monkeypatch.setattr(time, "sleep", tripwire)  # prawcore calls time.sleep to pace and between retries
    fr.remaining = 50  # pacing: prawcore would spread the window's requests out with sleeps
    fr.fail_next(1, 500, path_prefix=COMMENTS)  # a retry: prawcore would sleep 0-2 s before it
    fr.revoke_tokens()  # 401 -> a new token and a second retry, after 2-4 s of prawcore's sleep
    comment = fr.add_comment("bo", "nimbus again", parent=post)
    assert comment in {m.platform_id for m in rc.poll(None, NOW).mentions}


def test_a_prawcore_without_the_replaced_internals_fails_loudly(rc: RedditConnector) -> None:
    for core in (rc.reddit._read_only_core, rc.reddit._authorized_core):
        assert core is None or (isinstance(core._rate_limiter, _NoSleepLimiter)
                                and core._retry_strategy_class is _RetryAtOnce)

    class Moved:  # what a praw/prawcore release that renamed the sessions would look like
        _read_only_core = None

    with pytest.raises(PrawcoreChanged, match=r"praw.Reddit._read_only_core.*install prawcore>=4.0,<5"):
        _never_sleep(Moved())


def test_an_answer_praw_cannot_read_is_a_transient_error_not_a_crash(fr: FakeReddit, rc: RedditConnector) -> None:
    fr.add_submission("alice", "Nimbus thread")
    rc.poll(None, NOW)
    fr.fail_next(3, 401, path_prefix=COMMENTS, headers={"www-authenticate": 'Bearer realm="gateway"'})
    with pytest.raises(ConnectorError, match="unexpected answer") as err:
        rc.poll(None, NOW)
    assert err.value.transient and err.value.retry_at is not None


def test_subreddits_written_with_r_slash_and_a_missing_one_named(fr: FakeReddit, r_settings: RedditSettings) -> None:
    rc = make_reddit(replace(r_settings, subreddits=["r/smarthome", "/r/homeautomation/"]))
    post = fr.add_submission("alice", "Nimbus thread")
    assert post in {m.platform_id for m in rc.poll(None, NOW).mentions}
    assert fr.calls(COMMENTS)  # the same listing as subreddits = ["smarthome", "homeautomation"]
    fr.fail_next(1, 404, path_prefix=COMMENTS)
    with pytest.raises(ConnectorError) as err:
        rc.poll(None, NOW)
    assert str(err.value) == (f"reddit: HTTP 404 from Reddit for {COMMENTS}; check [connectors.reddit].subreddits")
    assert not err.value.transient


@pytest.mark.parametrize("on", ["submission", "comment"])
def test_reconciliation_finds_our_reply_hidden_in_a_busy_thread(fr: FakeReddit, rc: RedditConnector, on: str) -> None:
    post = fr.add_submission("ian", "Nimbus Home vs others?")
    parent = post if on == "submission" else fr.add_comment("gus", "u/NimbusHome which one?", parent=post)
    [m] = [x for x in rc.poll(None, NOW).mentions if x.platform_id == parent]
    fr.tree_limit = 5  # Reddit shows a few hundred replies per level; the rest sit behind "load more"
    for i in range(8):
        fr.things[fr.add_comment(f"fan{i}", f"upvoted answer {i}", parent=parent)]["score"] = 10
    posted = rc.post_reply(m, "Happy to compare!", "k", NOW)  # one point: ranked last, behind "more"
    found = rc.find_reply(m, "k", NOW)
    assert found is not None and found.platform_id == posted.platform_id
    assert rc.find_reply(replace(m, platform_id=fr.add_comment("kim", "another", parent=post)), "k", NOW) is None
