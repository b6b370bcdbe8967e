"""``/healthz`` and ``/metrics`` for monitors: public, read-only, cheap (a handful of indexed queries)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.daemon.health import Health, collect
from bot.daemon.metrics import CONTENT_TYPE, render, resident_memory


def _health(request: Request) -> Health:
    state = request.app.state.ronr
    rt = state.rt
    return collect(rt.store, rt.settings, state.clock(), rt.connectors, rt.connector_errors)


async def healthz(request: Request) -> Response:
    """200 with ``{"status": "ok"}`` when healthy, else 503 with the problems (and warnings either way)."""
    h = _health(request)
    body = {"status": "ok" if h.healthy else "unhealthy", "daemon": {"running": h.running, "pid": h.pid},
            "problems": h.problems, "warnings": h.warnings}
    return JSONResponse(body, status_code=200 if h.healthy else 503, headers={"cache-control": "no-store"})


async def metrics(request: Request) -> Response:
    """Prometheus text exposition of queue, outbox, connector and job figures."""
    return PlainTextResponse(render(_health(request), resident_memory()), media_type=CONTENT_TYPE,
                             headers={"cache-control": "no-store"})


routes: list[Route] = [Route("/healthz", healthz, methods=["GET", "HEAD"]),
                       Route("/metrics", metrics, methods=["GET"])]
