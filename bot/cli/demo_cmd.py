"""`ronr demo`: the sample history on a fresh data/demo.db, and a readable summary."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from bot.cli.context import now, state
from bot.cli.socialid_cmd import compute, render
from bot.cli.table import table
from bot.cli.web_cmd import demo_login, serve_app
from bot.demo import fresh_demo_runtime, simulate
from bot.socialid import week_of


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
                         [(i.id, i.priority, "@" + i.mention.author.handle, ",".join(i.intents), i.mention.text)
                          for i in pending], max_width=60))
        weeks = sorted({week_of(moment - timedelta(days=7 * k), settings.timezone)
                        for k in range(4, -1, -1)})
        results = [r for w in weeks for r in compute(rt, w) if r.loops]
        click.echo("\nSocial ID of the sample history, per account and week:")
        click.echo(render(results))
        db_arg = "" if cli.database is None and db_path == settings.resolve(settings.database.path) else \
            f" --database {db_path}"
        first = pending[0].id if pending else "ID"
        click.echo(f"""
Try next:
  ronr{db_arg} queue                      # pending items, highest priority first
  ronr{db_arg} queue show {first}            # one item with its triage, reasons and suggestion
  ronr{db_arg} queue approve {first} --as you   # approve it; `ronr{db_arg} dispatch` posts it exactly once
  ronr{db_arg} socialid --week {weeks[-1]}""")
        login = demo_login(rt) if serve or (serve is None and sys.stdin.isatty()) else None
    finally:
        rt.close()
    if login:
        serve_app(db_path, "127.0.0.1", port, f"Sign in as {login[0]} / {login[1]}  (a demo login on the demo data)")
