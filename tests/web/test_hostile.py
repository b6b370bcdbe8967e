"""Hostile input: mention text and author names are shown as text; every form and API field survives anything."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from bot.policy.guardrails import x_weighted_length
from bot.runtime import Runtime
from bot.web.security import new_token, token_hash
from tests.conftest import NOW
from tests.web.conftest import Client, csrf_of

MARKERS = ("<script>alert", "<img src=x onerror", "<svg onload")
SCRIPT_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
            "javascript:alert(1)", "{{7*7}}{% raw %}", "'; DROP TABLE suggestions; --", "\x00\x01\u202e",
            "%_\\", "x" * 20_500, "+1h", "2026-11-21T09:00", "P1", "maya", "-", "", " ", "9" * 30]
hostile = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=300),
                    st.builds(lambda a, b: a + b, st.sampled_from(PAYLOADS), st.text(max_size=40)))
in_url = hostile.map(lambda value: value[:4000])  # a query string past 64 KB is refused by the client itself
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _inert(html: str) -> None:
    for marker in MARKERS:
        assert marker not in html, marker
    assert not SCRIPT_URL.search(html)


def test_hostile_mention_and_author_are_escaped(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    client = signed_in("maya")
    item = next(i for i in web_rt.store.suggestions.pending() if "script" in i.mention.text)
    for path in ("/queue", f"/items/{item.id}", "/queue?partial=1", "/queue?q=%3Cscript%3E"):
        html = client.get(path).text
        _inert(html)
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html or path.endswith("E")
        assert "<b>evil</b>" not in html
    assert "@<bdi>&lt;b&gt;evil&lt;/b&gt;&#34;&#39;</bdi>" in client.get(f"/items/{item.id}").text
    body = client.get("/queue?q=%3Cscript%3E").text
    assert 'value="&lt;script&gt;"' in body


@FAST
@given(action=st.sampled_from(["approve", "edit", "reject", "snooze", "assign", "claim"]),
       field=st.sampled_from(["text", "reason", "until", "until_at", "assignee", "version", "back", "csrf", "from"]),
       value=hostile)
def test_every_form_field_takes_hostile_input(signed_in: Callable[[str], Client], web_rt: Runtime, action: str,
                                              field: str, value: str) -> None:
    client = _client(signed_in)
    item = _pending(web_rt)
    fields = {"csrf": csrf_of(client), "version": str(item.version), "text": "ok", "reason": "r", "until": "+1h",
              "assignee": "tom", "back": "/queue"}
    fields[field] = value
    r = client.post(f"/items/{item.id}/{action}", data=fields, follow_redirects=True)
    assert r.status_code in (200, 403), r.status_code
    _inert(r.text)
    after = web_rt.store.suggestions.get(item.id)
    assert after is not None and after.version in (item.version, item.version + 1)
    if after.status == "approved":  # an approval always leaves exactly one outbox entry within the limit
        posts = [o for o in web_rt.store.outbox.in_state("approved") if o.suggestion_id == item.id]
        assert len(posts) == 1 and 0 < len(posts[0].text) <= 280


@FAST
@given(params=st.dictionaries(st.sampled_from(["q", "platform", "intent", "priority", "account", "assignee", "page",
                                               "snoozed", "partial"]), in_url, max_size=4))
def test_queue_filters_take_hostile_input(signed_in: Callable[[str], Client], params: dict[str, str]) -> None:
    r = _client(signed_in).get("/queue", params=params)
    assert r.status_code == 200
    _inert(r.text)


@FAST
@given(name=hostile, password=hostile, next_=hostile, token=st.one_of(st.none(), hostile))
def test_login_takes_hostile_input(app: Starlette, name: str, password: str, next_: str, token: str | None) -> None:
    client = Client(app)
    real = client.get("/login").text.split('name="login_token" value="')[1].split('"')[0]
    sent = token or real
    r = client.post("/login", data={"name": name, "password": password, "login_token": sent, "next": next_})
    assert r.status_code in ((401, 429) if sent == real else (403,))
    _inert(r.text)


@FAST
@given(page=in_url, action=in_url)
def test_audit_page_and_action_names_take_hostile_input(signed_in: Callable[[str], Client], web_rt: Runtime,
                                                        page: str, action: str) -> None:
    client = _client(signed_in)
    r = client.get("/audit", params={"before": page, "after": page})
    assert r.status_code == 200
    _inert(r.text)
    item = _pending(web_rt)
    r = client.post(f"/items/{item.id}/{quote(action, safe='')}", data={"csrf": csrf_of(client), "version": "1"})
    assert r.status_code in (307, 403, 404, 405), r.status_code  # 307: an empty name, Starlette drops the slash
    _inert(r.text)
    assert web_rt.store.suggestions.get(item.id).version == item.version  # type: ignore[union-attr]


@FAST
@given(back=in_url)
def test_item_page_takes_a_hostile_back_link(signed_in: Callable[[str], Client], web_rt: Runtime, back: str) -> None:
    item = _pending(web_rt)
    r = _client(signed_in).get(f"/items/{item.id}", params={"back": back})
    assert r.status_code == 200
    _inert(r.text)
    link = re.search(r'<a href="([^"]*)" class="back"', r.text)
    assert link is not None and link.group(1).startswith("/") and not link.group(1).startswith("//")


@FAST
@given(text=hostile)
def test_the_live_character_count_takes_hostile_text(signed_in: Callable[[str], Client], web_rt: Runtime,
                                                     text: str) -> None:
    client = _client(signed_in)
    item = _pending(web_rt)
    r = client.post(f"/items/{item.id}/length", data={"csrf": csrf_of(client), "text": text})
    assert r.status_code == 200
    assert r.json() == {"length": x_weighted_length(text[:20_000].strip()), "limit": 280}


def test_a_form_with_too_many_fields_gets_a_page_not_a_crash(signed_in: Callable[[str], Client],
                                                             web_rt: Runtime) -> None:
    client = _client(signed_in)
    item = _pending(web_rt)
    r = client.post(f"/items/{item.id}/approve", data={f"f{n}": "x" for n in range(60)})
    assert r.status_code == 400 and "Too many fields" in r.text and "<main" in r.text
    assert web_rt.store.suggestions.get(item.id).version == item.version  # type: ignore[union-attr]


@FAST
@given(op=st.sampled_from(["add", "update"]), name=hostile, role=hostile, other=hostile)
def test_user_forms_take_hostile_input(signed_in: Callable[[str], Client], web_rt: Runtime, op: str, name: str,
                                       role: str, other: str) -> None:
    client = _client(signed_in, "ada")
    fields = {"csrf": csrf_of(client), "name": name, "role": role, "password" if op == "add" else "state": other}
    r = client.post(f"/users/{op}", data=fields, follow_redirects=True)
    assert r.status_code == 200
    _inert(r.text)
    roles = {u.name: u.role for u in web_rt.store.users.all()}
    assert roles["ada"] == "admin" and set(roles.values()) <= {"viewer", "manager", "admin"}


@FAST
@given(params=st.dictionaries(st.sampled_from(["limit", "offset", "q", "platform", "intent", "priority", "account",
                                               "assignee", "snoozed"]), in_url, max_size=4))
def test_api_list_parameters_take_hostile_input(app: Starlette, web_rt: Runtime, params: dict[str, str]) -> None:
    r = _api(app, web_rt).get("/api/queue", params=params)
    assert r.status_code == 200
    body = r.json()
    assert 1 <= body["limit"] <= 200 and body["offset"] >= 0 and len(body["items"]) <= body["limit"]


@FAST
@given(action=st.sampled_from(["approve", "edit", "reject", "snooze", "assign", "claim"]),
       raw=st.one_of(st.binary(max_size=200), st.sampled_from([b"[]", b"null", b"1", b'"x"', b"{", b"\xff\xfe",
                                                               b'{"version": 1e999}'])))
def test_api_bodies_that_are_not_objects_are_refused(app: Starlette, web_rt: Runtime, action: str, raw: bytes) -> None:
    item = _pending(web_rt)
    r = _api(app, web_rt).post(f"/api/items/{item.id}/{action}", content=raw)
    assert r.status_code in (400, 422) and isinstance(r.json()["error"], str)
    assert web_rt.store.suggestions.get(item.id).version == item.version  # type: ignore[union-attr]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | hostile,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=3), max_leaves=6)


@FAST
@given(action=st.sampled_from(["approve", "edit", "reject", "snooze", "assign", "claim"]),
       body=st.dictionaries(st.sampled_from(["version", "text", "reason", "until", "assignee"]), json_values,
                            max_size=5))
def test_every_api_field_takes_hostile_input(app: Starlette, web_rt: Runtime, action: str,
                                             body: dict[str, Any]) -> None:
    client = _api(app, web_rt)
    item = _pending(web_rt)
    r = client.post(f"/api/items/{item.id}/{action}", content=json.dumps(body).encode())
    assert r.status_code in (200, 400, 409, 422), (r.status_code, r.text)
    assert isinstance(r.json(), dict)


def _pending(web_rt: Runtime) -> Any:
    """A pending item to act on (more are made when the examples have used them up)."""
    found = web_rt.store.suggestions.pending(limit=1)
    if not found:
        web_rt.store.suggestions.bulk_pending(5, NOW)
        found = web_rt.store.suggestions.pending(limit=1)
    return found[0]


_clients: dict[tuple[int, str], Client] = {}


def _client(signed_in: Callable[[str], Client], name: str = "maya") -> Client:
    key = (id(signed_in), name)
    if key not in _clients:
        _clients.clear()
        _clients[key] = signed_in(name)
    return _clients[key]


def _api(app: Starlette, web_rt: Runtime) -> Client:
    key = (id(app), "api")
    if key not in _clients:
        _clients.clear()
        user = web_rt.store.users.get("maya")
        assert user is not None
        token = new_token()
        web_rt.store.users.add_token(user.id, token_hash(token), "", NOW)
        client = Client(app)
        client._client.headers["Authorization"] = f"Bearer {token}"
        _clients[key] = client
    return _clients[key]
