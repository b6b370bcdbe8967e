"""Requests per poll for the X and Reddit connectors against the fake servers.

With 10,000 new mentions waiting in every listening query (X: the brand search and the mentions
timeline; Reddit: subreddit comments, submissions and username mentions), one poll must fetch them
all in at most ceil(10000/100) + 2 requests per listening query; a poll with nothing new costs one
request per query; a re-poll never fetches a stored mention again. Run:
``python -m bench.bench_connectors`` (prints a table; exits 1 if a goal is missed); ``python -m bench``
takes the figures of :func:`run` (1,000 new when quick).
"""

from __future__ import annotations

import math
import random
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from bench.harness import Figure, figure
from bot.config.settings import BrandSettings, RedditSettings, XSettings
from bot.models import Cursor
from connectors.base import Connector
from connectors.reddit import RedditConnector, RedditCredentials
from connectors.x import XConnector, XCredentials
from tests.fakes import fake_reddit, fake_x
from tests.fakes._server import FakeServer
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX

N = 10_000
GOAL = math.ceil(N / 100) + 2
BRAND = BrandSettings(name="Nimbus", keywords=["nimbus"], handles=["@nimbushome"], excluded_phrases=["nimbus 2000"])


def per_query(paths: list[str]) -> Counter[str]:
    """Requests grouped by listening endpoint."""
    return Counter(p for p in paths if not p.startswith("/2/users/by") and "access_token" not in p)


def _polls(platform: str, fake: FakeServer, conn: Connector, cursor: Cursor | None, now: datetime, n: int,
           add_late: Callable[[], object]) -> list[tuple[str, str, int, int, str]]:
    """Requests per listening query of three polls: ``n`` new mentions, nothing new, then one late mention."""
    rows = []
    seen: set[str] = set()
    for label in (f"{n:,} new", "nothing new", "1 new"):
        if label == "1 new":
            add_late()
        fake.reset_log()
        batch = conn.poll(cursor, now)
        cursor = batch.cursor
        ids = [m.platform_id for m in batch.mentions]
        refetched = len(seen & set(ids))
        seen |= set(ids)
        for path, count in sorted(per_query([r.path for r in fake.calls()]).items()):
            rows.append((platform, label, count, len(ids), f"{path} refetched={refetched}"))
    return rows


def bench_x(now: datetime, n: int = N) -> list[tuple[str, str, int, int, str]]:
    fake = FakeX()
    url = fake.start()
    conn = XConnector(XSettings(base_url=url, monthly_read_budget=10**9), BRAND, ["nimbushome"],
                      XCredentials(fake_x.BEARER, fake_x.CONSUMER_KEY, "s", fake_x.ACCESS_TOKEN, "t"),
                      rng=random.Random(0))
    cursor = conn.poll(None, now).cursor
    for i in range(n):  # each matches the brand search AND is in our mentions timeline: both queries page
        fake.add_tweet(f"user{i % 97}", f"@nimbushome my nimbus #{i}")
    try:
        return _polls("x", fake, conn, cursor, now, n, lambda: fake.add_tweet("late", "nimbus again"))
    finally:
        fake.stop()


def bench_reddit(now: datetime, n: int = N) -> list[tuple[str, str, int, int, str]]:
    fake = FakeReddit()
    url = fake.start()
    conn = RedditConnector(RedditSettings(base_url=url, auth_url=url, subreddits=["smarthome"],
                                          monthly_read_budget=10**9), BRAND, ["NimbusHome"],
                           RedditCredentials(fake_reddit.CLIENT_ID, fake_reddit.CLIENT_SECRET, "NimbusHome",
                                             fake_reddit.PASSWORD), rng=random.Random(0))
    post = fake.add_submission("op", "a thread")
    cursor = conn.poll(None, now).cursor
    fake.remaining = 10**9  # the fake's window is not what is measured here
    for i in range(n):  # in the subreddit's comments AND the username mentions; submissions page too
        fake.add_comment(f"user{i % 97}", f"u/NimbusHome my nimbus #{i}", parent=post)
        fake.add_submission(f"user{i % 97}", f"nimbus question #{i}")
    try:
        return _polls("reddit", fake, conn, cursor, now, n,
                      lambda: fake.add_comment("late", "nimbus again", parent=post))
    finally:
        fake.stop()


def run(quick: bool = False) -> list[Figure]:
    """Requests of the worst listening query with ``n`` new in each (goal <= ceil(n/100) + 2), and of an idle poll."""
    n = 1_000 if quick else N
    now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    figures = []
    for connector, rows in (("X", bench_x(now, n)), ("Reddit", bench_reddit(now, n))):
        burst = [r for r in rows if r[1] == f"{n:,} new"]
        idle = [r for r in rows if r[1] == "nothing new"]
        worst = max(r[2] for r in burst)
        refetch = all(r[4].endswith("refetched=0") for r in rows)
        limit = math.ceil(n / 100) + 2
        figures.append(figure(f"{connector} requests of the busiest listening query ({n:,} new in each)", worst,
                              "requests", at_most=limit, goal=f"<= {limit} (ceil({n:,}/100) + 2)",
                              note=f"fake {connector} server on 127.0.0.1, real client library; per query: "
                              + ", ".join(f"{r[4].split()[0]} {r[2]}" for r in burst)
                              + f"; no mention fetched twice: {refetch}"))
        idle_requests = sum(r[2] for r in idle)
        figures.append(figure(f"{connector} requests of a poll with nothing new", idle_requests, "requests",
                              at_most=len(idle) or 1, goal="1 per listening query",
                              note="; ".join(r[4] for r in idle)))
    return figures


def main() -> int:
    now = datetime.now(UTC)
    rows = bench_x(now) + bench_reddit(now)
    print(f"{'connector':<9} {'poll':<12} {'requests':>8} {'mentions':>8}  query")
    failures = []
    for connector, label, count, mentions, detail in rows:
        print(f"{connector:<9} {label:<12} {count:>8} {mentions:>8}  {detail}")
        limit = GOAL if label == f"{N:,} new" else 1
        if count > limit or not detail.endswith("refetched=0"):
            failures.append(f"{connector} {label} {detail}: {count} requests (goal <= {limit})")
    print(f"goal: <= {GOAL} requests per query for {N:,} new; 1 per query when nothing is new; no refetch")
    for failure in failures:
        print("MISSED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
