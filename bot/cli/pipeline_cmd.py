"""`ronr poll` and `ronr dispatch`: run the loop's stages once, by hand."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.context import now, runtime
from bot.cli.table import table
from bot.daemon.lock import AlreadyRunning, InstanceLock
from bot.dispatch import dispatch, reconcile
from bot.loops import check_loops
from bot.pipeline import poll_once
from bot.runtime import Runtime


@click.command("poll")
def poll() -> None:
    """Poll every enabled connector once and run new mentions through triage and policy."""
    with runtime() as rt:
        if not rt.connectors:
            click.echo("No connector is enabled; enable one under [connectors] in bot.toml.")
            return
        report = poll_once(rt, now())
        rows = [(name, report.fetched[name], report.new[name],
                 "error (below)" if name in report.errors else report.skipped.get(name, "ok"))
                for name in rt.connectors]
        click.echo(table(["connector", "fetched", "new", "state"], rows))
        for error in report.errors.values():
            click.echo(f"error: {error}", err=True)
        click.echo(f"\nTriaged {report.triaged}; queued {report.queued} for approval; ignored {report.ignored}.")
        if report.intents:
            click.echo("Intents: " + ", ".join(f"{k} {v}" for k, v in report.intents.most_common()))
        for mention_id, why in report.failed.items():
            click.echo(f"error: mention {mention_id} could not be triaged ({why}); it stays stored and is retried "
                       "on the next poll", err=True)
        if report.errors or report.failed:
            raise SystemExit(1)


@click.command("dispatch")
def dispatch_cmd() -> None:
    """Post approved replies now (each exactly once) and check open conversations for answers."""
    with runtime() as rt:
        lock = InstanceLock(Path(rt.store.path))
        try:
            lock.acquire()  # reconciling while a daemon posts could send an in-flight item twice
        except AlreadyRunning as exc:
            raise click.ClickException(f"{exc}; the running daemon posts approved replies by itself") from None
        try:
            _dispatch_once(rt)
        finally:
            lock.release()


def _dispatch_once(rt: Runtime) -> None:
    moment = now()
    reconciled = reconcile(rt, moment)
    report = dispatch(rt, moment)
    loops = check_loops(rt, moment)
    click.echo(f"Posted {len(report.posted)}; reconciled {len(reconciled.reconciled)}; "
               f"retrying {len(report.retrying)}; failed {len(report.failed)}.")
    for item, why in {**report.retrying, **report.failed}.items():
        click.echo(f"  outbox {item}: {why}")
    click.echo(f"Loops: {loops.answered} answered, {loops.timed_out} timed out, {loops.missed} missed.")
