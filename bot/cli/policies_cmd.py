"""`ronr policies`: list the rules, check every rule file, and try a text against them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from bot.cli.context import now, runtime, state
from bot.cli.table import table
from bot.config import Settings
from bot.config.loader import PLATFORMS
from bot.models import Author, Mention
from bot.policy import load_rules
from bot.policy.check import example_problems, follow_up_problems, shadowed
from bot.policy.engine import History, matching_rules, suggest
from bot.policy.gate import offline_runtime, verdicts
from bot.policy.guardrails import handle_key
from bot.runtime import Runtime
from bot.triage import triage


def _handles(settings: Settings) -> list[str]:
    return [h for hs in settings.accounts.values() for h in hs] + settings.brand.handles


def check_all(settings: Settings) -> tuple[int, list[str]]:
    """(how many rules loaded, every problem in the rule set) for bot.toml's policies folder."""
    rules, errors = load_rules(settings.resolve(settings.policies.path))
    errors += shadowed(rules)
    ctx = offline_runtime(settings, rules).triage_context
    for rule in rules:
        errors += example_problems(rule, rules, ctx, _handles(settings))
    errors += follow_up_problems(rules, settings.loops.timeout_hours)
    return len(rules), errors


@click.group("policies", invoke_without_command=True)
@click.pass_context
def policies_group(ctx: click.Context) -> None:
    """List the rules in precedence order (subcommands: check, test)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = state().settings()
    rules, errors = load_rules(settings.resolve(settings.policies.path))
    rt = offline_runtime(settings, rules)
    order = sorted(rules, key=lambda r: (r.status != "active", -r.level, r.id))
    click.echo(table(["id", "status", "level", "action", "follow-up", "file"],
                     [(r.id, r.status, r.level, r.action + (f" + {r.escalate_to}" if r.escalate_to and r.variants else
                                                             f" {r.escalate_to}" if r.escalate_to else ""),
                       f"{r.follow_up_after_hours:g}h/{'+'.join(r.follow_up_when)}" if r.follow_up else "",
                       r.path) for r in order], max_width=50))
    for problem in errors:
        click.echo(f"warning: rule left out: {problem}", err=True)
    click.echo(f"\n{len(rt.rules)} rules. Next: `ronr policies check`, `ronr policies test \"TEXT\"`.")


@policies_group.command("check")
def check_cmd() -> None:
    """Validate every rule file and replay every example; report all problems at once."""
    settings = state().settings()
    count, errors = check_all(settings)
    for problem in errors:
        click.echo(problem)
    if errors:
        click.echo(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in "
                   f"{settings.resolve(settings.policies.path)}.", err=True)
        sys.exit(1)
    click.echo(f"{count} rules OK: fields, templates, precedence and examples all check out.")


@contextmanager
def _tester(settings: Settings) -> Iterator[Runtime]:
    """A runtime over the real database when there is one (do-not-contact, history), else settings only."""
    if (state().database or settings.resolve(settings.database.path)).exists():
        with runtime() as rt:
            yield rt
        return
    rules, errors = load_rules(settings.resolve(settings.policies.path))
    for problem in errors:
        click.echo(f"warning: rule left out: {problem}", err=True)
    yield offline_runtime(settings, rules)


@policies_group.command("test")
@click.argument("text")
@click.option("--platform", default="x", show_default=True, type=click.Choice(PLATFORMS), help="x or reddit.")
@click.option("--followers", default=250, show_default=True, type=click.IntRange(min=0),
              help="The author's followers.")
@click.option("--handle", default="sam_rivera", show_default=True, help="The author's handle.")
@click.option("--name", default="Sam Rivera", show_default=True, help="The author's display name.")
def test_cmd(text: str, platform: str, followers: int, handle: str, name: str) -> None:
    """Show the triage of TEXT, the rules that match it in precedence order, the suggestion and the guardrails."""
    if not text.strip():
        raise click.ClickException('give the text of a post, e.g. ronr policies test "@yourbrand my order never came"')
    settings = state().settings()
    at = now()
    lowered = text.lower()
    mention = Mention(platform=platform, platform_id="test", text=text, created_at=at, account="test",
                      author=Author(platform, handle_key(handle), handle_key(handle), name, followers),
                      thread_id="test", addresses_us=any(f"@{handle_key(h)}" in lowered or f"u/{handle_key(h)}"
                                                         in lowered for h in _handles(settings)))
    with _tester(settings) as rt:
        result = triage(mention, rt.triage_context, at)
        click.echo(f"Triage: {result.sentiment.label} ({result.sentiment.compound:+.2f}); intents "
                   f"{', '.join(result.intents) or 'none'}; relevance {result.relevance}; language {result.language}; "
                   f"priority {result.priority}; {'' if mention.addresses_us else 'not '}addressed to us")
        for reason in result.reasons:
            click.echo(f"  - {reason}")
        history = History()
        hits = matching_rules(mention, result, rt.rules, history, at)
        click.echo("\nMatching rules, winner first:" if hits else "\nNo rule matches: nothing would be suggested.")
        for rank, (rule, why) in enumerate(hits, start=1):
            click.echo(f"  {rank}. {rule.id} (level {rule.level}, {rule.action}): {', '.join(why) or 'no conditions'}")
        proposal = suggest(mention, result, rt.rules, history, rt.brand, at)
        if proposal is None or proposal.action == "ignore":
            return
        click.echo(f"\nSuggestion ({proposal.action}, rule {proposal.rule_id}):")
        if proposal.text:
            click.echo(f"  {proposal.text}")
        rule = next(r for r in rt.rules if r.id == proposal.rule_id)
        if proposal.follow_up:
            click.echo(f"  Follow-up ({' or '.join(f'on {w}' for w in rule.follow_up_when)}, silence = "
                       f"{proposal.follow_up_after_hours:g}h): {proposal.follow_up}")
        if proposal.escalate_to:
            click.echo(f"  Escalate to {proposal.escalate_to}: {proposal.note}")
        if not proposal.text:
            return
        click.echo("\nGuardrails (as if posting now):")
        for v in verdicts(rt, None, mention, proposal.text, proposal.rule_id, "reply", at,
                          "post"):
            click.echo(f"  {'ok  ' if v.ok else 'HOLD' if v.until else 'STOP'} {v}")
