"""`ronr socialid`: the Social ID per account for an ISO week."""

from __future__ import annotations

from collections.abc import Callable

import click

from bot.cli.context import ConfigProblem, now, runtime
from bot.cli.table import bar, table
from bot.report.figures import account_history, options_for
from bot.report.render import fmt_change, fmt_minutes
from bot.runtime import Runtime
from bot.socialid import SocialId, parse_week, week_of


def require_account(rt: Runtime, account: str | None) -> None:
    """A click.BadParameter naming the known accounts when ``account`` is neither in bot.toml nor in the data."""
    known = sorted({*rt.store.relationships.accounts(), *(a for names in rt.settings.accounts.values() for a in names)})
    if account is not None and account not in known:
        raise click.BadParameter(f"no account {account!r}; known accounts (case matters): {', '.join(known) or 'none'}",
                                 param_hint="--account")


def compute(rt: Runtime, week: str, account: str | None = None) -> list[SocialId]:
    """Social ID of every account (or one) for ``week``, with the change from the week before."""
    parse_week(week)
    try:
        options = options_for(rt.settings, rt.rules, now())
    except ValueError as exc:
        raise ConfigProblem(f"{rt.settings.source}: {exc}") from None
    accounts = [account] if account else rt.store.relationships.accounts()
    return [account_history(rt.store, a, week, rt.settings.timezone, options, weeks=1)[0][-1] for a in accounts]


def render(results: list[SocialId], label: Callable[[str], str] = str) -> str:
    """A table of Social IDs with a bar for the overall score; ``label`` names each account (e.g.
    :meth:`bot.config.Settings.account_label`)."""
    def fmt(v: float | None) -> str:
        return "—" if v is None else f"{v:.0f}"

    rows = [(label(r.account), r.week, fmt(r.overall), bar(r.overall, 10), fmt_change(r.change), fmt(r.responsiveness),
             fmt(r.relevance), fmt(r.demeanor), f"{r.replied}/{r.loops}", f"{r.sla_met}/{r.loops}",
             fmt_minutes(r.median_response_minutes), fmt_minutes(r.p90_response_minutes), r.recovered)
            for r in results]
    return table(["account", "week", "social id", "", "change", "respons.", "relev.", "demeanor", "replied", "in SLA",
                  "median", "p90", "recovered"], rows)


@click.command("socialid")
@click.option("--week", default=None, help="ISO week like 2026-W47 (default: the current week).")
@click.option("--account", default=None, help="Only this account.")
def socialid_cmd(week: str | None, account: str | None) -> None:
    """Print responsiveness, relevance, demeanor and the overall Social ID (0-100) per account."""
    with runtime(existing=True) as rt:
        chosen = week or week_of(now(), rt.settings.timezone)
        require_account(rt, account)
        try:
            results = compute(rt, chosen, account)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from None
        if not results:
            click.echo("No conversations recorded yet. Run `ronr poll` and approve some replies first.")
            return
        click.echo(render(results, rt.settings.account_label))
        click.echo("\nFormula: docs/social-id.md")
