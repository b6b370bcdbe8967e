"""The JSON API under /api: the same queue, rules and checks as the pages, for scripts and tools.

Callers authenticate with ``Authorization: Bearer TOKEN`` (``ronr user token NAME``); no cookies,
so no CSRF token is needed. Errors are ``{"error": "..."}`` with 400 (bad body), 401, 403
(viewer), 404, 409 (someone else acted first: the body says who) or 422 (a rule refused it).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.queue import QueueError
from bot.store.suggestions import count_cap
from bot.web import actions
from bot.web.context import user_of, web
from bot.web.openapi import spec
from bot.web.views import PAGE_SIZE, item_json, queue_filter, version_of

MAX_BODY = 64 * 1024


def _error(code: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=code)


def _bounded(value: str | None, default: int, high: int) -> int:
    try:
        return max(0, min(int(value or default), high))
    except ValueError:
        return default


async def list_queue(request: Request) -> Response:
    """Pending items in queue order, with the same filters as the page."""
    w = web(request)
    now = w.clock()
    limit = max(1, _bounded(request.query_params.get("limit"), PAGE_SIZE, 200))
    offset = _bounded(request.query_params.get("offset"), 0, 10_000_000)
    where = queue_filter(request.query_params)
    items, total = w.rt.store.suggestions.page(where, now, limit, offset)
    capped = total > count_cap(where)
    return JSONResponse({"items": [item_json(i, now) for i in items], "total": min(total, count_cap(where)),
                         "total_is_lower_bound": capped, "limit": limit,
                         "offset": offset, "newest": w.rt.store.suggestions.newest_pending()})


async def get_item(request: Request) -> Response:
    """One item by id, whatever its status."""
    w = web(request)
    item = w.rt.store.suggestions.get(int(request.path_params["item_id"]))
    if item is None:
        return _error(404, f"no queue item {request.path_params['item_id']}")
    return JSONResponse(item_json(item, w.clock()))


async def act(request: Request) -> Response:
    """approve, edit, reject, snooze, assign or claim; the body carries ``version`` and the action's fields."""
    w = web(request)
    user = user_of(request)
    if user is None or not user.can_act:
        return _error(403, "viewers can look but not act; ask an admin for the manager role")
    action, item_id = request.path_params["action"], int(request.path_params["item_id"])
    if action not in actions.ACTIONS:
        return _error(404, f"unknown action; use one of {', '.join(actions.ACTIONS)}")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return _error(400, f"request body over {MAX_BODY} bytes")
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error(400, "the body is not JSON; send an object like {\"version\": 3}")
    if not isinstance(body, dict):
        return _error(400, "the body must be a JSON object like {\"version\": 3}")
    before = w.rt.store.suggestions.get(item_id)
    if before is None:
        return _error(404, f"no queue item {item_id}")
    try:
        message = actions.run(w, user.name, item_id, action, body)
    except actions.BadField as exc:
        return _error(400, str(exc))
    except QueueError as exc:
        after = w.rt.store.suggestions.get(item_id)
        version = version_of(body.get("version"))
        if after is not None and (after.status != "pending" or (version is not None and after.version != version)
                                  or "claimed by" in str(exc)):
            by, what, at = w.rt.store.suggestions.last_action(item_id)
            return _error(409, str(exc), status=after.status, version=after.version, by=by or None,
                          action=what or None, at=at.isoformat() if at else None)
        return _error(422, str(exc))
    after = w.rt.store.suggestions.get(item_id)
    assert after is not None
    return JSONResponse({"ok": True, "message": message, "item": item_json(after, w.clock())})


async def openapi(request: Request) -> Response:
    """The OpenAPI 3.1 description of this API."""
    return JSONResponse(spec(str(request.base_url).rstrip("/")))


routes: list[BaseRoute] = [
    Route("/api/openapi.json", openapi),
    Route("/api/queue", list_queue),
    Route("/api/items/{item_id:int}", get_item),
    Route("/api/items/{item_id:int}/{action}", act, methods=["POST"]),
]
