"""The dashboard and relationships pages: the weekly email's figures and trends, live in the web UI.

Charts are inline SVG drawn with attributes only, so the strict Content-Security-Policy (no inline
styles, no scripts) holds. The sign-in check is done by the app's middleware.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.report.figures import ledger, week_figures
from bot.report.render import date_range, fmt_change, fmt_minutes, fmt_score, score_colour, short, week_label
from bot.socialid import parse_week, previous_weeks, week_bounds, week_of
from bot.web.context import error_page, render, web

HELPERS: dict[str, Any] = {"colour": score_colour, "score": fmt_score, "change": fmt_change, "minutes": fmt_minutes,
                           "short": short, "weeklabel": week_label}


def week_of_next(week: str) -> str:
    """The ISO week after ``week``."""
    start, _ = week_bounds(week, "UTC")
    return week_of(start + timedelta(days=7), "UTC")


async def dashboard(request: Request) -> Response:
    """Social ID per account for a week (default: this week so far), with 8 weeks of trend and highlights."""
    w = web(request)
    now = w.clock()
    week = request.query_params.get("week", "").strip() or week_of(now, w.tz)
    try:
        parse_week(week)
        figures = week_figures(w.rt.store, w.rt.settings, w.rt.rules, week, now)
    except ValueError as exc:
        return error_page(request, 400, str(exc))
    return render(request, "dashboard.html", f=figures, dates=date_range(figures.start, figures.end),
                  previous=previous_weeks(week, 2)[0], following=week_of_next(week),
                  current=week_of(now, w.tz), **HELPERS)


async def relationships(request: Request) -> Response:
    """The relationship ledger: the people worth nurturing first, optionally for one account."""
    w = web(request)
    account = request.query_params.get("account", "").strip() or None
    try:
        top = max(1, min(500, int(request.query_params.get("top", "50"))))
    except ValueError:
        return error_page(request, 400, "top must be a whole number, e.g. ?top=50")
    entries = ledger(w.rt.store, account, top, w.clock())
    return render(request, "relationships.html", entries=entries, account=account or "", top=top,
                  accounts=w.rt.store.relationships.accounts(), **HELPERS)


routes: list[BaseRoute] = [
    Route("/dashboard", dashboard),
    Route("/relationships", relationships),
]
