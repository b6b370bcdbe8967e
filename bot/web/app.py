"""The Starlette application: pages, the JSON API, static files, sign-in checks and security headers.

Handlers are ``async`` and call the store directly, so one SQLite connection serves every request
in turn: a queue action is a few milliseconds, and serialising them keeps SQLite transactions
simple. Collisions between people are decided by version checks in the store, not by timing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.runtime import Runtime
from bot.web import api, pages
from bot.web.context import Web, error_page, make_env
from bot.web.security import SecurityHeaders, Signer, signing_secret, token_hash

SESSION_COOKIE = "ronr_session"
PUBLIC = ("/login", "/static/", "/healthz", "/metrics", "/api/openapi.json")


class AuthMiddleware:
    """Finds who is calling: a session cookie for pages, a Bearer token for /api; turns others away."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        w: Web = scope["app"].state.ronr
        now = w.clock()
        path = request.url.path
        scope.setdefault("state", {})
        request.state.user, request.state.csrf, request.state.session_hash = None, "", ""
        if path.startswith("/api/") and path != "/api/openapi.json":
            header = request.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            user = w.rt.store.users.token_user(token_hash(token.strip()), now) if scheme.lower() == "bearer" else None
            if user is None:
                response: Response = JSONResponse(
                    {"error": "missing or unknown API token; create one with `ronr user token NAME` and send "
                              "`Authorization: Bearer TOKEN`"}, status_code=401,
                    headers={"www-authenticate": "Bearer"})
                await response(scope, receive, send)
                return
            request.state.user = user
        else:
            session_id = w.signer.session_id(request.cookies.get(SESSION_COOKIE))
            found = w.rt.store.users.session(token_hash(session_id), now) if session_id else None
            if found:
                request.state.user, request.state.csrf = found
                request.state.session_hash = token_hash(session_id or "")
            elif not path.startswith(PUBLIC):
                if request.method in ("GET", "HEAD"):
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    response = RedirectResponse(f"/login?{_query(target)}", status_code=303)
                else:
                    response = error_page(request, 401, "Your session has ended. Sign in again.")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _query(target: str) -> str:
    return urlencode({"next": target})


def _optional_routes(module: str) -> list[BaseRoute]:
    """Routes of a sibling module written by another part of RonR, when it is there."""
    try:
        found = importlib.import_module(f"bot.web.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"bot.web.{module}":
            raise
        return []
    return list(getattr(found, "routes", []))


def create_app(rt: Runtime, clock: Callable[[], datetime], live_seconds: float = 10.0) -> Starlette:
    """The web app over an open runtime; ``clock`` is read once per request (the edge of the program).

    ``live_seconds`` is how often an open queue page asks whether new items arrived.
    """
    async def home(request: Request) -> Response:
        return RedirectResponse("/queue", status_code=303)

    routes: list[BaseRoute] = [
        Route("/", home),
        *pages.routes,
        *api.routes,
        # /healthz and /metrics (bot/web/ops.py) and /dashboard, /relationships (bot/web/dashboard.py)
        *_optional_routes("ops"),
        *_optional_routes("dashboard"),
        Mount("/static", app=StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_page(request, 404, "There is nothing at this address.")

    async def bad_request(request: Request, exc: Exception) -> Response:
        detail = str(getattr(exc, "detail", "")) or "The request could not be read."
        return error_page(request, 400, detail[:200])

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        return error_page(request, 405, "This address does not take that kind of request.")

    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders), Middleware(AuthMiddleware)],
                    exception_handlers={400: bad_request, 404: not_found, 405: method_not_allowed})
    app.state.ronr = Web(rt=rt, clock=clock, signer=Signer(signing_secret(rt.store)), env=make_env(),
                        live_ms=int(live_seconds * 1000))
    return app
