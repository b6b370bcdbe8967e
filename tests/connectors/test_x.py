"""XConnector: the real tweepy Client against the fake X API v2."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config.settings import XSettings
from bot.store import Store
from bot.store.daemon_state import ReadLedger
from connectors.base import ConnectorError, CredentialError, RateLimited
from connectors.x import XConnector
from tests.connectors.conftest import MID_MARCH, NOW, make_x
from tests.fakes.fake_x import FakeX

SEARCH = "/2/tweets/search/recent"


def seed(fx: FakeX, n: int, text: str = "my nimbus thermostat #{i}") -> list[str]:
    return [fx.add_tweet(f"user{i % 13}", text.format(i=i)) for i in range(n)]


def test_poll_pages_through_everything_once_and_repoll_costs_one_request_per_query(fx: FakeX, xc: XConnector) -> None:
    ids = seed(fx, 250)
    fx.add_tweet("carol", "@nimbussupport my hub is offline")
    first = xc.poll(None, NOW)
    found = {m.platform_id for m in first.mentions}
    assert set(ids) <= found and len(found) == 251
    assert len(fx.calls(SEARCH)) == 3  # 100 + 100 + 50
    assert [m.created_at for m in first.mentions] == sorted(m.created_at for m in first.mentions)
    fx.reset_log()
    again = xc.poll(first.cursor, NOW)
    assert again.mentions == () and again.calls == 3  # search + 2 mention timelines
    assert len(fx.calls()) == 3
    new = fx.add_tweet("dave", "nimbus home is great")
    third = xc.poll(again.cursor, NOW)
    assert [m.platform_id for m in third.mentions] == [new]
    assert fx.calls(SEARCH)[-1].query["since_id"] == max(found)


def test_mention_fields_and_addressing(fx: FakeX, xc: XConnector) -> None:
    root = fx.add_tweet("erin", "hello @nimbussupport, is the nimbus hub down?")
    batch = xc.poll(None, NOW)
    [m] = [m for m in batch.mentions if m.platform_id == root]
    assert m.author.handle == "erin" and m.addresses_us and m.account == "nimbussupport"
    assert m.thread_id == root and m.lang == "en" and m.url.endswith(f"/erin/status/{root}")
    assert json.loads(m.raw)["tweet"]["id"] == root
    req = fx.calls(SEARCH)[0].query
    assert req["expansions"] == "author_id" and req["query"] == xc.query.text
    assert set(req["tweet.fields"].split(",")) >= {"created_at", "conversation_id", "in_reply_to_user_id",
                                                   "referenced_tweets", "lang", "public_metrics", "author_id"}
    assert set(req["user.fields"].split(",")) >= {"username", "name", "public_metrics", "verified"}
    for call in fx.calls(f"/2/users/{fx.user_id('nimbushome')}/mentions"):  # the same for the mentions timeline
        assert call.query["tweet.fields"] == req["tweet.fields"] and call.query["user.fields"] == req["user.fields"]


def test_a_200_that_is_not_a_page_costs_nothing_and_crashes_nothing(fx: FakeX, xc: XConnector) -> None:
    start = xc.poll(None, NOW)
    tid = fx.add_tweet("ivy", "nimbus")
    fx.fail_next(1, 200, body=["not", "a", "page"], path_prefix=SEARCH)
    odd = xc.poll(start.cursor, NOW)
    assert odd.mentions == () and any("not a JSON object" in p for p in odd.problems)
    assert [m.platform_id for m in xc.poll(odd.cursor, NOW).mentions] == [tid]  # the cursor did not move past it


def test_excluded_phrases_retweets_and_our_own_tweets_are_not_mentions(fx: FakeX, xc: XConnector) -> None:
    keep = fx.add_tweet("frank", "nimbus plug works")
    fx.add_tweet("frank", "riding my nimbus 2000")
    fx.add_tweet("gina", "RT nimbus plug works", retweet_of=keep)
    fx.add_tweet("nimbushome", "nimbus news from us")
    assert [m.platform_id for m in xc.poll(None, NOW).mentions] == [keep]


def test_rate_limit_mid_walk_pauses_until_reset_and_resumes_without_loss(fx: FakeX, xc: XConnector) -> None:
    start = xc.poll(None, NOW)  # looks our account ids up once; they stay in the cursor
    ids = seed(fx, 250)
    fx.set_rate_limit(1)
    first = xc.poll(start.cursor, NOW)
    reset = int(fx.window_start + fx.rate_window)
    assert first.pause_until is not None and int(first.pause_until.timestamp()) == reset
    assert "429" in first.pause_reason and len(first.mentions) == 100
    fx.set_rate_limit(1000)
    second = xc.poll(first.cursor, NOW)
    got = [m.platform_id for m in first.mentions] + [m.platform_id for m in second.mentions]
    assert sorted(got) == sorted(ids) and len(got) == len(set(got))
    assert xc.poll(second.cursor, NOW).mentions == ()


def test_429_without_reset_header_pauses_fifteen_minutes(fx: FakeX, xc: XConnector) -> None:
    fx.fail_next(1, 429, path_prefix=SEARCH)
    batch = xc.poll(None, NOW)
    assert batch.pause_until == NOW + timedelta(minutes=15) and batch.mentions == ()


def test_server_errors_are_retried_at_once_then_reported_transient(fx: FakeX, xc: XConnector) -> None:
    tid = fx.add_tweet("hank", "nimbus")
    fx.fail_next(2, 500, path_prefix=SEARCH)
    assert [m.platform_id for m in xc.poll(None, NOW).mentions] == [tid]
    fx.fail_next(3, 503, path_prefix=SEARCH)
    with pytest.raises(ConnectorError) as err:
        xc.poll(None, NOW)
    assert err.value.transient and not isinstance(err.value, CredentialError)
    retry_at = err.value.retry_at
    assert retry_at is not None and NOW < retry_at <= NOW + timedelta(minutes=30)


def test_slow_answer_times_out_and_is_retried(fx: FakeX, x_settings: XSettings) -> None:
    xc = make_x(replace(x_settings, timeout_seconds=0.2))
    tid = fx.add_tweet("ivy", "nimbus")
    fx.slow_next(1, 0.5, path_prefix=SEARCH)
    assert [m.platform_id for m in xc.poll(None, NOW).mentions] == [tid]


def test_transient_failure_after_some_pages_keeps_them(fx: FakeX, xc: XConnector) -> None:
    ids = seed(fx, 150)
    fx.fail_next(3, 502, path_prefix=SEARCH, after=1)
    batch = xc.poll(None, NOW)
    assert len(batch.mentions) == 100 and batch.pause_until is not None
    assert any("cut short" in p for p in batch.problems)
    rest = xc.poll(batch.cursor, NOW)
    got = [m.platform_id for m in batch.mentions + rest.mentions]
    assert sorted(got) == sorted(ids) and len(got) == len(set(got))


def test_rejected_credentials_are_a_credential_error(fx: FakeX, xc: XConnector) -> None:
    fx.fail_next(1, 401, body={"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
    with pytest.raises(CredentialError, match="401"):
        xc.poll(None, NOW)


def test_partial_errors_and_deleted_authors_keep_the_page(fx: FakeX, xc: XConnector) -> None:
    ids = seed(fx, 30)
    fx.delete_user("user3")
    fx.partial_next(1, path_prefix=SEARCH)
    batch = xc.poll(None, NOW)
    assert {m.platform_id for m in batch.mentions} == set(ids)
    unknown = [m for m in batch.mentions if m.author.handle == "[unknown]"]
    assert unknown and any("missing from includes" in p for p in batch.problems)
    assert any(p.startswith("X reported: Not Found Error") for p in batch.problems)
    assert sum("surprise_field" in m.raw for m in batch.mentions) == 1  # unknown fields are kept in the raw payload


def test_mentions_timeline_pages_with_pagination_token(fx: FakeX, xc: XConnector) -> None:
    ids = seed(fx, 230, text="@nimbussupport hello #{i}")
    timeline = f"/2/users/{fx.user_id('nimbussupport')}/mentions"
    first = xc.poll(None, NOW)
    assert set(ids) <= {m.platform_id for m in first.mentions}
    calls = fx.calls(timeline)
    assert len(calls) == 3 and "pagination_token" not in calls[0].query
    assert all(c.query.get("pagination_token") for c in calls[1:])
    fx.reset_log()
    again = xc.poll(first.cursor, NOW)
    assert again.mentions == () and len(fx.calls(timeline)) == 1
    assert fx.calls(timeline)[0].query["since_id"] == max(ids)


def test_post_once_find_reply_and_follow_ups(fx: FakeX, xc: XConnector) -> None:
    root = fx.add_tweet("judy", "@nimbushome my thermo is stuck")
    fx.add_tweet("kim", "@nimbushome hello")
    [mention] = [m for m in xc.poll(None, NOW).mentions if m.platform_id == root]
    assert xc.find_reply(mention, "key-1", NOW) is None
    posted = xc.post_reply(mention, "Sorry! Does a restart help?", "key-1", NOW)
    assert len(fx.posted()) == 1 and fx.posted()[0]["text"] == "Sorry! Does a restart help?"
    assert fx.calls("/2/tweets", "POST")[0].headers["authorization"].startswith("OAuth ")
    found = xc.find_reply(mention, "key-1", NOW)
    assert found is not None and found.platform_id == posted.platform_id
    since = NOW - timedelta(days=1)
    answer = fx.add_tweet("judy", "yes it works now, thanks", reply_to=posted.platform_id)
    fx.add_tweet("kim", "me too", reply_to=posted.platform_id)
    follow = xc.thread_since(mention, since, NOW)
    assert [m.platform_id for m in follow] == [answer] and follow[0].kind == "answer"
    assert follow[0].in_reply_to == posted.platform_id and follow[0].addresses_us
    assert len(fx.posted()) == 1


def test_posting_without_user_keys_names_the_variable(x_settings: XSettings, fx: FakeX) -> None:
    xc = make_x(x_settings, user_keys=False)
    root = fx.add_tweet("lou", "nimbus")
    [m] = xc.poll(None, NOW).mentions
    assert m.platform_id == root
    with pytest.raises(CredentialError, match="RONR_X_CONSUMER_KEY"):
        xc.post_reply(m, "hi", "k", NOW)
    assert fx.posted() == []


def test_post_failure_is_not_retried(fx: FakeX, xc: XConnector) -> None:
    fx.add_tweet("mo", "nimbus")
    [m] = xc.poll(None, NOW).mentions
    xc.me(NOW)
    fx.fail_next(1, 503, path_prefix="/2/tweets")
    with pytest.raises(ConnectorError):
        xc.post_reply(m, "hi", "k", NOW)
    assert len(fx.calls("/2/tweets", "POST")) == 1 and fx.posted() == []


def test_budget_spent_means_no_request_and_a_pause(fx: FakeX, x_settings: XSettings) -> None:
    xc = make_x(replace(x_settings, monthly_read_budget=300))
    seed(fx, 250)
    first = xc.poll(None, MID_MARCH)
    assert len(first.mentions) <= 300
    fx.reset_log()
    second = xc.poll(first.cursor, MID_MARCH)
    assert fx.calls() == [] and second.mentions == () and second.pause_until is not None
    assert "budget" in second.pause_reason


def test_reads_outside_polls_are_counted_and_share_the_monthly_budget(fx: FakeX, x_settings: XSettings,
                                                                      tmp_path: Path) -> None:
    store = Store(tmp_path / "ronr.db")
    xc = make_x(replace(x_settings, monthly_read_budget=1000))
    xc.ledger = ReadLedger(tmp_path / "ronr.db")
    month = MID_MARCH.strftime("%Y-%m")
    root = fx.add_tweet("judy", "@nimbushome my thermo is stuck")
    first = xc.poll(None, MID_MARCH)
    store.mentions.save_batch("x", first, MID_MARCH)  # the poll's own reads live in its cursor
    [mention] = first.mentions
    posted = xc.post_reply(mention, "Sorry! Does a restart help?", "k", MID_MARCH)
    for i in range(3):
        fx.add_tweet("judy", f"still stuck ({i})", reply_to=posted.platform_id)
    assert len(xc.thread_since(mention, MID_MARCH - timedelta(days=1), MID_MARCH)) == 3
    assert xc.find_reply(mention, "k", MID_MARCH) is not None
    assert xc.ledger.spent("x", month) == 5  # the root and three answers, then our reply: X charges each
    assert xc.describe(store.mentions.cursor_state("x").cursor, MID_MARCH)["spent"] == 2 + 5  # + the poll's

    xc.ledger.add("x", month, 400)  # busy follow-ups: the polls' even share shrinks by as much
    fx.reset_log()
    paused = xc.poll(first.cursor, MID_MARCH)
    assert fx.calls() == [] and paused.pause_until is not None and "budget" in paused.pause_reason

    xc.ledger.add("x", month, 1000 - 407 - 5)  # 5 reads left: less than a search page
    with pytest.raises(RateLimited, match="monthly read budget spent"):
        xc.thread_since(mention, MID_MARCH - timedelta(days=1), MID_MARCH)
    assert fx.calls() == [] and root == mention.platform_id
    store.close()


def test_reconciliation_finds_our_reply_after_search_no_longer_reaches_it(fx: FakeX, xc: XConnector) -> None:
    root = fx.add_tweet("judy", "@nimbushome my thermo is stuck")
    [mention] = [m for m in xc.poll(None, NOW).mentions if m.platform_id == root]
    posted = xc.post_reply(mention, "Sorry! Does a restart help?", "k", NOW)
    fx.tweets[int(posted.platform_id)]["created_at"] = "2026-01-02T10:00:00.000Z"  # the daemon was down 8+ days
    for i in range(3):
        fx.add_tweet("nimbushome", f"other news {i}")
    found = xc.find_reply(mention, "k", NOW)
    assert found is not None and found.platform_id == posted.platform_id
    assert fx.calls(f"/2/users/{fx.me_id}/tweets")  # our own timeline, past recent search's 7 days
    other = fx.add_tweet("kim", "@nimbushome hello")
    assert xc.find_reply(replace(mention, platform_id=other, thread_id=other), "k", NOW) is None
