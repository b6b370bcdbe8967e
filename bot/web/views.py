"""Presentation shared by the HTML pages and the JSON API: SLA state, filters, times, diffs, item JSON."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.queue import QueueError, reply_limit
from bot.store import QueueItem
from bot.store.suggestions import PRIORITY_ORDER, QueueFilter

PAGE_SIZE = 50
MAX_FIELD = 20_000
_RELATIVE = re.compile(r"^\+(\d{1,4})([mhd])$")


@dataclass(frozen=True)
class Sla:
    """How an item stands against its response-time target."""

    state: str  # "ok", "at_risk", "breached" or "none"
    seconds_left: float | None
    label: str
    risk_from: datetime | None = None  # when it turns at risk (the page's countdown changes colour then)


def sla(item: QueueItem, now: datetime) -> Sla:
    """At risk when less than a quarter of the window (mention time to deadline) is left; breached after it."""
    if item.sla_due is None:
        return Sla("none", None, "no target")
    left = (item.sla_due - now).total_seconds()
    window = max((item.sla_due - item.mention.created_at).total_seconds(), 60.0)
    state = "breached" if left < 0 else "at_risk" if left < window / 4 else "ok"
    return Sla(state, left, duration(left), item.sla_due - timedelta(seconds=window / 4))


def duration(seconds: float) -> str:
    """A short human duration: "45m left", "3h 10m left", "2d 4h overdue"."""
    suffix = "left" if seconds >= 0 else "overdue"
    s = abs(int(seconds))
    days, hours, minutes = s // 86400, s % 86400 // 3600, s % 3600 // 60
    if days:
        text = f"{days}d {hours}h"
    elif hours:
        text = f"{hours}h {minutes:02d}m"
    else:
        text = f"{minutes}m"
    return f"{text} {suffix}"


def local(moment: datetime | None, tz: str, fmt: str = "%b %d %H:%M") -> str:
    """A time shown in the brand's timezone."""
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt) if moment else ""


def clean(value: object, limit: int = MAX_FIELD) -> str:
    """A form or JSON value as bounded text (non-strings become "")."""
    return value[:limit] if isinstance(value, str) else ""


def queue_filter(params: Mapping[str, str]) -> QueueFilter:
    """Filters from query parameters; unknown priorities are ignored, everything else is matched as text."""
    priority = clean(params.get("priority", ""), 8)
    return QueueFilter(
        platform=clean(params.get("platform", ""), 40), intent=clean(params.get("intent", ""), 60),
        priority=priority if priority in PRIORITY_ORDER else "", account=clean(params.get("account", ""), 100),
        assignee=clean(params.get("assignee", ""), 100), q=clean(params.get("q", ""), 200).strip(),
        snoozed=params.get("snoozed", "") in ("1", "true", "on"))


def page_number(value: str | None) -> int:
    """A 1-based page number from a query parameter (bad values mean page 1)."""
    try:
        return max(1, min(int(value or "1"), 100_000))
    except ValueError:
        return 1


def entry_id(value: str | None) -> int | None:
    """A positive row id from a query parameter (missing or bad values mean none)."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def parse_until(value: str, now: datetime, tz: str) -> datetime:
    """A snooze time: "+90m", "+4h", "+1d", or an ISO time (without an offset it is in the brand's timezone)."""
    text = value.strip()
    relative = _RELATIVE.match(text)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now + timedelta(minutes=amount * {"m": 1, "h": 60, "d": 1440}[unit])
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise QueueError(f"cannot read snooze time {text[:40]!r}; use +4h, +1d or 2026-01-02T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def version_of(value: object) -> int | None:
    """The version a client acted on (None when missing or not a whole number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()[:12])
    return None


def diff_words(diff: str) -> list[tuple[str, str]]:
    """A stored word diff as (kind, word) pairs: kind is "same", "del" or "ins"."""
    out: list[tuple[str, str]] = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++", "@@")) or not line:
            continue
        kind = {"-": "del", "+": "ins"}.get(line[0], "same")
        out.append((kind, line[1:]))
    return out


def item_json(item: QueueItem, now: datetime) -> dict[str, Any]:
    """The API's view of a queue item."""
    m, state = item.mention, sla(item, now)
    return {
        "id": item.id, "version": item.version, "status": item.status, "priority": item.priority,
        "sla_due": item.sla_due.isoformat() if item.sla_due else None, "sla_state": state.state,
        "sla_seconds_left": state.seconds_left, "platform": m.platform, "account": m.account,
        "assignee": item.assignee, "claimed_at": item.claimed_at.isoformat() if item.claimed_at else None,
        "snoozed_until": item.snoozed_until.isoformat() if item.snoozed_until else None,
        "reply_limit": reply_limit(m.platform),
        "mention": {"platform_id": m.platform_id, "text": m.text, "url": m.url, "created_at": m.created_at.isoformat(),
                    "thread_id": m.thread_id, "author": {"handle": m.author.handle, "name": m.author.name,
                                                         "followers": m.author.followers,
                                                         "verified": m.author.verified}},
        "triage": {"sentiment": item.label, "compound": item.compound, "intents": list(item.intents),
                   "relevance": item.relevance, "reasons": list(item.reasons)},
        "suggestion": {"rule_id": item.rule_id, "action": item.action, "text": item.text, "follow_up": item.follow_up,
                       "escalate_to": item.escalate_to, "note": item.note, "why": list(item.why)},
        "draft": item.draft,
    }
