"""The Prometheus text exposition (format 0.0.4) of a :class:`~bot.daemon.health.Health`."""

from __future__ import annotations

from collections.abc import Iterable

from bot.daemon.health import Health

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def metric(self, name: str, kind: str, help_text: str,
               samples: Iterable[tuple[dict[str, str], float]]) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            text = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
            self.lines.append(f"{name}{{{text}}} {_number(value)}" if text else f"{name} {_number(value)}")


def render(h: Health, resident_bytes: int | None = None) -> str:
    """Every figure ``ronr status`` shows, as Prometheus metrics."""
    w = _Writer()
    w.metric("ronr_up", "gauge", "1 when a ronr run daemon holds the database.", [({}, 1 if h.running else 0)])
    w.metric("ronr_healthy", "gauge", "1 when no problem needs an operator.", [({}, 1 if h.healthy else 0)])
    w.metric("ronr_problems", "gauge", "Problems an operator must act on.", [({}, len(h.problems))])
    if h.instance is not None:
        w.metric("ronr_heartbeat_age_seconds", "gauge", "Seconds since the daemon last recorded it was alive.",
                 [({}, max(0.0, (h.now - h.instance.beat_at).total_seconds()))])
    w.metric("ronr_mentions_stored", "gauge", "Mentions stored.", [({}, h.mentions)])
    w.metric("ronr_queue_pending", "gauge", "Pending suggestions per priority.",
             [({"priority": p}, h.queue.get(p, 0)) for p in ("P1", "P2", "P3", "P4")])
    oldest = (h.now - h.oldest_pending).total_seconds() if h.oldest_pending else 0.0
    w.metric("ronr_queue_oldest_pending_seconds", "gauge", "Age of the oldest pending suggestion.",
             [({}, max(0.0, oldest))])
    w.metric("ronr_sla_breaches", "gauge", "Pending suggestions past their response-time target, per priority.",
             [({"priority": p}, h.sla_breaches.get(p, 0)) for p in ("P1", "P2", "P3", "P4")])
    states = ("approved", "sending", "posted", "failed", "needs_review")
    w.metric("ronr_outbox_items", "gauge", "Outbox items per state.",
             [({"state": s}, h.outbox.get(s, 0)) for s in sorted(set(states) | set(h.outbox))])
    w.metric("ronr_connector_last_poll_timestamp_seconds", "gauge", "When each connector last polled (Unix time).",
             [({"connector": c.name}, c.last_poll.timestamp()) for c in h.connectors if c.last_poll])
    w.metric("ronr_connector_paused", "gauge", "1 while a connector waits out a rate limit or its read budget.",
             [({"connector": c.name}, 1 if c.paused_until else 0) for c in h.connectors])
    w.metric("ronr_connector_error", "gauge", "1 when a connector's last poll failed.",
             [({"connector": c.name}, 1 if c.last_error and not c.paused_until else 0) for c in h.connectors])
    w.metric("ronr_job_runs_total", "counter", "Runs of each scheduled job.",
             [({"job": j.job}, j.runs) for j in h.jobs.values()])
    w.metric("ronr_job_failures_total", "counter", "Failed runs of each scheduled job.",
             [({"job": j.job}, j.failures) for j in h.jobs.values()])
    w.metric("ronr_job_last_success_timestamp_seconds", "gauge", "When each job last succeeded (Unix time).",
             [({"job": j.job}, j.last_success.timestamp()) for j in h.jobs.values() if j.last_success])
    if resident_bytes is not None:
        w.metric("process_resident_memory_bytes", "gauge", "Resident memory of this process.",
                 [({}, resident_bytes)])
    return "\n".join(w.lines) + "\n"


def resident_memory() -> int | None:
    """This process's resident set size from /proc (None where there is no /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
