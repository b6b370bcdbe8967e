"""The figures the weekly email, the dashboard and the CLI show, gathered from the store in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.approvals_stats import RuleFigures, per_rule
from bot.config import Settings
from bot.models import written_handle
from bot.policy import Rule
from bot.relationships import Relationship, ledger_entry, rank
from bot.socialid import (
    BusinessHours,
    LoopRecord,
    Options,
    SocialId,
    content_words,
    previous_weeks,
    recovered,
    response_minutes,
    social_id,
    template_words,
    week_bounds,
)
from bot.store import Store
from bot.store.reports import QueueHealth

COMPONENTS = ("responsiveness", "relevance", "demeanor")
HISTORY_WEEKS = 8


@dataclass(frozen=True)
class Highlight:
    """One conversation worth showing: who, what they said, what we said, what happened."""

    handle: str
    mention: str
    reply: str
    answer: str
    note: str


@dataclass(frozen=True)
class AccountWeek:
    """One account's week: its Social ID, the weeks before it, and the conversations that stood out."""

    account: str
    label: str  # as people write it, e.g. "u/NimbusHome" (Settings.account_label)
    current: SocialId
    history: tuple[SocialId, ...]
    recoveries: tuple[Highlight, ...]
    missed: tuple[Highlight, ...]
    breaches: tuple[Highlight, ...]


@dataclass(frozen=True)
class WeekFigures:
    """Everything one week's report shows."""

    week: str
    start: datetime
    end: datetime
    brand: str
    accounts: tuple[AccountWeek, ...]
    relationships: tuple[Relationship, ...]
    rules: tuple[RuleFigures, ...]
    queue: QueueHealth
    web_url: str


def options_for(settings: Settings, rules: Sequence[Rule], as_of: datetime | None) -> Options:
    """The formula's options from bot.toml and the rule files; ValueError naming the key to fix."""
    weights = settings.socialid.weights
    if set(weights) != set(COMPONENTS) or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError(f"socialid.weights {weights}: give responsiveness, relevance and demeanor, each a number "
                         ">= 0, not all 0")
    business = None
    if settings.socialid.business_hours.strip():
        try:
            business = BusinessHours.parse(settings.socialid.business_hours, settings.socialid.business_days,
                                           settings.timezone)
        except ValueError as exc:
            raise ValueError(f"socialid.business_hours: {exc}") from None
    return Options(
        weights=(weights["responsiveness"], weights["relevance"], weights["demeanor"]),
        sla_hours={p: settings.sla.hours(p) for p in ("P1", "P2", "P3", "P4")}, business=business,
        template_words={r.id: template_words([*r.variants, r.follow_up]) for r in rules},
        brand_words=frozenset(content_words(" ".join([settings.brand.name, *settings.brand.keywords]))), as_of=as_of)


def account_history(store: Store, account: str, week: str, tz: str, options: Options,
                    weeks: int = HISTORY_WEEKS) -> tuple[list[SocialId], list[LoopRecord]]:
    """Social ID of ``account`` for ``weeks`` weeks ending with ``week`` (with change), and that week's loops."""
    found: list[SocialId] = []
    loops: list[LoopRecord] = []
    for name in previous_weeks(week, weeks + 1):
        start, end = week_bounds(name, tz)
        loops = store.relationships.week_records(start, end, account)
        result = social_id(account, name, loops, options=options)
        previous = found[-1].overall if found else None
        found.append(replace(result, previous=previous))
    return found[1:], loops


def _highlight(lp: LoopRecord, note: str) -> Highlight:
    return Highlight(handle=written_handle(lp.author_platform, lp.author_handle), mention=lp.mention_text,
                     reply=lp.reply_text, answer=lp.answer_text, note=note)


def highlights(loops: Sequence[LoopRecord], options: Options
               ) -> tuple[tuple[Highlight, ...], tuple[Highlight, ...], tuple[Highlight, ...]]:
    """Best recoveries (biggest swing first), missed mentions, and SLA breaches (latest reply first)."""
    turned = sorted((lp for lp in loops if recovered(lp.mention_compound, lp.answer_compound)),
                    key=lambda lp: lp.mention_compound - (lp.answer_compound or 0.0))
    missed = [lp for lp in loops if lp.replied_at is None and lp.close_reason in ("missed", "")
              and (options.as_of is None or lp.sla_due is None or lp.sla_due <= options.as_of)]
    late: list[tuple[float, LoopRecord]] = []
    for lp in loops:
        minutes = response_minutes(lp, options)
        sla = (options.sla_hours or {}).get(lp.priority)
        if minutes is not None and sla is not None and minutes > sla * 60:
            late.append((minutes - sla * 60, lp))
    late.sort(key=lambda pair: -pair[0])
    return (tuple(_highlight(lp, f"{lp.mention_compound:+.2f} → {lp.answer_compound or 0:+.2f}") for lp in turned[:3]),
            tuple(_highlight(lp, f"{lp.priority}, no reply") for lp in missed[:5]),
            tuple(_highlight(lp, f"{lp.priority}, {_duration(over)} past the SLA") for over, lp in late[:5]))


def _duration(minutes: float) -> str:
    return f"{minutes / 60:.1f} h" if minutes >= 90 else f"{minutes:.0f} min"


def ledger(store: Store, account: str | None, top: int, now: datetime) -> list[Relationship]:
    """The ``top`` relationships (optionally about one account), ranked by :attr:`Relationship.score`."""
    authors = store.relationships.busiest_authors(account, max(top * 3, 30))
    contacts, loops = store.relationships.histories([int(a["id"]) for a in authors], account)
    entries = [ledger_entry(int(a["id"]), a["platform"], a["handle"], a["name"], contacts[int(a["id"])],
                            loops[int(a["id"])], now) for a in authors]
    return rank(entries, top)


def week_figures(store: Store, settings: Settings, rules: Sequence[Rule], week: str, now: datetime,
                 accounts: Sequence[str] | None = None) -> WeekFigures:
    """Gather one week's report for ``accounts`` (default: every account with mentions)."""
    options = options_for(settings, rules, now)
    start, end = week_bounds(week, settings.timezone)
    chosen = list(accounts) if accounts is not None else store.relationships.accounts()
    result = []
    for account in chosen:
        history, loops = account_history(store, account, week, settings.timezone, options)
        recoveries, missed, breaches = highlights(loops, options)
        result.append(AccountWeek(account, settings.account_label(account), history[-1], tuple(history), recoveries,
                                  missed, breaches))
    only = chosen[0] if len(chosen) == 1 else None
    people = ledger(store, only, 5, min(now, end + timedelta(days=1)))
    rows = [r for a in chosen for r in store.reports.decisions(start, end, a)]
    return WeekFigures(week=week, start=start, end=end, brand=settings.brand.name, accounts=tuple(result),
                       relationships=tuple(people), rules=tuple(per_rule(rows)),
                       queue=store.reports.queue_health(now, only), web_url=settings.report.web_url.rstrip("/"))
