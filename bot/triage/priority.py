"""Priority score and P1..P4 mapping (documented in docs/triage.md), and SLA deadlines."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from bot.models import Priority

INTENT_WEIGHTS = {
    "crisis": 60.0, "churn_risk": 30.0, "complaint": 25.0, "bug_report": 20.0, "question": 15.0,
    "purchase_intent": 15.0, "feature_request": 8.0, "praise": 5.0,
}
THRESHOLDS: tuple[tuple[float, Priority], ...] = ((60.0, "P1"), (35.0, "P2"), (15.0, "P3"))


def reach_points(followers: int) -> float:
    """0..15 points, logarithmic in followers (10 -> 3, 1,000 -> 9, 100,000 -> 15)."""
    return min(15.0, 3.0 * math.log10(max(followers, 1)))


def priority_score(intents: tuple[str, ...], compound: float, followers: int, relevance: float,
                   age: timedelta, spam: bool) -> tuple[float, Priority, str]:
    """Score = intents + negativity + reach, scaled by relevance, minus staleness; then P1..P4."""
    if spam or "spam" in intents or "off_topic" in intents:
        return 0.0, "P4", "priority P4: spam or off-topic"
    intent_points = sum(INTENT_WEIGHTS.get(i, 0.0) for i in intents)
    negativity = max(0.0, -compound) * 20.0
    raw = intent_points + negativity + reach_points(followers)
    staleness = min(10.0, max(0.0, age.total_seconds() / 3600.0 - 24.0) / 24.0 * 5.0)
    score = round(raw * (0.5 + 0.5 * relevance) - staleness, 1)
    level: Priority = next((p for limit, p in THRESHOLDS if score >= limit), "P4")
    return score, level, (f"priority {level}: score {score} = intents {intent_points:g} + negativity "
                          f"{negativity:.1f} + reach {reach_points(followers):.1f}, x relevance, - age {staleness:.1f}")


def sla_due(created_at: datetime, priority: str, hours: dict[str, float]) -> datetime:
    """When a reply is due: the mention's creation plus its priority's response-time target."""
    return created_at + timedelta(hours=hours.get(priority, 72.0))
