"""Is RonR healthy? One answer for ``ronr status``, ``/healthz`` and ``/metrics``.

Unhealthy (exit code 1, HTTP 503) means an operator should act: the daemon is not running or
has stopped beating, a connector's last poll failed or it has not polled for three intervals,
a reply is stuck in ``sending`` or needs review, or a job's last run failed. SLA breaches and
rate-limit pauses are warnings: people, not machines, fix those. So is a connector the *asking*
process cannot build (``ronr status`` from a shell without the secrets): the daemon, which refuses
to start without them, reads its own environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.daemon.lock import holder
from bot.store import Store
from bot.store.daemon_state import InstanceState, JobState
from connectors import registry
from connectors.base import Connector

STUCK_AFTER = timedelta(minutes=5)
MISSED_BEATS = 4


@dataclass(frozen=True)
class ConnectorHealth:
    """One enabled connector's polling, as stored."""

    name: str
    interval_minutes: float
    last_poll: datetime | None
    next_poll: datetime | None
    last_error: str
    paused_until: datetime | None
    pause_reason: str
    budget: str


@dataclass
class Health:
    """Everything ``ronr status`` shows, and the verdict."""

    now: datetime
    pid: int | None
    instance: InstanceState | None
    connectors: list[ConnectorHealth]
    jobs: dict[str, JobState]
    queue: dict[str, int]
    oldest_pending: datetime | None
    sla_breaches: dict[str, int]
    outbox: dict[str, int]
    stuck_sending: int
    mentions: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """No problem an operator must act on."""
        return not self.problems

    @property
    def running(self) -> bool:
        """Whether a ``ronr run`` holds the database."""
        return self.pid is not None

    @property
    def last_report(self) -> JobState | None:
        """The weekly report job's record."""
        return self.jobs.get("weekly_report")


def enabled_connectors(settings: Settings) -> list[str]:
    """Names of the connectors turned on in the settings, in polling order."""
    names = ["replay"] if settings.connectors.replay.enabled else []
    return names + [n for n in registry.FACTORIES if getattr(getattr(settings.connectors, n, None), "enabled", False)]


def _budget(connector: Connector | None, store: Store, name: str, now: datetime) -> str:
    describe = getattr(connector, "describe", None)
    if describe is None:
        return ""
    info: dict[str, Any] = describe(store.mentions.cursor_state(name).cursor, now)
    return f"{info.get('spent', '?')}/{info.get('budget', '?')} {info.get('unit', '')}".strip()


def collect(store: Store, settings: Settings, now: datetime, connectors: dict[str, Connector] | None = None,
            connector_errors: dict[str, str] | None = None, database: Path | None = None) -> Health:
    """Read the state of the database and the daemon, and judge it."""
    pid = holder(database or Path(store.path))
    jobs = store.daemon.jobs()
    found = []
    for name in enabled_connectors(settings):
        state = store.mentions.cursor_state(name)
        job = jobs.get(f"poll:{name}")
        found.append(ConnectorHealth(
            name=name, interval_minutes=float(getattr(settings.connectors, name).poll_minutes),
            last_poll=state.last_poll_at, next_poll=job.next_run if job else None, last_error=state.last_error,
            paused_until=state.paused_until if state.paused_until and state.paused_until > now else None,
            pause_reason=state.pause_reason, budget=_budget((connectors or {}).get(name), store, name, now)))
    health = Health(
        now=now, pid=pid, instance=store.daemon.instance(), connectors=found, jobs=jobs,
        queue=store.daemon.queue_depth(), oldest_pending=store.daemon.oldest_pending(),
        sla_breaches=store.daemon.sla_breaches(now), outbox=store.outbox.counts(),
        stuck_sending=store.daemon.stuck_sending(now - STUCK_AFTER), mentions=store.daemon.mention_count())
    _judge(health, settings, connector_errors or {})
    from bot.report.weekly import uncertain_lines  # owned by the report; imported late to keep this module light
    health.problems.extend(uncertain_lines(store))
    return health


def _judge(h: Health, settings: Settings, connector_errors: dict[str, str]) -> None:
    beat_limit = timedelta(seconds=MISSED_BEATS * settings.daemon.heartbeat_seconds)
    if not h.running:
        h.problems.append("the daemon is not running (start it with `ronr run` or `systemctl start ronr`)")
    elif h.instance is not None and h.now - h.instance.beat_at > beat_limit:
        h.problems.append(f"the daemon (pid {h.pid}) has not beaten since {h.instance.beat_at:%Y-%m-%d %H:%M:%S} "
                          "UTC; it may be hung")
    for name, error in connector_errors.items():
        # Only this process lacks them (a shell without the env file): a daemon with a connector it cannot
        # build refuses to start (exit 2), so a running one has its own. Not a reason to page anyone.
        h.warnings.append(f"connector {name} cannot be built in this process, so its budget is not shown: {error}")
    for c in h.connectors:
        if c.paused_until is not None:
            h.warnings.append(f"connector {c.name} paused until {c.paused_until:%Y-%m-%d %H:%M} UTC: {c.pause_reason}")
        elif c.last_error:
            h.problems.append(f"connector {c.name}: last poll failed: {c.last_error}")
        overdue = timedelta(minutes=3 * c.interval_minutes) + timedelta(seconds=60)
        if h.running and c.paused_until is None and h.instance is not None and \
                h.now - max(c.last_poll or h.instance.started_at, h.instance.started_at) > overdue:
            h.problems.append(f"connector {c.name} has not polled for over {3 * c.interval_minutes:g} minutes")
    review = h.outbox.get("needs_review", 0) + h.outbox.get("failed", 0)
    if review:
        h.problems.append(f"{review} approved repl{'y' if review == 1 else 'ies'} could not be posted and need review")
    if h.stuck_sending:
        h.problems.append(f"{h.stuck_sending} repl{'y is' if h.stuck_sending == 1 else 'ies are'} stuck in sending "
                          f"for over {STUCK_AFTER.seconds // 60} minutes (platform unreachable for reconciliation?)")
    for job in h.jobs.values():
        if job.failing and not job.job.startswith("poll:"):
            h.problems.append(f"job {job.job} failed at {job.last_error_at:%Y-%m-%d %H:%M} UTC: {job.last_error}")
    breaches = sum(h.sla_breaches.values())
    if breaches:
        h.warnings.append(f"{breaches} pending item{'s' if breaches != 1 else ''} past the response-time target")
