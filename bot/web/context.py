"""What every handler needs: the app's shared state, who is signed in, CSRF checks and page rendering.

Other modules that add pages (the dashboard) use :func:`render` with a template extending
``base.html`` and :func:`user_of` to know who is looking; the sign-in check is done for them by
:class:`bot.web.app.AuthMiddleware`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bot.runtime import Runtime
from bot.store import User, parse_time
from bot.web.security import Signer, same
from bot.web.views import duration, local

TEMPLATES = Path(__file__).parent / "templates"
FLASH_COOKIE = "ronr_flash"


@dataclass
class Web:
    """The running web app's shared state."""

    rt: Runtime
    clock: Callable[[], datetime]
    signer: Signer
    env: jinja2.Environment
    live_ms: int = 10_000

    @property
    def tz(self) -> str:
        """The brand's timezone, for showing times."""
        return self.rt.settings.timezone


def make_env() -> jinja2.Environment:
    """The template environment: autoescaping everywhere, undefined variables are errors in tests."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["duration"] = duration
    return env


def web(request: Request) -> Web:
    """The app state of the request's application."""
    state: Web = request.app.state.ronr
    return state


def user_of(request: Request) -> User | None:
    """The signed-in user (None on public pages)."""
    user: User | None = getattr(request.state, "user", None)
    return user


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the common context: user, csrf, flash, now, timezone helpers."""
    w = web(request)
    flash = w.signer.read_flash(request.cookies.get(FLASH_COOKIE))
    now = w.clock()
    page = w.env.get_template(template).render(
        request=request, user=user_of(request), csrf=getattr(request.state, "csrf", ""), flash=flash, now=now,
        brand=w.rt.settings.brand.name, when=lambda moment, fmt="%b %d %H:%M": local(moment, w.tz, fmt),
        parse=parse_time, path=request.url.path, live_ms=w.live_ms, **context)
    response = HTMLResponse(page, status_code=status)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(request: Request, target: str, kind: str = "", text: str = "") -> RedirectResponse:
    """A 303 redirect to a local path, optionally carrying a one-time message."""
    response = RedirectResponse(target, status_code=303)
    if text:
        response.set_cookie(FLASH_COOKIE, web(request).signer.flash(kind, text), httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    """An error as a page (or as JSON under /api)."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return render(request, "error.html", status=status, status_code=status, message=message)


async def acting_form(request: Request) -> tuple[User, FormData] | Response:
    """The form of a state-changing request after the CSRF and role checks, or the refusal to send back."""
    form = await request.form(max_files=0, max_fields=50)
    user = user_of(request)
    token = form.get("csrf")
    if not isinstance(token, str) or not same(token, getattr(request.state, "csrf", "") or "\x00"):
        return error_page(request, 403, "This form has expired (CSRF check failed). Reload the page and try again.")
    if user is None or not user.can_act:
        return error_page(request, 403, "Viewers can look but not act. Ask an admin for the manager role.")
    return user, form
