"""The one place that reads the wall clock. Only the CLI and the daemon call it; everything else takes ``now``."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
