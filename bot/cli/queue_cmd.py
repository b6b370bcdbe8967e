"""`ronr queue`: list, show, approve and reject suggested replies from the terminal."""

from __future__ import annotations

import click

from bot.cli.context import now, runtime
from bot.cli.table import table
from bot.policy.gate import verdicts
from bot.policy.guardrails import reply_length, shown_handle, stopped
from bot.queue import QueueError, approve, reject
from bot.runtime import Runtime
from bot.store import QueueItem


def _sla(item: QueueItem) -> str:
    if item.sla_due is None:
        return ""
    minutes = (item.sla_due - now()).total_seconds() / 60
    if minutes < 0:
        return f"BREACHED {(-minutes) / 60:.0f}h ago"
    return f"{minutes / 60:.1f}h left"


def _suggested(item: QueueItem) -> str:
    """The suggestion in a few words: the reply, or the escalation when there is no reply."""
    words = item.text or (f"(escalate to {item.escalate_to})" if item.escalate_to else f"({item.action})")
    return f"(follow-up) {words}" if item.kind == "follow_up" else words


def _rows(items: list[QueueItem]) -> list[tuple[object, ...]]:
    return [(i.id, i.priority, _sla(i), i.mention.platform, shown_handle(i.mention), ",".join(i.intents),
             f"{i.compound:+.2f}", i.mention.text, _suggested(i)) for i in items]


@click.group("queue", invoke_without_command=True)
@click.option("--limit", default=20, show_default=True, help="How many items to list.")
@click.pass_context
def queue_group(ctx: click.Context, limit: int) -> None:
    """List pending items, highest priority first (subcommands: show, approve, reject)."""
    if ctx.invoked_subcommand is not None:
        return
    with runtime(existing=True) as rt:
        items = rt.store.suggestions.pending(limit=limit)
        if not items:
            click.echo("The queue is empty. Run `ronr poll` to fetch new mentions.")
            return
        click.echo(table(["id", "pri", "sla", "platform", "author", "intents", "sent.", "mention", "suggestion"],
                         _rows(items), max_width=48))
        counts = rt.store.suggestions.counts()
        click.echo(f"\n{len(items)} of {counts.get('pending', 0)} pending. Next: `ronr queue show ID`.")
        if counts.get("blocked"):
            click.echo(f"{counts['blocked']} blocked by guardrails: `ronr queue blocked`.")


def _if_approved_now(rt: Runtime, item: QueueItem) -> str:
    """The guardrails as dispatch would check them if the item were approved now (quiet hours, caps, ...)."""
    at = now()
    found = stopped(verdicts(rt, item.mention_id, item.mention, item.text, item.rule_id, item.kind, at, "post"))
    if not found:
        return "Guardrails if approved now: all clear."
    return "Guardrails if approved now:\n" + "\n".join(
        f"  - waits until {v.until.isoformat(timespec='minutes')}: {v}" if v.until else f"  - would be blocked: {v}"
        for v in found)


@queue_group.command("show")
@click.argument("item_id", type=int)
def show(item_id: int) -> None:
    """Show one item: the mention, its triage and the suggestion."""
    with runtime(existing=True) as rt:
        item = rt.store.suggestions.get(item_id)
        if item is None:
            raise click.ClickException(f"no queue item {item_id}; run `ronr queue` to list pending items")
        m = item.mention
        kind = "  follow-up question" if item.kind == "follow_up" else ""
        click.echo(f"Item {item.id}  [{item.status}]{kind}  {item.priority}  {_sla(item)}  version {item.version}")
        click.echo(f"From {shown_handle(m)} ({m.author.name}, {m.author.followers} followers) on {m.platform}, "
                   f"{m.created_at.isoformat()}  {m.url}")
        click.echo(f"\n  {m.text}\n")
        click.echo(f"Sentiment {item.label} ({item.compound:+.3f}); intents {', '.join(item.intents) or 'none'}; "
                   f"relevance {item.relevance}")
        click.echo("Why:\n" + "\n".join(f"  - {r}" for r in item.reasons))
        click.echo(f"\nSuggested by rule {item.rule_id}: {', '.join(item.why)}")
        if item.text:
            length, limit = reply_length(m.platform, item.text)
            label = "Follow-up question to post" if item.kind == "follow_up" else "Reply"
            click.echo(f"{label} ({length} of {limit} characters as {m.platform} counts them):\n  {item.text}")
        if item.follow_up:
            click.echo(f"Follow-up question:\n  {item.follow_up}")
        if item.escalate_to:
            click.echo(f"Escalate to {item.escalate_to}: {item.note}")
        if item.blocked_by:
            click.echo("Blocked by guardrails:\n" + "\n".join(f"  - {reason}" for reason in item.blocked_by))
        if item.status == "pending" and item.text:
            click.echo(_if_approved_now(rt, item))
        if item.status == "pending":
            click.echo(f"\nNext: `ronr queue approve {item.id} --as NAME` or `ronr queue reject {item.id} "
                       "--reason TEXT --as NAME`.")


@queue_group.command("approve")
@click.argument("item_id", type=int)
@click.option("--text", default=None, help="Post these words instead of the suggestion (edit then approve).")
@click.option("--as", "by", required=True, help="Your name, recorded with the approval.")
def approve_cmd(item_id: int, text: str | None, by: str) -> None:
    """Approve an item; its reply is posted once by `ronr dispatch` or the daemon."""
    with runtime(existing=True) as rt:
        try:
            outcome = approve(rt.store, item_id, by, now(), text=text)
        except QueueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Approved item {item_id} as {by}; outbox {outcome.outbox_id} will be posted by "
                   "`ronr dispatch` (or the running daemon).")


@queue_group.command("reject")
@click.argument("item_id", type=int)
@click.option("--reason", required=True, help="Why: it helps improve the rules.")
@click.option("--as", "by", required=True, help="Your name, recorded with the decision.")
def reject_cmd(item_id: int, reason: str, by: str) -> None:
    """Reject an item with a reason; nothing is posted."""
    with runtime(existing=True) as rt:
        try:
            reject(rt.store, item_id, by, reason, now())
        except QueueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Rejected item {item_id} as {by}.")


@queue_group.command("blocked")
@click.option("--limit", default=20, show_default=True, help="How many of each to list.")
def blocked_cmd(limit: int) -> None:
    """Suggestions and approved posts a guardrail stopped, with the guardrail and the reason."""
    with runtime(existing=True) as rt:
        items = [i for i in (rt.store.suggestions.get(n) for n in rt.store.contacts.blocked_suggestions(limit)) if i]
        posts = rt.store.outbox.in_state("blocked", limit)
        if not items and not posts:
            click.echo("Nothing is blocked by guardrails.")
            return
        if items:
            click.echo(table(["id", "kind", "author", "rule", "blocked by"],
                             [(i.id, i.kind, shown_handle(i.mention), i.rule_id, "; ".join(i.blocked_by))
                              for i in items], max_width=90))
        if posts:
            click.echo(("\n" if items else "") + "Approved posts stopped before posting:")
            click.echo(table(["outbox", "item", "blocked by"], [(p.id, p.suggestion_id, p.last_error) for p in posts],
                             max_width=100))
