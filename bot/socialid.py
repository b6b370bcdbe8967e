"""Social ID: how well an account nurtured its relationships in one ISO week (pure functions).

Formula (version 1, documented with worked examples in docs/social-id.md), each part 0-100:
- responsiveness = 100 x (0.5 x response rate + 0.5 x SLA attainment), over loops that called for a
  reply (loops a person declined are left out);
- relevance = 100 x mean over replies of (0.4 x specificity + 0.3 x personalised + 0.3 x engaged),
  where specificity = min(1, content words shared with the mention / 3), personalised = the approver
  changed the suggested words, engaged = the author answered;
- demeanor = 100 x (0.5 x share of polite replies (no shouting, no blame, compound > -0.5) + 0.5 x mean
  sentiment change (answer - mention + 2) / 4, 0.5 when nobody answered);
- overall = weighted mean (0.4, 0.3, 0.3 by default).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.models import LoopFacts
from bot.triage.sentiment import score_sentiment

WEIGHTS = (0.4, 0.3, 0.3)
_WORD = re.compile(r"[^\W\d_]{4,}")
STOPWORDS = frozenset("""this that with have from your they them their there what when where which would could
should about just been were will into than then also some more very much does dont cant wont still really""".split())


@dataclass(frozen=True)
class SocialId:
    """One account's Social ID for one week; components are None when there was nothing to measure."""

    account: str
    week: str
    loops: int
    replied: int
    answered: int
    responsiveness: float | None
    relevance: float | None
    demeanor: float | None
    overall: float | None
    median_response_minutes: float | None
    p90_response_minutes: float | None


def parse_week(text: str) -> tuple[int, int]:
    """"2026-W47" -> (2026, 47); ValueError with a clear message otherwise."""
    found = re.fullmatch(r"(\d{4})-W(\d{1,2})", text.strip())
    if not found or not 1 <= int(found.group(2)) <= 53:
        raise ValueError(f"week {text!r} is not like 2026-W47 (ISO year, W, week number)")
    return int(found.group(1)), int(found.group(2))


def week_bounds(week: str, tz: str) -> tuple[datetime, datetime]:
    """Start (Monday 00:00 in ``tz``) and end of an ISO week."""
    year, number = parse_week(week)
    start = datetime.combine(date.fromisocalendar(year, number, 1), datetime.min.time(), ZoneInfo(tz))
    return start, start + timedelta(days=7)


def week_of(moment: datetime, tz: str) -> str:
    """The ISO week ("2026-W47") that ``moment`` falls in, in ``tz``."""
    year, number, _ = moment.astimezone(ZoneInfo(tz)).isocalendar()
    return f"{year}-W{number:02d}"


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


BLAME = ("not our fault", "your fault", "user error", "read the manual", "rtfm", "calm down", "as we said",
         "as already stated", "obviously", "you should have", "learn to", "stop complaining")


def polite(text: str) -> bool:
    """A reply's tone is fine: no shouting, no blame, not strongly negative (apologies are polite)."""
    lowered = text.lower()
    return (not _shouting(text) and not any(b in lowered for b in BLAME)
            and score_sentiment(text).compound > -0.5)


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.5


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def social_id(account: str, week: str, loops: Sequence[LoopFacts],
              weights: tuple[float, float, float] = WEIGHTS) -> SocialId:
    """Compute the Social ID of ``account`` for ``week`` from the loops opened in that week."""
    counted = [lp for lp in loops if lp.close_reason != "declined"]
    replied = [lp for lp in counted if lp.replied_at is not None]
    answered = [lp for lp in replied if lp.answer_compound is not None]
    if not counted:
        return SocialId(account, week, 0, 0, 0, None, None, None, None, None, None)
    minutes = [(lp.replied_at - lp.opened_at).total_seconds() / 60 for lp in replied if lp.replied_at]
    on_time = sum(1 for lp in replied if lp.replied_at and (lp.sla_due is None or lp.replied_at <= lp.sla_due))
    responsiveness = 100 * (0.5 * len(replied) / len(counted) + 0.5 * on_time / len(counted))
    relevance = demeanor = None
    if replied:
        parts = []
        for lp in replied:
            shared = len(_content_words(lp.mention_text) & _content_words(lp.reply_text))
            personal = 1.0 if lp.suggested_text and lp.reply_text.strip() != lp.suggested_text.strip() else 0.0
            engaged = 1.0 if lp.answer_compound is not None else 0.0
            parts.append(0.4 * min(1.0, shared / 3) + 0.3 * personal + 0.3 * engaged)
        relevance = 100 * statistics.fmean(parts)
        tone = statistics.fmean(1.0 if polite(lp.reply_text) else 0.0 for lp in replied)
        change = statistics.fmean(((lp.answer_compound or 0.0) - lp.mention_compound + 2) / 4
                                  for lp in answered) if answered else 0.5
        demeanor = 100 * (0.5 * tone + 0.5 * change)
    scores = [(responsiveness, weights[0]), (relevance or 0.0, weights[1]), (demeanor or 0.0, weights[2])]
    overall = sum(s * w for s, w in scores) / sum(weights)
    return SocialId(
        account=account, week=week, loops=len(counted), replied=len(replied), answered=len(answered),
        responsiveness=round(responsiveness, 1), relevance=None if relevance is None else round(relevance, 1),
        demeanor=None if demeanor is None else round(demeanor, 1), overall=round(overall, 1),
        median_response_minutes=round(statistics.median(minutes), 1) if minutes else None,
        p90_response_minutes=round(_percentile(minutes, 0.9), 1) if minutes else None,
    )
