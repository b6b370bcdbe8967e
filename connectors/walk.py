"""Resumable newest-first walks over paged listings, shared by the X and Reddit connectors.

Both platforms page from the newest item down. A walk starts at the top, remembers the newest id
it saw, follows page tokens until it reaches the previous walk's newest id (``since``), and only
then moves ``since`` up. If the walk is cut short — rate limit, fault, read budget — the cursor
keeps the token, so the next poll resumes below the last page it stored: nothing is fetched twice
and nothing is skipped. Items that arrive meanwhile sit above the new ``since`` and come next time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.models import Batch, Cursor, Mention
from connectors.base import ConnectorError, CredentialError, RateLimited
from connectors.limits import month_key

PAGE_SIZE = 100


@dataclass
class PageResult:
    """One fetched page: its mentions, problems, reads it cost, newest id and the next page's token."""

    mentions: list[Mention]
    problems: list[str]
    reads: int
    newest: str | None
    next_token: str | None
    reached_since: bool = False


Fetch = Callable[[str | None, str | None, int], PageResult]


@dataclass
class Budget:
    """What this poll may still spend: ``reads`` (posts read, X) or requests (Reddit)."""

    left: int
    per_request: bool = False
    minimum: int = 1
    reads: int = 0
    requests: int = 0

    def page_size(self, minimum: int | None = None) -> int:
        """The page size to ask for now (0 = the budget is spent, stop)."""
        floor = self.minimum if minimum is None else minimum
        if self.per_request:
            return PAGE_SIZE if self.left >= 1 else 0
        return min(PAGE_SIZE, self.left) if self.left >= floor else 0

    def spend(self, reads: int) -> None:
        """Account for one request that returned ``reads`` items."""
        self.reads += reads
        self.requests += 1
        self.left -= 1 if self.per_request else reads


@dataclass
class PollState:
    """The decoded cursor: per-query walk state, cached ids and this month's spend."""

    queries: dict[str, dict[str, str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    month: str = ""
    reads: int = 0
    requests: int = 0

    @classmethod
    def load(cls, cursor: Cursor | None, now: datetime) -> PollState:
        """Decode ``cursor`` (tolerating garbage: start afresh) and roll the month over if needed."""
        try:
            data = json.loads(cursor.value) if cursor else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        queries, extra = data.get("queries"), data.get("extra")
        try:
            reads, requests = int(data.get("reads", 0)), int(data.get("requests", 0))
        except (TypeError, ValueError):
            reads = requests = 0
        state = cls(queries=queries if isinstance(queries, dict) else {},
                    extra=extra if isinstance(extra, dict) else {},
                    month=str(data.get("month", "")), reads=reads, requests=requests)
        if state.month != month_key(now):
            state.month, state.reads, state.requests = month_key(now), 0, 0
        return state

    def dump(self) -> Cursor:
        """Encode as a :class:`Cursor` (stable key order, so equal states give equal cursors)."""
        return Cursor(json.dumps({"queries": self.queries, "extra": self.extra, "month": self.month,
                                  "reads": self.reads, "requests": self.requests}, sort_keys=True))


def walk(query: dict[str, str], fetch: Fetch, budget: Budget, minimum: int | None,
         mentions: list[Mention], problems: list[str]) -> None:
    """Walk one query from where its state says to the previous ``since``; update the state per page."""
    while True:
        size = budget.page_size(minimum)
        if size == 0:
            problems.append("read budget reached for this poll; the walk resumes next poll")
            return
        page = fetch(query.get("since"), query.get("token"), size)
        budget.spend(page.reads)
        mentions.extend(page.mentions)
        problems.extend(page.problems)
        if "token" not in query and page.newest:
            query["newest"] = page.newest
        if page.next_token and not page.reached_since:
            query["token"] = page.next_token
            continue
        if "newest" in query:
            query["since"] = query.pop("newest")
        query.pop("token", None)
        return


def run_walks(name: str, state: PollState, walks: list[tuple[str, Fetch, int | None]], budget: Budget,
              now: datetime) -> Batch:
    """Run every query's walk; turn rate limits and faults into a partial batch or an error.

    A rate limit stops the poll with what was stored so far and ``pause_until``. A transient fault
    does the same when some pages were fetched, and is raised (with ``retry_at``) when none were.
    Credential errors are always raised: nothing is lost because the cursor does not move.
    """
    mentions: list[Mention] = []
    problems: list[str] = []
    pause_until: datetime | None = None
    reason = ""
    try:
        for key, fetch, minimum in walks:
            walk(state.queries.setdefault(key, {}), fetch, budget, minimum, mentions, problems)
    except RateLimited as exc:
        pause_until, reason = exc.until, str(exc)
    except CredentialError:
        raise
    except ConnectorError as exc:
        if budget.requests == 0 or not exc.transient:
            raise
        pause_until = exc.retry_at
        reason = str(exc)
        problems.append(f"poll cut short: {exc}")
    state.reads += budget.reads
    state.requests += budget.requests
    unique: dict[str, Mention] = {}
    for mention in mentions:
        unique.setdefault(mention.platform_id, mention)
    ordered = sorted(unique.values(), key=lambda m: m.created_at)
    return Batch(mentions=tuple(ordered), cursor=state.dump(), calls=budget.requests, pause_until=pause_until,
                 pause_reason=reason, problems=tuple(problems))
