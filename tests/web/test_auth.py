"""Signing in and out, sessions, CSRF, roles, throttling, redirects and security headers (in-process)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from bot.runtime import Runtime
from bot.web.security import check_password, hash_password
from tests.conftest import NOW
from tests.web.conftest import PASSWORD, Client, Clock, csrf_of, sign_in


def _login(client: Client, name: str, password: str, next_: str = "/queue") -> tuple[int, str, str]:
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post("/login", data={"name": name, "password": password, "login_token": token.group(1),
                                    "next": next_})
    return r.status_code, r.headers.get("location", ""), r.text


def test_pages_need_a_session_and_remember_where_you_were_going(app: Starlette) -> None:
    client = Client(app)
    r = client.get("/queue?priority=P1")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fqueue%3Fpriority%3DP1"
    assert client.get("/api/queue").status_code == 401
    assert client.post("/items/1/approve", data={"version": "1"}).status_code == 401


def test_session_cookie_is_signed_http_only_and_lax(app: Starlette) -> None:
    client = Client(app)
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post("/login", data={"name": "maya", "password": PASSWORD, "login_token": token.group(1)})
    cookie = r.headers["set-cookie"]
    assert "ronr_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http in tests; https sets Secure
    forged = Client(app)
    forged.cookies.set("ronr_session", "forged.value.here")
    assert forged.get("/queue").status_code == 303


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example", "/%0d%0aLocation: http://evil.example"])
def test_no_open_redirect_after_sign_in(app: Starlette, target: str) -> None:
    status, location, _ = _login(Client(app), "maya", PASSWORD, target)
    assert status == 303
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//")
    assert "\r" not in location and "\n" not in location and "\\" not in location


def test_sign_in_goes_back_to_a_local_page(app: Starlette) -> None:
    assert _login(Client(app), "maya", PASSWORD, "/audit")[:2] == (303, "/audit")


def test_wrong_password_is_refused_then_throttled(app: Starlette, clock: Clock) -> None:
    client = Client(app)
    for _ in range(5):
        status, _, text = _login(client, "maya", "wrong password")
        assert status == 401 and "Wrong name or password" in text
        assert 'value="maya"' in text and 'autocomplete="current-password" autofocus' in text  # retype the password
    status, _, text = _login(client, "maya", PASSWORD)
    assert status == 429 and "Too many failed attempts" in text
    clock.now += timedelta(minutes=16)
    assert _login(client, "maya", PASSWORD)[0] == 303


def test_login_form_needs_its_token(app: Starlette) -> None:
    r = Client(app).post("/login", data={"name": "maya", "password": PASSWORD, "login_token": "guess"})
    assert r.status_code == 403


def test_sign_out_ends_the_session_on_the_server(app: Starlette) -> None:
    client = Client(app)
    sign_in(client, "maya")
    stolen = client.cookies.get("ronr_session")
    assert client.post("/logout", data={"csrf": csrf_of(client)}).status_code == 303
    replay = Client(app)
    replay.cookies.set("ronr_session", stolen or "")
    assert replay.get("/queue").status_code == 303


def test_state_changes_need_the_csrf_token(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    client = signed_in("maya")
    item = web_rt.store.suggestions.pending()[0]
    for token in ("", "wrong", csrf_of(signed_in("tom"))):
        r = client.post(f"/items/{item.id}/approve", data={"csrf": token, "version": str(item.version)})
        assert r.status_code == 403 and "CSRF" in r.text
    assert client.post("/logout", data={}).status_code == 403
    assert web_rt.store.suggestions.get(item.id).status == "pending"  # type: ignore[union-attr]


def test_viewers_cannot_act_and_only_admins_manage_users(signed_in: Callable[[str], Client], web_rt: Runtime) -> None:
    viewer, manager, admin = signed_in("vic"), signed_in("maya"), signed_in("ada")
    item = web_rt.store.suggestions.pending()[0]
    assert viewer.get("/queue").status_code == 200
    page = viewer.get(f"/items/{item.id}")
    assert "You can look but not act" in page.text and "approve-form" not in page.text
    r = viewer.post(f"/items/{item.id}/approve", data={"csrf": csrf_of(viewer), "version": str(item.version)})
    assert r.status_code == 403 and "Viewers" in r.text
    assert manager.get("/users").status_code == 403
    r = manager.post("/users/add", data={"csrf": csrf_of(manager), "name": "eve", "role": "admin",
                                         "password": "x" * 12})
    assert r.status_code == 403 and web_rt.store.users.get("eve") is None
    r = admin.post("/users/add", data={"csrf": csrf_of(admin), "name": "eve", "role": "viewer", "password": "y" * 12})
    assert r.status_code == 303 and web_rt.store.users.get("eve").role == "viewer"  # type: ignore[union-attr]
    assert "eve" in admin.get("/users").text
    admin.post("/users/update", data={"csrf": csrf_of(admin), "name": "vic", "role": "viewer", "state": "disable"})
    assert viewer.get("/queue").status_code == 303  # a disabled user's session ends


def test_security_headers_on_every_response(app: Starlette, signed_in: Callable[[str], Client]) -> None:
    for client, path in ((Client(app), "/login"), (signed_in("maya"), "/queue"), (Client(app), "/api/queue"),
                         (Client(app), "/static/app.js"), (signed_in("maya"), "/nowhere")):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_cookies_are_secure_when_served_over_https(app: Starlette) -> None:
    client = Client(app, base_url="https://ronr.example")
    form = client.get("/login")
    assert "Secure" in form.headers["set-cookie"]  # the login form's token
    assert form.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in Client(app).get("/login").headers
    status, location, _ = _login(client, "maya", PASSWORD)
    assert status == 303 and location == "/queue"
    client.post("/logout", data={"csrf": csrf_of(client)})
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post("/login", data={"name": "maya", "password": PASSWORD, "login_token": token.group(1)})
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("ronr_session="))
    assert "Secure" in session and "HttpOnly" in session and "samesite=lax" in session.lower()
    item = csrf_of(client)
    flash = client.post("/items/1/approve", data={"csrf": item, "version": "999"}).headers["set-cookie"]
    assert flash.startswith("ronr_flash=") and "Secure" in flash


def test_one_address_is_throttled_across_user_names(app: Starlette) -> None:
    client = Client(app)
    for n in range(20):
        assert _login(client, f"nobody{n}", "wrong password")[0] == 401
    status, _, text = _login(client, "maya", PASSWORD)
    assert status == 429 and "Too many failed attempts" in text


# Every POST route of the pages, with the path values to try; the API takes Bearer tokens, not cookies.
STATE_CHANGING = {
    "/logout": [{}],
    "/items/{item_id}/length": [{}],
    "/items/{item_id}/{action}": [{"action": a} for a in ("approve", "edit", "reject", "snooze", "assign", "claim")],
    "/users/{op}": [{"op": "add"}, {"op": "update"}],
}
NOT_COOKIE_FORMS = {"/login", "/api/items/{item_id}/{action}"}  # a double-submit token; Bearer tokens


def test_every_state_changing_request_checks_the_csrf_token(app: Starlette, signed_in: Callable[[str], Client],
                                                             web_rt: Runtime) -> None:
    posts = {re.sub(r":\w+}", "}", r.path) for r in app.routes if isinstance(r, Route) and "POST" in (r.methods or ())}
    assert posts - NOT_COOKIE_FORMS == set(STATE_CHANGING), "a new POST route: check its CSRF and list it here"
    admin = signed_in("ada")
    item = web_rt.store.suggestions.pending()[0]
    fields = {"version": str(item.version), "text": "Hi", "reason": "r", "until": "+1h", "assignee": "tom",
              "name": "eve", "role": "admin", "password": "long enough password", "state": "disable"}
    before = (web_rt.store.suggestions.get(item.id), [u.name for u in web_rt.store.users.all()])
    for path, values in STATE_CHANGING.items():
        for value in values:
            url = path.format(item_id=item.id, **value)
            form = {} if path == "/logout" else fields
            for token in (None, "", "forged"):
                data = form if token is None else {**form, "csrf": token}
                r = admin.post(url, data=data)
                assert r.status_code == 403 and "CSRF" in r.text, (url, token, r.status_code)
    assert (web_rt.store.suggestions.get(item.id), [u.name for u in web_rt.store.users.all()]) == before
    assert admin.get("/queue").status_code == 200  # still signed in: /logout refused too


def test_passwords_are_stored_as_argon2id_hashes(web_rt: Runtime) -> None:
    web_rt.store.users.update("maya", NOW, password_hash=hash_password(PASSWORD))
    user = web_rt.store.users.get("maya")
    assert user is not None and user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # argon2's defaults
    assert PASSWORD not in user.password_hash
    assert check_password(user, PASSWORD) and not check_password(user, PASSWORD + " ")
    assert not check_password(None, PASSWORD)  # an unknown name is checked against a dummy hash, never accepted
