"""The HTML pages: sign in and out, the queue, one item, its actions, and the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.policy.guardrails import reply_length
from bot.queue import QueueError
from bot.store.suggestions import PRIORITY_ORDER, count_cap
from bot.triage.lexicon import INTENTS
from bot.web import actions, users_page
from bot.web.context import acting_form, error_page, redirect, render, web
from bot.web.security import (
    SESSION_HOURS,
    check_password,
    new_token,
    record_failure,
    safe_next,
    same,
    throttled,
    token_hash,
)
from bot.web.views import PAGE_SIZE, clean, diff_words, entry_id, page_number, queue_filter, sla

LOGIN_COOKIE = "ronr_login"
SESSION_COOKIE = "ronr_session"


async def login_form(request: Request) -> Response:
    """The sign-in page (a double-submit token guards the form itself)."""
    token = request.cookies.get(LOGIN_COOKIE) or new_token()
    response = render(request, "login.html", next=safe_next(request.query_params.get("next")), login_token=token,
                      error="", name="")
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


async def login(request: Request) -> Response:
    """Check the password, with throttling per user name and per client address."""
    w = web(request)
    now = w.clock()
    form = await request.form(max_files=0, max_fields=10)
    name, password = str(form.get("name", ""))[:100].strip(), str(form.get("password", ""))[:1000]
    target = safe_next(str(form.get("next", "")))
    token, cookie = str(form.get("login_token", "")), request.cookies.get(LOGIN_COOKIE, "")

    def again(status: int, error: str) -> Response:
        return render(request, "login.html", status=status, next=target, login_token=cookie or new_token(),
                      error=error, name=name)

    if not cookie or not same(token, cookie):
        return again(403, "The sign-in form expired. Please try again.")
    address = request.client.host if request.client else "unknown"
    wait = throttled(w.rt.store, name, address, now)
    if wait is not None:
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        return again(429, f"Too many failed attempts. Try again in {minutes} minutes.")
    user = w.rt.store.users.get(name) if name else None
    if user is None or user.disabled or not check_password(user, password):
        record_failure(w.rt.store, name, address, now)
        return again(401, "Wrong name or password.")
    w.rt.store.users.clear_failures(f"user:{name.lower()}", now - timedelta(days=1))
    session_id, csrf = new_token(), new_token()
    w.rt.store.users.start_session(user.id, token_hash(session_id), csrf, now, now + timedelta(hours=SESSION_HOURS))
    response = redirect(request, target)
    response.set_cookie(SESSION_COOKIE, w.signer.session(session_id), max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    response.delete_cookie(LOGIN_COOKIE)
    return response


async def logout(request: Request) -> Response:
    """Sign out: the session ends on the server too."""
    form = await request.form(max_files=0, max_fields=5)
    token = form.get("csrf")
    if not isinstance(token, str) or not same(token, request.state.csrf or "\x00"):
        return error_page(request, 403, "This form has expired (CSRF check failed). Reload the page and try again.")
    web(request).rt.store.users.end_session(request.state.session_hash)
    response = redirect(request, "/login", "info", "You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _queue_context(request: Request) -> dict[str, Any]:
    w = web(request)
    now = w.clock()
    where = queue_filter(request.query_params)
    page = page_number(request.query_params.get("page"))
    items, total = w.rt.store.suggestions.page(where, now, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    params = {k: v for k, v in request.query_params.items() if k in ("platform", "intent", "priority", "account",
                                                                     "assignee", "q", "snoozed") and v}
    return {"items": [(i, sla(i, now)) for i in items], "total": total, "page": page,
            "cap": count_cap(where), "pages": max(1, -(-min(total, count_cap(where)) // PAGE_SIZE)), "where": where,
            "query": urlencode(params),
            "newest": w.rt.store.suggestions.newest_pending(), "changed": _last_change(request)}


async def queue(request: Request) -> Response:
    """The queue: pending items by priority then SLA deadline, filtered, searched and paginated."""
    w = web(request)
    context = _queue_context(request)
    if request.query_params.get("partial") == "1":
        return render(request, "_rows.html", **context)
    accounts = [(p, a) for p, names in sorted(w.rt.settings.accounts.items()) for a in names]
    return render(request, "queue.html", platforms=sorted(w.rt.settings.accounts), accounts=accounts,
                  intents=INTENTS, priorities=PRIORITY_ORDER, people=[u.name for u in w.rt.store.users.all()],
                  **context)


async def live(request: Request) -> Response:
    """A tiny poll for the queue page: the newest pending id and the latest queue action.

    The page fetches its rows again only when one of them moved: new items arrived, or someone
    approved, rejected, snoozed or claimed an item (every such action is an audit entry).
    """
    newest = web(request).rt.store.suggestions.newest_pending()
    return JSONResponse({"newest": newest, "changed": _last_change(request)})


def _last_change(request: Request) -> int:
    latest = web(request).rt.store.audit.recent(1)
    return int(latest[0]["id"]) if latest else 0


async def item_page(request: Request) -> Response:
    """One item: the mention, its author, the thread, triage reasons, the rule and the suggested reply."""
    w = web(request)
    item = w.rt.store.suggestions.get(_item_id(request))
    if item is None:
        return error_page(request, 404, "No such queue item. It may have been removed.")
    m = item.mention
    rule = next((r for r in w.rt.rules if r.id == item.rule_id), None)
    by, decided_at = w.rt.store.suggestions.last_decision(item.id)
    length, limit = reply_length(m.platform, (item.draft or item.text).strip())
    return render(request, "item.html", item=item, sla=sla(item, w.clock()), rule=rule, length=length, limit=limit,
                  profile=w.rt.store.suggestions.author_profile(m.platform, m.author.platform_id),
                  thread=w.rt.store.suggestions.thread(m.platform, m.thread_id),
                  history=w.rt.store.audit.recent(20, "suggestion", item.id), decided_by=by, decided_at=decided_at,
                  people=[u.name for u in w.rt.store.users.all() if u.can_act],
                  back=safe_next(request.query_params.get("back") or "/queue"), tz=w.tz)


async def length(request: Request) -> Response:
    """The reply's length as the platform counts it (X: weighted), for the live count beside the editor.

    The page asks the server rather than counting in the browser, so the count shown is the very one
    that approving checks (:func:`bot.queue.approve` strips the text, then calls ``reply_length``).
    """
    checked = await acting_form(request)
    if isinstance(checked, Response):
        return checked
    item = web(request).rt.store.suggestions.get(_item_id(request))
    if item is None:
        return error_page(request, 404, "No such queue item. It may have been removed.")
    count, limit = reply_length(item.mention.platform, clean(checked[1].get("text")).strip())
    return JSONResponse({"length": count, "limit": limit})


def _item_id(request: Request) -> int:
    return int(request.path_params["item_id"])


async def act(request: Request) -> Response:
    """approve, edit, reject, snooze, assign or claim from a form; the outcome comes back as a message."""
    checked = await acting_form(request)
    if isinstance(checked, Response):
        return checked
    user, form = checked
    w = web(request)
    item_id, action = _item_id(request), request.path_params["action"]
    back = safe_next(str(form.get("back", "")) or "/queue")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        message = actions.run(w, user.name, item_id, action, fields)
    except (QueueError, actions.BadField) as exc:
        return redirect(request, f"/items/{item_id}?{urlencode({'back': back})}", "error", str(exc))
    except actions.UnknownAction:
        return error_page(request, 404, f"Unknown action {action[:40]!r}.")
    if action in ("approve", "reject", "snooze") or form.get("from") == "queue":
        return redirect(request, back, "ok", message)
    return redirect(request, f"/items/{item_id}?{urlencode({'back': back})}", "ok", message)


async def audit_page(request: Request) -> Response:
    """Every action, who and when, with the diff between the suggested and the final text."""
    w = web(request)
    before, after = entry_id(request.query_params.get("before")), entry_id(request.query_params.get("after"))
    if before is None and after is not None:  # newer than `after`: the page just above it
        entries = w.rt.store.audit.recent(PAGE_SIZE + 1, after=after)
        newer, entries = len(entries) > PAGE_SIZE, entries[-PAGE_SIZE:]
        older = True
    else:
        entries = w.rt.store.audit.recent(PAGE_SIZE + 1, before=before)
        older, entries = len(entries) > PAGE_SIZE, entries[:PAGE_SIZE]
        newer = before is not None
    return render(request, "audit.html", entries=entries, diff_words=diff_words, paged=before is not None or
                  after is not None, newer=newer and bool(entries), older=older and bool(entries))


routes: list[BaseRoute] = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/queue", queue),
    Route("/queue/live", live),
    Route("/items/{item_id:int}", item_page),
    Route("/items/{item_id:int}/length", length, methods=["POST"]),
    Route("/items/{item_id:int}/{action}", act, methods=["POST"]),
    Route("/audit", audit_page),
    *users_page.routes,
]
