"""``ronr connectors status`` and ``ronr connectors check``: polling state and credential checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from bot.cli.context import ConfigProblem, state
from bot.cli.context import now as clock
from bot.config.settings import Settings
from bot.models import Cursor
from bot.store import StoreError
from connectors.base import ConnectorError, CredentialError, RateLimited, Unreachable
from connectors.limits import month_key, read_allowance
from connectors.walk import PollState

UNITS = {"x": ("posts read", 10, 100, "reads"), "reddit": ("requests", 1, 10, "requests")}
FAILURES = {"missing": "missing variable", "rejected": "rejected token", "scope": "wrong scopes or access level"}


def budget_line(name: str, budget: int, cursor: Cursor | None, now: datetime, outside: int = 0) -> str:
    """``spent/budget unit, left; what the even-spending rule allows now`` for one connector.

    ``outside`` is what it read outside its polls this month (X: reconciliation and follow-ups).
    """
    if name not in UNITS:
        return ""
    unit, minimum, burst, allowed = UNITS[name]
    poll_state = PollState.load(cursor, now)
    spent = (poll_state.reads if name == "x" else poll_state.requests) + outside
    allowance = read_allowance(budget, spent, now, minimum=minimum, burst=burst, unit=allowed)
    besides = f" ({outside} by reconciliation and follow-up searches)" if outside else ""
    return f"{spent}/{budget} {unit} this month{besides}, {max(budget - spent, 0)} left; {allowance.reason}"


def cursor_line(cursor: Cursor | None, now: datetime) -> str:
    """Per listening query: ``since`` and whether a walk is unfinished."""
    if cursor is None:
        return "never polled"
    queries = PollState.load(cursor, now).queries
    parts = [f"{key}: since {q.get('since', '-')}" + (" (walk unfinished)" if "token" in q else "")
             for key, q in sorted(queries.items())]
    return "; ".join(parts) or "empty"


def status_rows(settings: Settings, now: datetime, database: Path | None = None) -> list[dict[str, Any]]:
    """One row per configured connector, from the store's cursor table (``database`` overrides database.path)."""
    from bot.store import Store
    from bot.store.daemon_state import ReadLedger

    tables = {"x": settings.connectors.x, "reddit": settings.connectors.reddit, "replay": settings.connectors.replay}
    store = Store(database or settings.resolve(settings.database.path))
    ledger = ReadLedger(Path(store.path))
    try:
        rows = []
        for name, cfg in tables.items():
            st = store.mentions.cursor_state(name)
            minutes = float(getattr(cfg, "poll_minutes", 0.0))
            next_poll = st.last_poll_at + timedelta(minutes=minutes) if st.last_poll_at else None
            if st.paused_until and (next_poll is None or st.paused_until > next_poll):
                next_poll = st.paused_until
            paused = st.paused_until is not None and st.paused_until > now
            rows.append({
                "connector": name, "enabled": bool(getattr(cfg, "enabled", False)),
                "last_poll": st.last_poll_at.isoformat(timespec="seconds") if st.last_poll_at else "never",
                "next_poll": next_poll.isoformat(timespec="seconds") if next_poll else "at start",
                "rate_limit": (f"paused until {st.paused_until:%Y-%m-%d %H:%M} UTC: {st.pause_reason}"
                               if paused else "ok"),
                "budget": budget_line(name, int(getattr(cfg, "monthly_read_budget", 0)), st.cursor, now,
                                      ledger.spent(name, month_key(now))),
                "cursor": cursor_line(st.cursor, now) if name != "replay" else (st.cursor.value if st.cursor else ""),
                "last_error": st.last_error or "-",
            })
        return rows
    finally:
        store.close()


@click.group("connectors")
def connectors_group() -> None:
    """Platform connectors: polling state and credential checks."""


@connectors_group.command("status")
def status() -> None:
    """Per connector: last and next poll, cursor, rate-limit state, budget spent and left, last error."""
    now = clock()
    cli = state()
    try:
        rows = status_rows(cli.settings(), now, cli.database)
    except StoreError as exc:
        raise ConfigProblem(str(exc)) from None
    for row in rows:
        click.echo(f"{row['connector']} ({'enabled' if row['enabled'] else 'disabled'})")
        for key in ("last_poll", "next_poll", "rate_limit", "budget", "cursor", "last_error"):
            if row[key]:
                click.echo(f"  {key.replace('_', ' ')}: {row[key]}")


def _bare(exc: ConnectorError) -> str:
    """The message without the ``connector: `` prefix (the line already starts with the name)."""
    return str(exc).removeprefix(f"{exc.connector}: ")


def check_lines(settings: Settings, now: datetime) -> list[tuple[str, bool, str]]:
    """``(connector, ok, message)`` for every enabled platform connector, one per failure mode."""
    from connectors.registry import build_each
    from connectors.x import XConnector

    built, failed = build_each(settings)
    results = [(name, False, f"{FAILURES.get(getattr(exc, 'kind', ''), 'bad setting')}: {_bare(exc)}")
               for name, exc in failed.items()]
    for name, connector in built.items():
        probe = getattr(connector, "me", None)
        if probe is None:
            continue
        try:
            if isinstance(connector, XConnector):
                connector.user_ids({}, now)  # the app-only bearer token (reading)
            who = probe(now)
            handle = who.get("username", "?") if isinstance(who, dict) else who
            results.append((name, True, f"credentials accepted; acting as {handle}"))
        except CredentialError as exc:
            results.append((name, False, f"{FAILURES[exc.kind]}: {_bare(exc)}"))
        except RateLimited as exc:
            results.append((name, False, f"rate limited, try again later: {_bare(exc)}"))
        except Unreachable as exc:
            results.append((name, False, f"unreachable host: {_bare(exc)}"))
        except ConnectorError as exc:
            kind = "platform error, try again later" if exc.transient else "unexpected answer"
            results.append((name, False, f"{kind}: {_bare(exc)}"))
    return results


@connectors_group.command("check")
def check() -> None:
    """Verify each enabled connector's credentials against the platform (X: get_me; Reddit: user.me)."""
    results = check_lines(state().settings(), clock())
    if not results:
        click.echo("no platform connector is enabled (set enabled = true under [connectors.x] or [connectors.reddit])")
        return
    width = max(len(name) for name, _, _ in results)
    for name, ok, message in results:  # one whole line each: a cut-off line would lose the fix
        click.echo(f"{name.ljust(width)}  {'ok  ' if ok else 'FAIL'}  {message}")
    if not all(ok for _, ok, _ in results):
        raise click.ClickException("some connector checks failed; see the lines above")
