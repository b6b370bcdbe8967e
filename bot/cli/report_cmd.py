"""`ronr report`: the weekly Social ID email, printed, written as HTML, or sent."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from bot.cli.context import ConfigProblem, now, runtime
from bot.report.figures import WeekFigures, options_for, week_figures
from bot.report.render import render_html, render_text
from bot.report.send import ReportError
from bot.report.weekly import last_week, send_week
from bot.socialid import parse_week


@click.command("report")
@click.option("--week", default=None, help="ISO week like 2026-W47 (default: last complete week).")
@click.option("--account", default=None, help="Only this account (printing and --out only).")
@click.option("--send", "send", is_flag=True, help="Email it to [report.recipients]; each week goes out once.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the HTML email to this file instead.")
def report_cmd(week: str | None, account: str | None, send: bool, out: Path | None) -> None:
    """The weekly Social ID report: plain text on the terminal, HTML with --out, email with --send."""
    if send and out:
        raise click.UsageError("choose one of --send and --out")
    with runtime() as rt:
        moment = now()
        chosen = week or last_week(moment, rt.settings.timezone)
        try:
            parse_week(chosen)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from None
        try:
            options_for(rt.settings, rt.rules, moment)
        except ValueError as exc:
            raise ConfigProblem(f"{rt.settings.source}: {exc}") from None

        def figures(name: str, accounts: Sequence[str] | None) -> WeekFigures:
            return week_figures(rt.store, rt.settings, rt.rules, name, moment, accounts)

        if send:
            try:
                outcome = send_week(rt, chosen, moment)
            except ReportError as exc:
                raise ConfigProblem(str(exc)) from None
            for line in outcome.sent:
                click.echo(f"sent: {line}")
            for line in outcome.already:
                click.echo(f"already sent, not sent again: {line}")
            for line, error in outcome.failed:
                click.echo(f"failed, will retry on the next run: {line}: {error}", err=True)
            if outcome.failed:
                raise SystemExit(1)
            return
        result = figures(chosen, [account] if account else None)
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render_html(result), encoding="utf-8")
            click.echo(f"wrote {out} ({len(result.accounts)} accounts, week {chosen})")
        else:
            click.echo(render_text(result))
