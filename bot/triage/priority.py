"""Priority score and its P1..P4 mapping (docs/triage.md, "Priority"), and SLA deadlines.

    score = (intents + negativity + reach) x (0.5 + 0.5 x relevance) - staleness

- intents: the weight of the heaviest intent plus a quarter of the others' weights;
- negativity: 15 x max(0, -compound), so 0..15;
- reach: 3 x log10(followers), capped at 15 (10 followers: 3; 1,000: 9; 100,000: 15);
- staleness: nothing for the first 24 hours, then 5 points a day, at most 15.

P1 from 60, P2 from 35, P3 from 18, else P4. A crisis is always P1; spam and off-topic mentions are
always P4 with score 0. Each priority has a response-time target in ``[sla]`` of bot.toml.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Final

from bot.models import Priority

INTENT_WEIGHTS: Final = {
    "crisis": 60.0, "complaint": 35.0, "churn_risk": 30.0, "bug_report": 25.0, "purchase_intent": 25.0,
    "question": 20.0, "feature_request": 10.0, "praise": 8.0,
}
THRESHOLDS: tuple[tuple[float, Priority], ...] = ((60.0, "P1"), (35.0, "P2"), (18.0, "P3"))


def reach_points(followers: int) -> float:
    """0..15 points, logarithmic in followers (10 -> 3, 1,000 -> 9, 100,000 -> 15)."""
    return min(15.0, 3.0 * math.log10(max(followers, 1)))


def intent_points(intents: tuple[str, ...]) -> float:
    """The heaviest intent's weight plus a quarter of the other intents' weights."""
    if len(intents) == 1:  # the usual case, without sorting: the weight itself, as below
        return INTENT_WEIGHTS.get(intents[0], 0.0)
    weights = sorted([INTENT_WEIGHTS.get(i, 0.0) for i in intents], reverse=True)
    return weights[0] + 0.25 * sum(weights[1:]) if weights else 0.0


def staleness_points(age: timedelta) -> float:
    """0 in the first day, then 5 points per day, at most 15: old mentions sink, but not below fresh praise."""
    return min(15.0, max(0.0, age.total_seconds() / 3600.0 - 24.0) / 24.0 * 5.0)


def priority_score(intents: tuple[str, ...], compound: float, followers: int, relevance: float,
                   age: timedelta, spam: bool) -> tuple[float, Priority, str]:
    """The score, its level and a one-line explanation of the arithmetic."""
    if spam or "spam" in intents or "off_topic" in intents:
        return 0.0, "P4", "priority P4: spam or off-topic"
    points = intent_points(intents)
    negativity = max(0.0, -compound) * 15.0
    reach = reach_points(followers)
    stale = staleness_points(age)
    score = round((points + negativity + reach) * (0.5 + 0.5 * relevance) - stale, 1)
    level: Priority = "P4"
    for limit, p in THRESHOLDS:
        if score >= limit:
            level = p
            break
    floor = ""
    if "crisis" in intents and level != "P1":
        level, floor = "P1", "; a crisis is always P1"
    return score, level, (f"priority {level}: score {score} = (intents {points:g} + negativity {negativity:.1f} "
                          f"+ reach {reach:.1f}) x relevance factor {0.5 + 0.5 * relevance:.2f} - age {stale:.1f}"
                          + floor)


def sla_due(created_at: datetime, priority: str, hours: dict[str, float]) -> datetime:
    """When a reply is due: the mention's creation plus its priority's response-time target."""
    return created_at + timedelta(hours=hours.get(priority, 72.0))
