"""`ronr report`: the weekly Social ID email, printed, written as HTML, or sent."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from bot.cli.context import ConfigProblem, now, runtime
from bot.cli.socialid_cmd import require_account
from bot.report.figures import WeekFigures, options_for, week_figures
from bot.report.render import render_html, render_text
from bot.report.send import ReportError
from bot.report.weekly import SendingElsewhere, last_week, release, send_week, uncertain_lines
from bot.runtime import Runtime
from bot.socialid import parse_week


@click.command("report")
@click.option("--week", default=None, help="ISO week like 2026-W47 (default: last complete week).")
@click.option("--account", default=None, help="Only this account (printing and --out only).")
@click.option("--send", "send", is_flag=True, help="Email it to [report.recipients]; each week goes out once.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the HTML email to this file instead.")
@click.option("--resend", metavar="ADDRESS", default=None,
              help="With --send: send the week's uncertain email to ADDRESS again (you checked it did not arrive).")
@click.option("--delivered", metavar="ADDRESS", default=None,
              help="Record the week's uncertain email to ADDRESS as delivered (you found it in their inbox).")
def report_cmd(week: str | None, account: str | None, send: bool, out: Path | None, resend: str | None,
               delivered: str | None) -> None:
    """The weekly Social ID report: plain text on the terminal, HTML with --out, email with --send.

    An email the mail server may or may not have accepted (the process or the connection stopped at
    the last moment) is never sent again by itself: it is listed as uncertain, to settle with
    --resend or --delivered after checking the inbox.
    """
    if sum(map(bool, (send, out, delivered))) > 1:
        raise click.UsageError("choose one of --send, --out and --delivered")
    if resend and not send:
        raise click.UsageError("--resend ADDRESS goes with --send (it sends the email again)")
    with runtime(existing=True) as rt:
        moment = now()
        chosen = week or last_week(moment, rt.settings.timezone)
        require_account(rt, account)
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

        if delivered or resend:
            try:
                who = release(rt.store, chosen, delivered or resend or "", "sent" if delivered else "failed", moment)
            except ReportError as exc:
                raise click.UsageError(str(exc)) from None
            if delivered:
                click.echo(f"recorded as delivered, not sent again: {chosen} {who}")
                return
        if send:
            try:
                outcome = send_week(rt, chosen, moment)
            except SendingElsewhere as exc:
                click.echo(f"not sent: {exc}", err=True)
                raise SystemExit(1) from None
            except ReportError as exc:
                raise ConfigProblem(str(exc)) from None
            for line in outcome.sent:
                click.echo(f"sent: {line}")
            for line in outcome.already:
                click.echo(f"already sent, not sent again: {line}")
            for line, error in outcome.failed:
                click.echo(f"failed, will retry on the next run: {line}: {error}", err=True)
            _warn_uncertain(rt)
            if outcome.failed or outcome.uncertain:
                raise SystemExit(1)
            return
        result = figures(chosen, [account] if account else None)
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render_html(result), encoding="utf-8")
            click.echo(f"wrote {out} ({len(result.accounts)} accounts, week {chosen})")
        else:
            click.echo(render_text(result))
        _warn_uncertain(rt)


def _warn_uncertain(rt: Runtime) -> None:
    for line in uncertain_lines(rt.store):
        click.echo(f"warning: {line}", err=True)
