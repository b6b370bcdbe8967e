"""Social ID: how well an account nurtured its relationships in one ISO week (pure functions).

Formula version 2, written out with worked examples in docs/social-id.md. Each part is 0-100:

- responsiveness = 100 x (0.4 x response rate + 0.4 x SLA attainment + 0.2 x speed), over the loops
  that called for a reply (a person declining one is a decision, not a miss, so it is left out;
  one still waiting whose SLA has not run out yet is not judged);
- relevance = 100 x mean over replies of (0.4 x specificity + 0.2 x personalised + 0.2 x question
  + 0.2 x engaged);
- demeanor = 100 x (0.5 x share of polite replies + 0.5 x mean outcome of answered loops);
- overall = the weighted mean of the three (weights from ``[socialid]`` in bot.toml).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.models import LoopFacts
from bot.triage.sentiment import score_sentiment

WEIGHTS = (0.4, 0.3, 0.3)
NEGATIVE, POSITIVE = -0.05, 0.05  # VADER's own thresholds for a negative / positive text
_WORD = re.compile(r"[^\W\d_]{4,}")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
STOPWORDS = frozenset("""this that with have from your they them their there what when where which would could
should about just been were will into than then also some more very much does dont cant wont still really""".split())
COURTESY = frozenset("thank thanks please sorry help happy glad hello team".split())
BLAME = ("not our fault", "your fault", "user error", "read the manual", "rtfm", "calm down", "as we said",
         "as already stated", "obviously", "you should have", "learn to", "stop complaining")


@dataclass(frozen=True)
class LoopRecord(LoopFacts):
    """:class:`LoopFacts` plus who and which rule: what the ledger and the per-rule figures need."""

    loop_id: int = 0
    author_id: int = 0
    author_handle: str = ""
    author_platform: str = ""
    rule_id: str = ""
    answer_text: str = ""


@dataclass(frozen=True)
class BusinessHours:
    """Working hours: response time only runs between ``start`` and ``end`` on ``days`` (1 = Monday)."""

    start: time
    end: time
    days: frozenset[int]
    tz: str

    @classmethod
    def parse(cls, text: str, days: Sequence[int], tz: str) -> BusinessHours:
        """"09:00-17:30" -> BusinessHours; ValueError naming the fix otherwise."""
        found = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
        bad_days = [d for d in days if not 1 <= d <= 7]
        if not found or bad_days:
            raise ValueError(f"business hours {text!r} on days {list(days)}: write hours like \"09:00-17:30\" "
                             "and days as numbers 1 (Monday) to 7 (Sunday)")
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and (h1, m1) < (h2, m2)):
            raise ValueError(f"business hours {text!r}: the start must be before the end, both within one day")
        return cls(time(h1, m1), time(h2, m2), frozenset(days), tz)

    def minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        zone = ZoneInfo(self.tz)
        a, b = a.astimezone(zone), b.astimezone(zone)
        total, day = 0.0, a.date()
        while day <= b.date():
            if day.isoweekday() in self.days:
                opens = datetime.combine(day, self.start, zone)
                closes = datetime.combine(day, self.end, zone)
                overlap = (min(b, closes) - max(a, opens)).total_seconds()
                total += max(0.0, overlap) / 60
            day += timedelta(days=1)
        return total


@dataclass(frozen=True)
class Options:
    """Everything the formula can be tuned with; the defaults reproduce the documented examples.

    ``sla_hours`` per priority (else each loop's ``sla_due`` is used); ``template_words`` per rule id,
    the words a rule's own text always says, and ``brand_words`` (the brand's own name) never count
    as specific; ``as_of`` leaves out loops still inside their SLA.
    """

    weights: tuple[float, float, float] = WEIGHTS
    sla_hours: Mapping[str, float] | None = None
    business: BusinessHours | None = None
    template_words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    brand_words: frozenset[str] = frozenset()
    as_of: datetime | None = None


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
    sla_met: int = 0
    recovered: int = 0
    questions: int = 0
    personalised: int = 0
    previous: float | None = None

    @property
    def change(self) -> float | None:
        """Overall now minus overall the week before (None when either is missing)."""
        if self.overall is None or self.previous is None:
            return None
        return round(self.overall - self.previous, 1)


def parse_week(text: str) -> tuple[int, int]:
    """"2026-W47" -> (2026, 47); ValueError with a clear message otherwise."""
    found = re.fullmatch(r"(\d{4})-W(\d{1,2})", text.strip())
    if not found or not 1 <= int(found.group(2)) <= 53:
        raise ValueError(f"week {text!r} is not like 2026-W47 (ISO year, W, week number)")
    try:
        date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    except ValueError:
        raise ValueError(f"week {text!r} does not exist: {found.group(1)} has only 52 ISO weeks") from None
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


def previous_weeks(week: str, count: int) -> list[str]:
    """``count`` weeks ending with ``week``, oldest first ("2026-W47", 3 -> W45, W46, W47)."""
    year, number = parse_week(week)
    monday = date.fromisocalendar(year, number, 1)
    found = []
    for back in range(count - 1, -1, -1):
        y, n, _ = (monday - timedelta(weeks=back)).isocalendar()
        found.append(f"{y}-W{n:02d}")
    return found


def content_words(text: str) -> set[str]:
    """Lower-cased words of four letters or more that carry meaning (no stopwords, no numbers)."""
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


def template_words(texts: Sequence[str]) -> frozenset[str]:
    """The content words a rule says whoever it answers: its texts with ``{variables}`` removed."""
    return frozenset(w for t in texts for w in content_words(_PLACEHOLDER.sub(" ", t)))


def polite(text: str) -> bool:
    """A reply's tone is fine: no shouting, no blame, not strongly negative (apologies are polite)."""
    lowered = text.lower()
    return (not _shouting(text) and not any(b in lowered for b in BLAME)
            and score_sentiment(text).compound > -0.5)


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.5


