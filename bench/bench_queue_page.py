"""Queue page time with 100,000 pending items against 1,000: the HTML page and the /api list, side by side.

Both databases are built by bench/generate.py on the real schema; requests go through the real app
(Starlette, sessions, templates) in-process over httpx's ASGI transport, signed in as a manager.
The goal is that a queue a hundred times longer costs at most 1.5x the page time (indexed queries),
for the default page and for every filter and search: a common intent, a platform, an account, a
priority, unassigned items, one person's items and snoozed items (a few of each, set through the
queue's own actions), and searches for a word in about 4% of mentions, a word in every mention,
a word in 25 mentions of each queue, a rare author handle (topped up so that both queues hold as
many of their items), a two-letter term and a term combined with an intent. Where the small queue
has fewer matches than a page shows, it is topped up to a full page, so that both pages render as
many rows and the figure compares the queries, not the templates.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.generate import Generator, build
from bench.harness import Figure, figure, interleaved, main_for, side_by_side, timed
from bot import queue
from bot.config import load_settings
from bot.models import Author, Mention, Sentiment, Suggestion, Triage
from bot.runtime import Runtime, build_runtime
from bot.store import Store
from bot.store.migrations.m009_queue_search_folds import holds_folds
from bot.store.queue_query import QueueFilter
from bot.web import create_app
from bot.web.security import hash_password, new_token, token_hash

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "bench password"
MARKED = 25
"""Items assigned to the bench user, and items snoozed, in each queue (spread over the queue)."""
RARE_BIRD = Author("x", "bench-rare", "rarebird", "Rare Bird", 10)


def _rare_author() -> Author:
    """A generated author: ~14 mentions in 100,000, 0 or 1 in 1,000 (the smaller queue is topped up)."""
    platform, platform_id, handle, followers = Generator(1).authors[7]
    return Author(platform, platform_id, handle, handle.title(), followers)


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
        pending = self.rt.store.suggestions.counts().get("pending", 0)
        for k in range(MARKED):
            assigned, snoozed = (self.rt.store.suggestions.pending(1, (2 * k + j) * pending // (2 * MARKED))[0].id
                                 for j in (0, 1))
            queue.assign(self.rt.store, assigned, "bench", "bench", NOW)
            queue.snooze(self.rt.store, snoozed, "bench", NOW + timedelta(hours=4), NOW)
        for k in range(MARKED):  # the same few matches of a rare word in both queues: like is compared with like
            self.plant(RARE_BIRD, f"bench-rare-{k}", f"@nimbushome my zebracorn order {k} is late")

    def plant(self, author: Author, platform_id: str, text: str, intent: str = "complaint") -> None:
        """Queue one more pending item: a mention by ``author``, triaged as a P2 ``intent``."""
        mention = Mention(author.platform, platform_id, author, text, NOW, "nimbushome", raw="{}")
        mid = self.rt.store.mentions.insert("bench", [mention], NOW)[0]
        self.rt.store.suggestions.record_triage(mid, Triage(
            Sentiment(0.0, 0.0, 1.0, 0.0, "neutral"), (intent,), 1.0, "en", False, "P2", 0.5), NOW)
        self.rt.store.suggestions.add(mention, mid, Suggestion("bench", "reply", "Sorry!"), "P2", NOW, NOW)

    def matches(self, q: str, intent: str = "") -> int:
        """How many pending items a search finds."""
        return self.rt.store.suggestions.page(QueueFilter(q=q, intent=intent), NOW, 1)[1]

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        response = self.loop.run_until_complete(self.client.get(path, headers=headers))
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        return response

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()
        self.rt.close()


def _cases() -> list[tuple[str, str, bool]]:
    """(label, path, through the API) of every measured page: the default ones, then each filter."""
    filters = ["intent=question", "platform=reddit", "account=NimbusHome", "priority=P2", "assignee=-",
               "assignee=bench", "snoozed=1", "q=wifi", "q=nimbus", "q=zebracorn", f"q={_rare_author().handle}",
               "q=ok", "intent=question&q=homekit"]
    return [("HTML /queue", "/queue", False), ("API /api/queue", "/api/queue", True),
            *((f"HTML /queue?{f}", f"/queue?{f}", False) for f in filters)]


def _even_out(sites: list[_Site]) -> str:
    """Give the rare author as many items in each queue, so their search pages show as many rows."""
    author = _rare_author()
    counts = [site.matches(author.handle) for site in sites]
    for site, count in zip(sites, counts, strict=True):
        for k in range(max(counts) - count):
            site.plant(author, f"bench-even-{k}", f"@nimbushome is there an update for my hub? ({k})")
    return f"{author.handle}: {max(counts)} items in each queue ({' and '.join(map(str, counts))} generated)"


TRIAGED = Triage(Sentiment(0.0, 0.0, 1.0, 0.0, "neutral"), ("question",), 1.0, "en", False, "P2", 0.5)


def _fold_trigger_cost(folder: Path, quick: bool) -> Figure:
    """Suggestion inserts with m009's fold-list trigger against the same inserts without it, in turns.

    Both stores get the same generated mentions (stored and triaged beforehand, untimed); each turn
    queues the next chunk of suggestions in one store through ``suggestions.add``, in one transaction.
    """
    chunks, size = (6, 50) if quick else (40, 100)
    gen = Generator(2)
    mentions = []
    for i in range(chunks * size):
        platform, platform_id, handle, followers = gen.authors[i % len(gen.authors)]
        mentions.append(Mention(platform, f"insert-{i}", Author(platform, platform_id, handle, handle.title(),
                                                                followers), gen.text(platform)[0], NOW,
                                "nimbushome", raw="{}"))
    turns = {}
    stores = {name: Store(folder / f"insert-{name}.db") for name in ("with", "without")}
    stores["without"].db.execute("DROP TRIGGER queue_folds_add")
    for name, store in stores.items():
        ids = store.mentions.insert("bench", mentions, NOW)
        for mid in ids:
            store.suggestions.record_triage(mid, TRIAGED, NOW)
        turns[name] = iter([list(zip(mentions, ids, strict=True))[k:k + size] for k in range(0, len(ids), size)])

    def queue_chunk(name: str) -> None:
        with stores[name].atomic():  # one commit a chunk, as the pipeline commits once per 100 mentions
            for mention, mid in next(turns[name]):
                stores[name].suggestions.add(mention, mid, Suggestion("bench", "reply", "Thanks!"), "P2", NOW, NOW)

    try:
        medians = interleaved({name: lambda n=name: queue_chunk(n) for name in stores}, chunks)
        db, rows = stores["with"].db, chunks * size

        def scan(condition: str) -> float:
            return min(timed(lambda: db.execute(f"SELECT count(*) FROM queue_text WHERE {condition}").fetchone())
                       for _ in range(9))
        condition = (scan(holds_folds("")) - scan("length(text) >= 0")) / rows
    finally:
        for store in stores.values():
            store.close()
    with_us, without_us = (medians[name] / size * 1e6 for name in ("with", "without"))
    return figure("m009 fold-list trigger: suggestion insert with it vs without", with_us, "µs", without_us,
                  note=f"median of {chunks} interleaved chunks of {size} inserts through suggestions.add, "
                       f"one commit a chunk; {with_us - without_us:+.1f} µs an insert (noise included); "
                       f"the trigger's condition alone, tested on every queued text, {condition * 1e6:.2f} µs a row; "
                       "informational")


SHORT_PAGES = (("wifi", ""), ("homekit", "question"))
"""Searches with fewer than 50 matches in the small queue (46 and 43 at 1,000): topped up to a full page."""


def _full_pages(sites: list[_Site]) -> dict[str, str]:
    """Top up each short search page to 50 rows, so both queues render as many; a note by search path."""
    notes = {}
    for q, intent in SHORT_PAGES:
        counts = [site.matches(q, intent) for site in sites]
        for site, count in zip(sites, counts, strict=True):
            for k in range(max(0, 50 - count)):
                site.plant(RARE_BIRD, f"bench-full-{q}-{k}", f"@nimbushome {q}: does it work? ({k})",
                           intent or "question")
        notes["/queue?" + (f"intent={intent}&" if intent else "") + f"q={q}"] = (
            f"; the page topped up to 50 rows where short ({' and '.join(map(str, counts))} found)")
    return notes


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
            evened = _even_out(list(sites.values()))
            topped = _full_pages(list(sites.values()))
            for label, path, api in _cases():
                a, b = sites[big], sites[small]
                a_time, b_time, _ = side_by_side(
                    lambda s=a, p=path, h=api: s.get(p, s.api_headers if h else None),
                    lambda s=b, p=path, h=api: s.get(p, s.api_headers if h else None), reps)
                rare = "; the rare author " + evened if _rare_author().handle in path else topped.get(path, "")
                figures.append(figure(f"{label} page, {big:,} pending vs {small:,}", a_time * 1000, "ms",
                                      b_time * 1000, at_most=1.5, goal="<= 1.5x",
                                      note=f"median of {reps}, 50 rows a page{rare}"))
        finally:
            for site in sites.values():
                site.close()
        figures.append(_fold_trigger_cost(Path(folder), quick))
    return figures


if __name__ == "__main__":
    raise SystemExit(main_for(run))
