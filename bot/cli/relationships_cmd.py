"""`ronr relationships`: the relationship ledger, the people worth nurturing first."""

from __future__ import annotations

import click

from bot.cli.context import now, runtime
from bot.cli.socialid_cmd import require_account
from bot.cli.table import table
from bot.report.figures import ledger


@click.command("relationships")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 1000), help="How many people to list.")
@click.option("--account", default=None, help="Only conversations about this account.")
def relationships_cmd(top: int, account: str | None) -> None:
    """Per author: interactions, first and last contact, mood over time, recovered, advocacy, churn signals."""
    with runtime(existing=True) as rt:
        require_account(rt, account)
        entries = ledger(rt.store, account, top, now())
        if not entries:
            click.echo("No conversations recorded yet" + (f" for {account}" if account else "") +
                       ". Run `ronr poll` first.")
            return
        rows = [(r.shown_handle, r.platform, r.interactions, f"{r.first_contact:%Y-%m-%d}",
                 f"{r.last_contact:%Y-%m-%d}", r.spark, f"{r.trend:+.2f}", r.recovered,
                 f"{r.advocacy} ({r.recommendations} recommending)" if r.recommendations else r.advocacy, r.status,
                 ", ".join(r.churn_signals))
                for r in entries]
        click.echo(table(["author", "platform", "talks", "first", "last", "mood", "trend", "recovered", "advocacy",
                          "status", "churn signals"], rows))
