"""Pure rules: backoff, rate-limit headers, the monthly read budget."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import Cursor
from connectors.limits import BACKOFF_CAP, backoff, read_allowance, reset_from_headers
from connectors.walk import PollState

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@given(st.integers(min_value=1, max_value=1000), st.integers())
def test_backoff_is_capped_and_jittered(attempt: int, seed: int) -> None:
    delay = backoff(attempt, random.Random(seed))
    assert 0 < delay <= BACKOFF_CAP


def test_backoff_grows() -> None:
    rng = random.Random(3)
    assert backoff(1, rng) <= 30 < backoff(4, rng)


def test_reset_headers() -> None:
    epoch = str(int((NOW + timedelta(seconds=90)).timestamp()))
    assert reset_from_headers({"x-rate-limit-reset": epoch}, NOW)[0] == NOW + timedelta(seconds=90)
    assert reset_from_headers({"Retry-After": "30"}, NOW)[0] == NOW + timedelta(seconds=30)
    assert reset_from_headers({"x-ratelimit-reset": "600"}, NOW)[0] == NOW + timedelta(seconds=600)
    assert reset_from_headers({}, NOW)[0] == NOW + timedelta(minutes=15)
    assert reset_from_headers({"retry-after": "soon"}, NOW)[0] == NOW + timedelta(minutes=15)
    assert reset_from_headers({"retry-after": "1e12"}, NOW)[0] == NOW + timedelta(hours=24)


def test_a_month_of_polls_spends_evenly_and_never_exceeds() -> None:
    budget, spent, moment = 10_000, 0, datetime(2026, 3, 1, tzinfo=UTC)
    half = None
    while moment < datetime(2026, 4, 1, tzinfo=UTC):
        allowance = read_allowance(budget, spent, moment, minimum=10)
        spent += min(allowance.reads, 500)  # a busy brand: every poll could use more than it may
        if moment == datetime(2026, 3, 16, 12, tzinfo=UTC):
            half = spent
        moment += timedelta(minutes=15)
    assert spent <= budget and spent >= budget - 100
    assert half is not None and abs(half - budget / 2) <= 200


def test_spent_budget_says_when() -> None:
    allowance = read_allowance(1000, 1000, NOW)
    assert not allowance.may_poll and allowance.next_at == datetime(2026, 4, 1, tzinfo=UTC)
    early = read_allowance(1000, 400, NOW, minimum=10)
    assert not early.may_poll and early.next_at is not None and NOW < early.next_at < datetime(2026, 4, 1, tzinfo=UTC)
    assert read_allowance(1000, 400, early.next_at, minimum=10).may_poll


@pytest.mark.parametrize("value", ["not json", "[1, 2]", '{"queries": [], "reads": "many", "extra": 3}', "null"])
def test_a_garbled_cursor_starts_afresh_instead_of_crashing(value: str) -> None:
    state = PollState.load(Cursor(value), NOW)
    assert state.queries == {} and state.extra == {} and state.reads == 0 and state.month == "2026-03"
