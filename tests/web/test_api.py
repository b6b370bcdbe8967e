"""The JSON API: tokens, listing, every action, collisions with 409 and who acted, and the OpenAPI description."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.applications import Starlette

from bot.cli import main
from bot.runtime import Runtime
from bot.web.openapi import spec
from bot.web.security import new_token, token_hash
from tests.conftest import NOW
from tests.web.conftest import Client


@pytest.fixture
def api(app: Starlette, web_rt: Runtime) -> Callable[[str], Client]:
    """A client carrying a fresh API token for a user."""
    def make(name: str) -> Client:
        user = web_rt.store.users.get(name)
        assert user is not None
        token = new_token("ronr_")
        web_rt.store.users.add_token(user.id, token_hash(token), "test", NOW)
        client = Client(app)
        client._client.headers["Authorization"] = f"Bearer {token}"
        return client
    return make


def test_tokens_are_required_and_checked(app: Starlette) -> None:
    client = Client(app)
    assert client.get("/api/queue").status_code == 401
    client._client.headers["Authorization"] = "Bearer ronr_not-a-real-token"
    r = client.get("/api/queue")
    assert r.status_code == 401 and "ronr user token" in r.json()["error"]


def test_list_and_get(api: Callable[[str], Client], web_rt: Runtime) -> None:
    client = api("vic")
    body = client.get("/api/queue?limit=2").json()
    assert body["total"] == 4 and len(body["items"]) == 2 and body["limit"] == 2
    first = body["items"][0]
    assert first["priority"] <= body["items"][1]["priority"] and first["reply_limit"] == 280
    assert {"mention", "triage", "suggestion", "version", "sla_state"} <= set(first)
    assert client.get(f"/api/items/{first['id']}").json()["id"] == first["id"]
    assert client.get("/api/items/424242").status_code == 404
    assert client.get("/api/queue?intent=question").json()["total"] == 1
    assert client.get("/api/queue?limit=zzz&offset=-4").status_code == 200


def test_every_action_through_the_api(api: Callable[[str], Client], web_rt: Runtime) -> None:
    client = api("maya")
    a, b, c, d = web_rt.store.suggestions.pending()
    r = client.post(f"/api/items/{a.id}/edit", json={"version": a.version, "text": "Sorry! DM us?"})
    assert r.status_code == 200 and r.json()["item"]["draft"] == "Sorry! DM us?"
    r = client.post(f"/api/items/{a.id}/approve", json={"version": a.version + 1})
    assert r.status_code == 200 and r.json()["item"]["status"] == "approved"
    assert web_rt.store.outbox.counts() == {"approved": 1}
    assert client.post(f"/api/items/{b.id}/reject", json={"version": b.version, "reason": "dup"}).status_code == 200
    r = client.post(f"/api/items/{c.id}/snooze", json={"version": c.version, "until": "2026-11-21T09:00:00+00:00"})
    assert r.status_code == 200 and r.json()["item"]["snoozed_until"] == "2026-11-21T09:00:00+00:00"
    r = client.post(f"/api/items/{d.id}/assign", json={"version": d.version, "assignee": "tom"})
    assert r.status_code == 200 and r.json()["item"]["assignee"] == "tom"
    r = client.post(f"/api/items/{d.id}/assign", json={"version": d.version + 1, "assignee": None})
    assert r.status_code == 200 and r.json()["item"]["assignee"] is None
    r = client.post(f"/api/items/{d.id}/claim", json={"version": d.version + 2})
    assert r.status_code == 200 and r.json()["item"]["assignee"] == "maya"


def test_same_rules_as_the_ui(api: Callable[[str], Client], web_rt: Runtime) -> None:
    item = web_rt.store.suggestions.pending()[0]
    viewer, maya = api("vic"), api("maya")
    assert viewer.post(f"/api/items/{item.id}/approve", json={"version": item.version}).status_code == 403
    for body, code in (({"version": item.version, "text": "x" * 281}, 422), ({}, 422), ([1], 400),
                       ({"version": item.version, "reason": ""}, 422)):
        action = "reject" if "reason" in body else "approve"
        assert maya.post(f"/api/items/{item.id}/{action}", json=body).status_code == code, body
    assert maya.post(f"/api/items/{item.id}/approve", content=b"{not json").status_code == 400
    assert maya.post(f"/api/items/{item.id}/explode", json={"version": 1}).status_code == 404
    assert maya.post("/api/items/999999/approve", json={"version": 1}).status_code == 404
    assert web_rt.store.suggestions.get(item.id).version == item.version  # type: ignore[union-attr]


def test_collision_gives_409_with_who_acted(api: Callable[[str], Client], web_rt: Runtime) -> None:
    maya, tom = api("maya"), api("tom")
    item = web_rt.store.suggestions.pending()[0]
    assert maya.post(f"/api/items/{item.id}/claim", json={"version": item.version}).status_code == 200
    r = tom.post(f"/api/items/{item.id}/approve", json={"version": item.version})
    assert r.status_code == 409 and r.json()["by"] == "maya" and r.json()["action"] == "claimed"
    r = tom.post(f"/api/items/{item.id}/claim", json={"version": item.version + 1})
    assert r.status_code == 409 and "claimed by maya" in r.json()["error"]
    assert maya.post(f"/api/items/{item.id}/approve", json={"version": item.version + 1}).status_code == 200
    r = tom.post(f"/api/items/{item.id}/reject", json={"version": item.version + 1, "reason": "no"})
    assert r.status_code == 409 and r.json()["status"] == "approved" and "approved by maya" in r.json()["error"]


def test_openapi_describes_every_route(app: Starlette) -> None:
    doc = Client(app).get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path in ("/api/queue", "/api/items/{item_id}", *(f"/api/items/{{item_id}}/{a}" for a in
                                                        ("approve", "edit", "reject", "snooze", "assign", "claim"))):
        assert path in doc["paths"], path
    assert doc == spec(doc["servers"][0]["url"])
    validate(doc)  # raises on anything that is not valid OpenAPI 3.1


def test_openapi_says_what_the_api_returns(app: Starlette, api: Callable[[str], Client]) -> None:
    item_schema = Client(app).get("/api/openapi.json").json()["paths"]["/api/items/{item_id}"]["get"]["responses"]
    schema = item_schema["200"]["content"]["application/json"]["schema"]
    listed = api("vic").get("/api/queue").json()
    item = listed["items"][0]
    Draft202012Validator(schema).validate(item)
    assert set(item) == set(schema["properties"])
    for part in ("mention", "triage", "suggestion"):
        assert set(item[part]) == set(schema["properties"][part]["properties"]), part


def test_user_commands(make_project: Callable[..., object], tmp_path: object) -> None:
    config = make_project()
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
        result = runner.invoke(main, ["--config", str(config), *args], input=stdin)
        return result.exit_code, result.output

    assert run("user", "add", "ada", "--role", "admin", "--password-stdin", stdin="long enough pw\n")[0] == 0
    code, out = run("user", "add", "ada", "--role", "admin", "--password-stdin", stdin="long enough pw\n")
    assert code == 1 and "already exists" in out and len(out.strip().splitlines()) == 1
    code, out = run("user", "add", "bob", "--password-stdin", stdin="short\n")
    assert code == 1 and "at least 10 characters" in out
    code, out = run("user", "add", "<bad>", "--password-stdin", stdin="long enough pw\n")
    assert code == 1 and "not allowed" in out
    code, out = run("user", "token", "ada")
    assert code == 0 and out.strip().startswith("ronr_")
    code, out = run("user", "token", "nobody")
    assert code == 1 and "ronr user add nobody" in out
    code, out = run("user", "list")
    assert code == 0 and "ada" in out and "admin" in out


def test_an_approval_wakes_the_dispatcher(api: Callable[[str], Client], web_rt: Runtime) -> None:
    from bot.dispatch import on_approval

    woken: list[int] = []
    unsubscribe = on_approval(lambda: woken.append(1))
    try:
        client = api("maya")
        item = web_rt.store.suggestions.pending()[0]
        assert client.post(f"/api/items/{item.id}/reject", json={"version": item.version, "reason": "dup"}).is_success
        assert woken == []  # only approvals have something to post
        item = web_rt.store.suggestions.pending()[0]
        assert client.post(f"/api/items/{item.id}/approve", json={"version": item.version}).is_success
        assert woken == [1]
    finally:
        unsubscribe()


def test_serve_says_in_one_line_why_it_cannot_listen(make_project: Callable[..., object]) -> None:
    config = make_project()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["--config", str(config), "serve", "--port", str(port)])
    assert result.exit_code == 1 and "RonR web UI on" not in result.output
    assert result.output.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: address already in use; choose another --port or --host, or "
        "stop what is using it"]


def test_passwords_from_a_prompt_resets_and_token_revocation(make_project: Callable[..., Path]) -> None:
    from bot.config import load_settings
    from bot.runtime import build_runtime
    from bot.web.security import check_password

    config = make_project()
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
        result = runner.invoke(main, ["--config", str(config), *args], input=stdin)
        return result.exit_code, result.output

    code, out = run("user", "add", "maya", stdin="first password\nother password\nfirst password\nfirst password\n")
    assert code == 0 and "do not match" in out.lower() and "Added maya as manager" in out
    assert run("user", "password", "maya", "--password-stdin", stdin="short\n")[0] == 1
    assert run("user", "password", "maya", stdin="second password\nsecond password\n")[0] == 0
    assert run("user", "password", "nobody", "--password-stdin", stdin="long enough pw\n")[0] == 1
    tokens = [run("user", "token", "maya")[1].strip() for _ in range(2)]
    assert run("user", "revoke", "maya") == (0, "Revoked 2 API tokens of maya.\n")
    rt = build_runtime(load_settings(config))
    try:
        user = rt.store.users.get("maya")
        assert user is not None and check_password(user, "second password")
        assert not check_password(user, "first password")
        assert [rt.store.users.token_user(token_hash(t), NOW) for t in tokens] == [None, None]
    finally:
        rt.close()


def test_the_api_takes_no_cookies_and_no_disabled_users(api: Callable[[str], Client],
                                                        signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    browser = signed_in("maya")  # a session cookie, as a page sending a cross-site request would carry
    item = web_rt.store.suggestions.pending()[0]
    assert browser.get("/api/queue").status_code == 401
    assert browser.post(f"/api/items/{item.id}/approve", json={"version": item.version}).status_code == 401
    vic = api("vic")
    assert vic.get("/api/queue").status_code == 200
    web_rt.store.users.update("vic", NOW, disabled=True)
    assert vic.get("/api/queue").status_code == 401
    assert web_rt.store.suggestions.get(item.id).status == "pending"  # type: ignore[union-attr]


@pytest.mark.parametrize("action, body, code, says", [
    ("approve", {"text": 5}, 400, "`text` must be a string"),
    ("approve", {"text": ["Sorry!"]}, 400, "`text` must be a string"),
    ("approve", {"text": "   "}, 422, "the reply is empty"),
    ("edit", {"text": {"x": 1}}, 400, "`text` must be a string"),
    ("reject", {"reason": 7}, 400, "`reason` must be a string"),
    ("snooze", {"until": 3600}, 400, "`until` must be a string"),
    ("assign", {"assignee": 5}, 400, "`assignee` must be a string or null"),
])
def test_a_wrong_type_is_refused_not_read_as_no_edit(api: Callable[[str], Client], web_rt: Runtime, action: str,
                                                    body: dict[str, object], code: int, says: str) -> None:
    item = web_rt.store.suggestions.pending()[0]
    web_rt.store.suggestions.change(item, {"assignee": "tom"}, "tom", "assigned", {}, NOW, item.version)
    r = api("maya").post(f"/api/items/{item.id}/{action}", json={"version": item.version + 1, **body})
    assert r.status_code == code and says in r.json()["error"], r.text
    after = web_rt.store.suggestions.get(item.id)
    assert after is not None and (after.status, after.assignee, after.version) == ("pending", "tom", item.version + 1)
    assert web_rt.store.outbox.counts() == {}


def test_ronr_serve_serves_until_interrupted(make_project: Callable[..., Path]) -> None:
    config = make_project()
    ronr = Path(sys.executable).parent / "ronr"
    proc = subprocess.Popen([str(ronr), "--config", str(config), "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", banner)
        assert found and found.group(1) != "0", banner
        page = httpx.get(f"http://127.0.0.1:{found.group(1)}/login", timeout=10)
        assert page.status_code == 200 and "Sign in" in page.text
        assert page.headers["content-security-policy"] and "server" not in page.headers
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
