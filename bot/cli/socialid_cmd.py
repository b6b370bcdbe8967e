"""`ronr socialid`: the Social ID per account for an ISO week."""

from __future__ import annotations

import click

from bot.cli.context import now, runtime
from bot.cli.table import bar, table
from bot.runtime import Runtime
from bot.socialid import SocialId, social_id, week_bounds, week_of


def compute(rt: Runtime, week: str, account: str | None = None) -> list[SocialId]:
    """Social ID of every account (or one) for ``week``."""
    start, end = week_bounds(week, rt.settings.timezone)
    accounts = [account] if account else rt.store.loops.accounts()
    return [social_id(a, week, rt.store.loops.facts_between(start, end, a)) for a in accounts]


def render(results: list[SocialId]) -> str:
    """A table of Social IDs with a bar for the overall score."""
    def fmt(v: float | None) -> str:
        return "—" if v is None else f"{v:.0f}"

    rows = [(r.account, r.week, fmt(r.overall), bar(r.overall, 10), fmt(r.responsiveness), fmt(r.relevance),
             fmt(r.demeanor), f"{r.replied}/{r.loops}", fmt(r.median_response_minutes)) for r in results]
    return table(["account", "week", "social id", "", "respons.", "relev.", "demeanor", "replied", "median min"],
                 rows)


@click.command("socialid")
@click.option("--week", default=None, help="ISO week like 2026-W47 (default: the current week).")
@click.option("--account", default=None, help="Only this account.")
def socialid_cmd(week: str | None, account: str | None) -> None:
    """Print responsiveness, relevance, demeanor and the overall Social ID (0-100) per account."""
    with runtime() as rt:
        chosen = week or week_of(now(), rt.settings.timezone)
        try:
            results = compute(rt, chosen, account)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from None
        if not results:
            click.echo("No conversations recorded yet. Run `ronr poll` and approve some replies first.")
            return
        click.echo(render(results))
        click.echo("\nFormula: docs/social-id.md")
