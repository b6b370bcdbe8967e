"""`ronr demo`: the sample history on a fresh data/demo.db, and a readable summary."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import click

from bot.cli.context import now, state
from bot.cli.socialid_cmd import compute, render
from bot.cli.table import table
from bot.cli.web_cmd import demo_login, serve_app
from bot.demo import fresh_demo_runtime, simulate
from bot.policy.guardrails import shown_handle
from bot.socialid import week_of


def program() -> str:
    """How to run RonR again from here: ``ronr`` when that is on PATH, else the path this one was run by.

    ``make demo`` runs ``.venv/bin/ronr`` without activating the virtual environment, so a bare
    ``ronr`` in the suggestions would be "command not found".
    """
    ran = Path(sys.argv[0])
    found = shutil.which("ronr")
    if ran.name != "ronr" or (found is not None and Path(found).resolve() == ran.resolve()):
        return "ronr"
    return os.path.relpath(ran) if ran.is_absolute() else str(ran)


def next_commands(default_database: bool, database: Path, item: int | None, week: str) -> str:
    """The commands to try on the demo data, each with what it does."""
    here = Path.cwd()
    shown_db = database.relative_to(here) if database.is_absolute() and database.is_relative_to(here) else database
    run = program() + ("" if default_database else f" --database {shown_db}")
    shown = "ID" if item is None else str(item)
    lines = [(f"{run} queue", "pending items, highest priority first"),
             (f"{run} queue show {shown}", "one item with its triage, reasons and suggestion"),
             (f"{run} queue approve {shown} --as you", f"approve it; `{run} dispatch` posts it exactly once"),
             (f"{run} socialid --week {week}", "this week's Social ID so far")]
    width = max(len(command) for command, _ in lines)
    return "\n".join(f"  {command.ljust(width)}  # {what}" for command, what in lines)


@click.command("demo")
@click.option("--serve/--no-serve", default=None,
              help="End by serving the web UI on the demo data (default: when run from a terminal).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port for the web UI.")
def demo_cmd(serve: bool | None, port: int) -> None:
    """Replay the embedded sample through the whole loop into data/demo.db (or --database) and summarise it."""
    cli = state()
    settings = cli.settings()
    db_path = cli.database or settings.resolve("data/demo.db")
    sink = db_path.parent / "sink" / "demo-posts.jsonl"
    moment = now()
    rt = fresh_demo_runtime(settings, db_path, sink)
    try:
        interactive = sys.stderr.isatty()

        def progress(step: int, total: int) -> None:
            if step == total or (interactive and step % 20 == 0):
                click.echo(f"\rReplaying four weeks of sample history: {step}/{total} moments", nl=False, err=True)

        report = simulate(rt, moment, progress)
        click.echo("", err=True)
        poll = report.poll
        click.echo(f"\nRonR demo for {settings.brand.name}: {poll.new['replay']} mentions ingested into {db_path}")
        click.echo(f"Triaged {poll.triaged}; {poll.queued} suggestions made; {poll.ignored} ignored (spam, off-topic).")
        decided = ", ".join(f"{k} {v}" for k, v in sorted(report.decisions.items()))
        click.echo(f"Sample managers' decisions replayed: {decided}; {report.posted} replies posted to {sink}; "
                   f"{report.answered} authors answered.\n")
        click.echo(table(["intent", "mentions"], poll.intents.most_common()))
        click.echo()
        click.echo(table(["priority", "mentions"], sorted(poll.priorities.items())))
        pending = rt.store.suggestions.pending(limit=8)
        total = rt.store.suggestions.counts().get("pending", 0)
        click.echo(f"\nTop of the queue ({total} pending):")
        click.echo(table(["id", "pri", "author", "intents", "mention"],
                         [(i.id, i.priority, shown_handle(i.mention), ",".join(i.intents), i.mention.text)
                          for i in pending], max_width=60))
        # finished weeks only: a week that began this morning would be judged on a loop or two
        weeks = sorted({week_of(moment - timedelta(days=7 * k), settings.timezone) for k in range(4, 0, -1)})
        results = [r for w in weeks for r in compute(rt, w) if r.loops]
        click.echo("\nSocial ID of the sample history, per account and finished week:")
        click.echo(render(results, rt.settings.account_label))
        click.echo("\nTry next:")
        click.echo(next_commands(cli.database is None and db_path == settings.resolve(settings.database.path),
                                 db_path, pending[0].id if pending else None, week_of(moment, settings.timezone)))
        login = demo_login(rt) if serve or (serve is None and sys.stdin.isatty()) else None
    finally:
        rt.close()
    if login:
        serve_app(db_path, "127.0.0.1", port, f"Sign in as {login[0]} / {login[1]}  (a demo login on the demo data)")
