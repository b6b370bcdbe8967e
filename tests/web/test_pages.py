"""The queue, item and audit pages and their actions, in-process through the ASGI transport."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from markupsafe import escape

from bot.models import Suggestion
from bot.queue import reply_limit
from bot.runtime import Runtime
from tests.conftest import NOW, mention
from tests.web.conftest import Client, Clock, csrf_of


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr class="row" data-id="(\d+)"', html)]


def _flash(html: str) -> str:
    found = re.search(r'<div class="flash[^"]*" role="status">([^<]*)</div>', html)
    return found.group(1) if found else ""


def _act(client: Client, item_id: int, action: str, **fields: str) -> str:
    data = {"csrf": csrf_of(client), **fields}
    return _flash(client.post(f"/items/{item_id}/{action}", data=data, follow_redirects=True).text)


def test_queue_orders_by_priority_then_deadline(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    web_rt.store.suggestions.bulk_pending(4, NOW - timedelta(hours=3))  # later ids, earlier deadlines, P1..P4
    page = signed_in("maya").get("/queue")
    assert page.status_code == 200
    items = {i.id: i for i in web_rt.store.suggestions.pending()}
    expected = sorted(items, key=lambda i: (items[i].priority, items[i].sla_due, i))
    assert _ids(page.text) == expected and len(expected) == 8
    assert expected != sorted(expected), "the fixture must tell queue order from insertion order"
    p2 = [i for i in expected if items[i].priority == "P2"]
    assert len(p2) == 3 and p2[0] > p2[1]  # within a priority, the earlier deadline first, not the older row
    assert 'class="sla ' in page.text and "overdue" in page.text


def test_sla_countdown_turns_at_risk_then_breached(signed_in: Callable[[str], Client], web_rt: Runtime,
                                                   clock: Clock) -> None:
    client = signed_in("maya")
    first = web_rt.store.suggestions.pending()[0]
    assert first.sla_due is not None
    clock.now = first.sla_due - timedelta(minutes=5)
    assert 'class="sla at_risk"' in client.get("/queue").text
    clock.now = first.sla_due + timedelta(hours=2)
    assert 'class="sla breached"' in client.get("/queue").text and "2h 00m overdue" in client.get("/queue").text


def test_filters_search_and_pagination(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    client = signed_in("maya")
    by_pid = {i.mention.platform_id: i.id for i in web_rt.store.suggestions.pending()}
    assert _ids(client.get("/queue?intent=question").text) == [by_pid["102"]]
    assert _ids(client.get("/queue?q=homekit").text) == [by_pid["102"]]
    assert _ids(client.get("/queue?q=%25").text) == []  # a LIKE wildcard is searched as text
    assert _ids(client.get("/queue?platform=reddit").text) == []
    assert set(_ids(client.get("/queue?platform=x").text)) == set(by_pid.values())
    priorities = {i.id: i.priority for i in web_rt.store.suggestions.pending()}
    for priority in set(priorities.values()):
        shown = _ids(client.get(f"/queue?priority={priority}").text)
        assert shown and {priorities[i] for i in shown} == {priority}, priority
    assert set(_ids(client.get("/queue?account=nimbushome").text)) == set(by_pid.values())
    _act(client, by_pid["103"], "claim", version="1")
    assert _ids(client.get("/queue?assignee=maya").text) == [by_pid["103"]]
    assert by_pid["103"] not in _ids(client.get("/queue?assignee=-").text)
    web_rt.store.suggestions.bulk_pending(120, web_rt.store.suggestions.get(by_pid["101"]).created_at)  # type: ignore[union-attr]
    page1, page3 = client.get("/queue"), client.get("/queue?page=3")
    assert "Page 1 of 3" in page1.text and len(_ids(page1.text)) == 50 and len(_ids(page3.text)) == 24
    assert not set(_ids(page1.text)) & set(_ids(page3.text))


def test_item_page_explains_the_suggestion(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    item = next(i for i in web_rt.store.suggestions.pending() if i.mention.platform_id == "101")
    html = signed_in("maya").get(f"/items/{item.id}").text
    for part in ("my order never arrived", "@<bdi>jess</bdi>", "followers", "Why it is here", item.rule_id,
                 "never arrived", f'data-limit="{reply_limit("x")}"', "Reject because", "Snooze for", "Assign to",
                 "m on it"):
        assert part in html, part


def test_approve_edit_reject_snooze_assign_through_forms(signed_in: Callable[[str], Client],
                                                          web_rt: Runtime) -> None:
    client = signed_in("maya")
    a, b, c, d = web_rt.store.suggestions.pending()
    assert "Approved item" in _act(client, a.id, "approve", version=str(a.version))
    assert "Saved your edit" in _act(client, b.id, "edit", version=str(b.version), text="Edited words")
    assert web_rt.store.suggestions.get(b.id).draft == "Edited words"  # type: ignore[union-attr]
    assert "Approved item" in _act(client, b.id, "approve", version=str(b.version + 1), text="Edited words!")
    assert "Rejected item" in _act(client, c.id, "reject", version=str(c.version), reason="already answered")
    assert "Snoozed item" in _act(client, d.id, "snooze", version=str(d.version), until="+4h")
    assert d.id not in _ids(client.get("/queue").text) and d.id in _ids(client.get("/queue?snoozed=1").text)
    assert "Assigned item" in _act(client, d.id, "assign", version=str(d.version + 1), assignee="tom")
    assert "<bdi>tom</bdi> is on it" in client.get(f"/items/{d.id}").text
    outbox = web_rt.store.outbox.counts()
    assert outbox == {"approved": 2}
    audit = client.get("/audit").text
    assert "<ins>words!</ins>" in audit and "<del>" in audit and "already answered" in audit


def test_refusals_come_back_as_one_line(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    client = signed_in("maya")
    item = web_rt.store.suggestions.pending()[0]
    assert "already" not in _act(client, item.id, "reject", version=str(item.version), reason="  ")
    assert "needs a reason" in _act(client, item.id, "reject", version=str(item.version), reason=" ")
    assert "allows 280" in _act(client, item.id, "approve", version=str(item.version), text="x" * 281)
    assert "the reply is empty" in _act(client, item.id, "approve", version=str(item.version), text=" \n ")
    assert "not in the future" in _act(client, item.id, "snooze", version=str(item.version), until="2000-01-01T00:00")
    assert "cannot read snooze time" in _act(client, item.id, "snooze", version=str(item.version), until="soon")
    assert "nobody called" in _act(client, item.id, "assign", version=str(item.version), assignee="mallory")
    assert "which version" in _act(client, item.id, "approve", version="")
    assert web_rt.store.suggestions.get(item.id).version == item.version  # type: ignore[union-attr]
    assert client.post(f"/items/{item.id}/explode", data={"csrf": csrf_of(client)}).status_code == 404
    assert client.get("/items/99999").status_code == 404


def test_collision_exactly_one_wins_and_the_other_is_told_who(signed_in: Callable[[str], Client],
                                                              web_rt: Runtime) -> None:
    maya, tom = signed_in("maya"), signed_in("tom")
    item = web_rt.store.suggestions.pending()[0]
    assert "Approved item" in _act(maya, item.id, "approve", version=str(item.version))
    loser = _act(tom, item.id, "reject", version=str(item.version), reason="dup")
    assert f"item {item.id} is already approved by maya" in loser
    other = web_rt.store.suggestions.pending()[0]
    assert "You are on item" in _act(maya, other.id, "claim", version=str(other.version))
    told = _act(tom, other.id, "approve", version=str(other.version))
    assert "changed while you were looking" in told and "maya" in told
    assert "claimed by maya" in _act(tom, other.id, "claim", version=str(other.version + 1))
    assert web_rt.store.outbox.counts() == {"approved": 1}


def test_live_endpoint_and_partial_rows_show_new_items(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    client = signed_in("maya")
    before = client.get("/queue/live").json()["newest"]
    web_rt.store.suggestions.bulk_pending(1, web_rt.store.suggestions.pending()[0].created_at)
    after = client.get("/queue/live").json()["newest"]
    assert after > before
    rows = client.get("/queue?partial=1").text
    assert rows.startswith("<tbody") and str(after) in rows and "<html" not in rows
    changed = client.get("/queue/live").json()["changed"]
    assert f'data-changed="{changed}"' in rows
    item = web_rt.store.suggestions.pending()[0]
    _act(client, item.id, "claim", version=str(item.version))  # a colleague's action moves "changed" too
    assert client.get("/queue/live").json() == {"newest": after, "changed": changed + 1}


def test_a_follow_up_question_is_marked_as_one(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    item = web_rt.store.suggestions.pending()[0]
    follow = Suggestion(rule_id=item.rule_id, action="reply", text="Did that sort it out?", why=("silence",))
    added = web_rt.store.suggestions.add(item.mention, item.mention_id, follow, item.priority, None, NOW,
                                         kind="follow_up")
    client = signed_in("maya")
    page = client.get("/queue").text
    row = page[page.index(f'data-id="{added}"'):]
    assert 'class="tag follow-up"' in row[:row.index("</tr>")]
    assert "Suggested follow-up question" in client.get(f"/items/{added}").text
    assert "Suggested follow-up question" not in client.get(f"/items/{item.id}").text


def test_snooze_until_a_chosen_time(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    client = signed_in("maya")
    item = web_rt.store.suggestions.pending()[0]
    assert 'name="until_at"' in client.get(f"/items/{item.id}").text
    told = _act(client, item.id, "snooze", version=str(item.version), until="+1h", until_at="2026-11-23T09:30")
    assert told == f"Snoozed item {item.id} until 2026-11-23T09:30+00:00."  # bot.toml's timezone (UTC here)
    snoozed = web_rt.store.suggestions.get(item.id)
    assert snoozed is not None and snoozed.snoozed_until == NOW.replace(day=23, hour=9, minute=30)


def test_item_page_shows_author_history_trend_thread_reasons_rule_reply_and_follow_up(
        make_project: Callable[..., Path], app_for: Callable[[Path], tuple[Client, Runtime]]) -> None:
    answer = {**mention("302", "@nimbushome still nothing, day three now. useless", -200, "jess"),
              "thread_id": "301", "in_reply_to": "301"}
    client, rt = app_for(make_project([mention("300", "@nimbushome love the new thermostat, thanks!", -5000, "jess"),
                                   mention("301", "@nimbushome my order never arrived and nobody answers", -300,
                                           "jess"), answer]))
    item = next(i for i in rt.store.suggestions.pending() if i.mention.platform_id == "301")
    assert item.follow_up and item.reasons
    rule = next(r for r in rt.rules if r.id == item.rule_id)
    html = client.get(f"/items/{item.id}").text
    page = re.sub(r"\s+", " ", html)
    assert "100 followers" in page and "3 mentions of us since" in page  # reach, history
    assert page.count('<rect x=') == 3 and "average" in page  # sentiment trend over their mentions
    thread = page[page.index('<ol class="thread">'):page.index("</ol>")]
    assert "my order never arrived" in thread and "still nothing, day three now" in thread
    for reason in item.reasons:
        assert str(escape(reason)) in html, reason
    assert f"<code>{item.rule_id}</code>: {escape(rule.title)}" in html
    assert str(escape(item.text)) in html and str(escape(item.follow_up)) in html


def test_the_whole_audit_log_can_be_paged_both_ways(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    client = signed_in("maya")
    for n in range(130):
        web_rt.store.audit.record("maya", "snoozed", "note", n, {"reason": f"entry {n}"}, NOW)
    newest = max(e["id"] for e in web_rt.store.audit.recent(1))

    def walk(pattern: str) -> tuple[list[int], int]:
        seen, pages, path = [], 0, "/audit"
        while path:
            page = client.get(path)
            assert page.status_code == 200
            seen += [int(x) for x in re.findall(r'data-entry="(\d+)"', page.text)]
            pages += 1
            found = re.search(pattern, page.text)
            path = found.group(1) if found else ""
        return seen, pages

    older, pages = walk(r'href="(/audit\?before=\d+)">Older')
    assert pages >= 3 and older == sorted(older, reverse=True) and len(older) == len(set(older)) == newest
    last = client.get(f"/audit?before={older[-1]}")
    assert "No actions here" in last.text and "Older" not in last.text
    back = client.get(f"/audit?after={older[-1]}")  # the page just newer than the oldest entry
    ids = [int(x) for x in re.findall(r'data-entry="(\d+)"', back.text)]
    assert ids == list(range(min(older) + 50, min(older), -1)) and "Newer" in back.text
    assert client.get("/audit?before=nonsense").status_code == 200  # a bad id means the newest page


