"""Queue page time with 100,000 pending items against 1,000: the HTML page and the /api list, side by side.

Both databases are built by bench/generate.py on the real schema; requests go through the real app
(Starlette, sessions, templates) in-process over httpx's ASGI transport, signed in as a manager.
The goal is that a queue a hundred times longer costs at most 1.5x the page time (indexed queries).
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.generate import build
from bench.harness import Figure, figure, main_for, side_by_side
from bot.config import load_settings
from bot.runtime import Runtime, build_runtime
from bot.web import create_app
from bot.web.security import hash_password, new_token, token_hash

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "bench password"


class _Site:
    """One database served in-process, with a signed-in session and an API token."""

    def __init__(self, path: Path) -> None:
        self.rt: Runtime = build_runtime(load_settings(REPO / "bot.toml"), path)
        user = self.rt.store.users.get("bench") or self.rt.store.users.add("bench", "manager",
                                                                           hash_password(PASSWORD), NOW)
        token = new_token()
        self.rt.store.users.add_token(user.id, token_hash(token), "bench", NOW)
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(self.rt, lambda: NOW)),
                                        base_url="http://bench")
        page = self.get("/login").text
        login_token = page.split('name="login_token" value="')[1].split('"')[0]
        self.loop.run_until_complete(self.client.post(
            "/login", data={"name": "bench", "password": PASSWORD, "login_token": login_token}))
        self.api_headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        response = self.loop.run_until_complete(self.client.get(path, headers=headers))
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        return response

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()
        self.rt.close()


def run(quick: bool = False) -> list[Figure]:
    """Median page times at the large and the small queue, and their ratio."""
    big, small, reps = (5_000, 500, 9) if quick else (100_000, 1_000, 41)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="ronr-bench-queue-") as folder:
        sites = {}
        for size in (big, small):
            build(Path(folder) / f"q{size}.db", seed=1, pending=size)
            sites[size] = _Site(Path(folder) / f"q{size}.db")
        try:
            cases = (("HTML /queue", "/queue", False, True), ("API /api/queue", "/api/queue", True, True),
                     ("HTML /queue?intent=question", "/queue?intent=question", False, False))
            for label, path, api, judged in cases:
                a, b = sites[big], sites[small]
                a_time, b_time, _ = side_by_side(
                    lambda s=a, p=path, h=api: s.get(p, s.api_headers if h else None),
                    lambda s=b, p=path, h=api: s.get(p, s.api_headers if h else None), reps)
                note = f"median of {reps}, 50 rows a page"
                if not judged:
                    note += "; intents are matched row by row (not indexed), so this one grows with the queue"
                figures.append(figure(f"{label} page, {big:,} pending vs {small:,}", a_time * 1000, "ms",
                                      b_time * 1000, at_most=1.5 if judged else None,
                                      goal="<= 1.5x" if judged else "", note=note))
        finally:
            for site in sites.values():
                site.close()
    return figures


if __name__ == "__main__":
    raise SystemExit(main_for(run))
