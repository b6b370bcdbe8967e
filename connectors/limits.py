"""Pure rules shared by the platform connectors: backoff, rate-limit headers, monthly read budgets.

Nothing here reads the clock or sleeps: ``now`` is an argument and the answers are moments for the
scheduler to honour.
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.models import Cursor

BACKOFF_BASE = 30.0
BACKOFF_CAP = 30 * 60.0
DEFAULT_RATE_PAUSE = 15 * 60.0
MAX_RATE_PAUSE = 24 * 3600.0


def backoff(attempt: int, rng: random.Random) -> float:
    """Seconds to wait before retry ``attempt`` (1-based): capped exponential with full jitter.

    The delay is drawn from ``[d/2, d]`` where ``d = min(cap, base * 2**(attempt-1))``, so retries of
    many connectors spread out and never wait longer than the cap.
    """
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** max(0, attempt - 1))
    return ceiling / 2 + rng.random() * ceiling / 2


def reset_from_headers(headers: Mapping[str, str], now: datetime) -> tuple[datetime, str]:
    """When a rate-limited platform lets us in again, and how we know.

    Reads ``retry-after`` (seconds), ``x-rate-limit-reset`` (X: epoch seconds) and
    ``x-ratelimit-reset`` (Reddit: seconds from now). With none of them, or nonsense, assumes 15
    minutes. The answer is clamped to ``[now + 1 s, now + 24 h]``.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    candidates: list[tuple[float, str]] = []
    for name, epoch in (("retry-after", False), ("x-rate-limit-reset", True), ("x-ratelimit-reset", False)):
        raw = lower.get(name)
        if raw is None:
            continue
        try:
            value = float(raw)
        except ValueError:
            continue
        seconds = value - now.timestamp() if epoch else value
        if math.isfinite(seconds):
            candidates.append((seconds, f"{name}: {raw}"))
    seconds, source = max(candidates) if candidates else (DEFAULT_RATE_PAUSE, "no reset header; waiting 15 min")
    seconds = min(max(seconds, 1.0), MAX_RATE_PAUSE)
    return now + timedelta(seconds=seconds), source


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The start of ``now``'s UTC month and the start of the next one."""
    now = now.astimezone(UTC)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(now.year, now.month)[1]
    return start, start + timedelta(days=days)


@dataclass(frozen=True)
class Allowance:
    """What the budget allows right now: ``reads`` (0 = do not poll), and when more will be earned."""

    reads: int
    spent: int
    budget: int
    next_at: datetime | None
    reason: str

    @property
    def may_poll(self) -> bool:
        """Whether a poll may run now."""
        return self.reads > 0


def read_allowance(budget: int, spent: int, now: datetime, *, minimum: int = 1, burst: int = 100,
                   unit: str = "reads") -> Allowance:
    """How many reads a poll may spend now so that ``budget`` lasts evenly to the end of the month.

    By moment ``t`` of the month a connector has earned ``budget * elapsed_fraction + burst`` reads
    (``burst`` lets the first poll of a month run), never more than ``budget``; a poll may spend what
    is earned and not yet ``spent``. When that is below ``minimum`` (the smallest page worth a
    request), the answer is 0 reads and ``next_at``, the moment enough will have been earned.
    ``unit`` names what is counted, in the reason.
    """
    start, end = month_bounds(now)
    length = (end - start).total_seconds()
    elapsed = (now.astimezone(UTC) - start).total_seconds()
    earned = min(budget, math.floor(budget * elapsed / length) + burst)
    left = min(earned, budget) - spent
    if budget <= 0:
        return Allowance(0, spent, budget, None, "no monthly read budget configured (monthly_read_budget = 0)")
    if spent >= budget:
        return Allowance(0, spent, budget, end, f"monthly budget spent ({spent}/{budget}); resumes {end:%Y-%m-%d}")
    if left >= minimum:
        return Allowance(left, spent, budget, None, f"{left} {unit} allowed now ({spent}/{budget} spent this month)")
    needed = spent + minimum - burst
    at = start + timedelta(seconds=math.ceil(length * needed / budget))
    at = min(max(at, now), end)
    return Allowance(0, spent, budget, at, f"spending evenly: {spent}/{budget} spent; next poll allowed at "
                     f"{at:%Y-%m-%d %H:%M} UTC")


def month_key(now: datetime) -> str:
    """``YYYY-MM`` of ``now`` in UTC: the key under which a cursor counts this month's reads."""
    return now.astimezone(UTC).strftime("%Y-%m")


class ReadLedger(Protocol):
    """Where a connector counts the reads it spends outside its polls (the store keeps them per month)."""

    def add(self, connector: str, month: str, reads: int) -> None:
        """Count ``reads`` more for ``connector`` in ``month`` (``YYYY-MM``)."""
        ...

    def spent(self, connector: str, month: str) -> int:
        """Reads ``connector`` spent outside its polls in ``month``."""
        ...

    def cursor(self, connector: str) -> Cursor | None:
        """The connector's stored poll cursor (which counts the polls' own reads)."""
        ...