def recovered(mention_compound: float, answer_compound: float | None) -> bool:
    """The best outcome there is: negative before our reply, positive after it."""
    return answer_compound is not None and mention_compound <= NEGATIVE and answer_compound >= POSITIVE


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _sla_minutes(lp: LoopFacts, opts: Options) -> float | None:
    if opts.sla_hours is not None and lp.priority in opts.sla_hours:
        return opts.sla_hours[lp.priority] * 60
    return (lp.sla_due - lp.opened_at).total_seconds() / 60 if lp.sla_due else None


def response_minutes(lp: LoopFacts, opts: Options) -> float | None:
    """Minutes from the mention's creation to our reply (working minutes with business hours)."""
    if lp.replied_at is None:
        return None
    if opts.business is not None:
        return opts.business.minutes_between(lp.opened_at, lp.replied_at)
    return max(0.0, (lp.replied_at - lp.opened_at).total_seconds() / 60)


def _still_open(lp: LoopFacts, opts: Options) -> bool:
    if opts.as_of is None or lp.replied_at is not None or lp.close_reason:
        return False
    sla = _sla_minutes(lp, opts)
    return sla is not None and lp.opened_at + timedelta(minutes=sla) > opts.as_of


def _relevance_part(lp: LoopFacts, opts: Options) -> tuple[float, bool, bool]:
    own = opts.template_words.get(getattr(lp, "rule_id", ""), frozenset()) | opts.brand_words | COURTESY
    shared = (content_words(lp.mention_text) & content_words(lp.reply_text)) - own
    personal = bool(lp.suggested_text) and lp.reply_text.strip() != lp.suggested_text.strip()
    question = "?" in lp.reply_text
    engaged = lp.answer_compound is not None
    return 0.4 * min(1.0, len(shared) / 2) + 0.2 * personal + 0.2 * question + 0.2 * engaged, personal, question


def _outcome(lp: LoopFacts) -> float:
    if recovered(lp.mention_compound, lp.answer_compound):
        return 1.0
    return max(0.0, min(1.0, ((lp.answer_compound or 0.0) - lp.mention_compound + 2) / 4))


def social_id(account: str, week: str, loops: Sequence[LoopFacts], weights: tuple[float, float, float] = WEIGHTS,
              options: Options | None = None) -> SocialId:
    """Compute the Social ID of ``account`` for ``week`` from the loops opened in that week."""
    opts = options or Options(weights=weights)
    counted = [lp for lp in loops if lp.close_reason != "declined" and not _still_open(lp, opts)]
    replied = [lp for lp in counted if lp.replied_at is not None]
    answered = [lp for lp in replied if lp.answer_compound is not None]
    if not counted:
        return SocialId(account, week, 0, 0, 0, None, None, None, None, None, None)
    minutes = {id(lp): response_minutes(lp, opts) or 0.0 for lp in replied}
    slas = {id(lp): _sla_minutes(lp, opts) for lp in replied}
    on_time = [lp for lp in replied if slas[id(lp)] is None or minutes[id(lp)] <= (slas[id(lp)] or 0.0)]
    speed = statistics.fmean(min(1.0, (slas[id(lp)] or 0.0) / minutes[id(lp)])
                             if slas[id(lp)] is not None and minutes[id(lp)] > 0 else 1.0
                             for lp in replied) if replied else 0.0
    responsiveness = 100 * (0.4 * len(replied) / len(counted) + 0.4 * len(on_time) / len(counted) + 0.2 * speed)
    relevance = demeanor = None
    parts = [_relevance_part(lp, opts) for lp in replied]
    if replied:
        relevance = 100 * statistics.fmean(p[0] for p in parts)
        tone = statistics.fmean(1.0 if polite(lp.reply_text) else 0.0 for lp in replied)
        outcome = statistics.fmean(_outcome(lp) for lp in answered) if answered else 0.5
        demeanor = 100 * (0.5 * tone + 0.5 * outcome)
    w = opts.weights
    overall = (responsiveness * w[0] + (relevance or 0.0) * w[1] + (demeanor or 0.0) * w[2]) / sum(w)
    times = list(minutes.values())
    return SocialId(
        account=account, week=week, loops=len(counted), replied=len(replied), answered=len(answered),
        responsiveness=round(responsiveness, 1), relevance=None if relevance is None else round(relevance, 1),
        demeanor=None if demeanor is None else round(demeanor, 1), overall=round(overall, 1),
        median_response_minutes=round(statistics.median(times), 1) if times else None,
        p90_response_minutes=round(_percentile(times, 0.9), 1) if times else None,
        sla_met=len(on_time), recovered=sum(recovered(lp.mention_compound, lp.answer_compound) for lp in answered),
        questions=sum(p[2] for p in parts), personalised=sum(p[1] for p in parts),
    )
