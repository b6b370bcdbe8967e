"""`ronr contacts`: the do-not-contact list (block, unblock, list)."""

from __future__ import annotations

import click

from bot.cli.context import now, runtime, state
from bot.cli.table import table
from bot.config.loader import PLATFORMS
from bot.policy.guardrails import handle_key


def _target(handle: str, platform: str | None) -> tuple[str, str]:
    """(platform, stored handle) from ``@name`` (X), ``u/name`` (Reddit) or a name with --platform."""
    raw = handle.strip()
    if not raw.lstrip("@").removeprefix("u/"):
        raise click.ClickException("give a handle, e.g. `ronr contacts block @name` or `u/name`")
    guessed = "reddit" if raw.lower().startswith("u/") else "x" if raw.startswith("@") else None
    chosen = platform or guessed
    if chosen is None:
        raise click.ClickException(f"which platform is {raw!r} on? Write @{raw} (X), u/{raw} (Reddit) "
                                   "or pass --platform")
    if chosen not in PLATFORMS:
        raise click.ClickException(f"unknown platform {chosen!r}; use one of {', '.join(PLATFORMS)}")
    return chosen, handle_key(raw)


def _who(by: str) -> str:
    """The name recorded in the audit trail; a blank one is refused."""
    if not by.strip():
        raise click.ClickException("the do-not-contact list records who changed it: pass --as NAME")
    return by.strip()


def _shown(platform: str, handle: str) -> str:
    return f"u/{handle}" if platform == "reddit" else f"@{handle}"


@click.group("contacts")
def contacts_group() -> None:
    """The do-not-contact list: people RonR never suggests replies to (and never posts to)."""


@contacts_group.command("list")
def list_cmd() -> None:
    """Everyone on the list, from bot.toml and from `ronr contacts block`."""
    settings = state().settings()
    rows: list[tuple[object, ...]] = [
        (p, _shown(p, handle_key(h)), "bot.toml", "", "")
        for p, hs in sorted(settings.guardrails.do_not_contact.items()) for h in hs]
    with runtime() as rt:
        rows += [(c.platform, _shown(c.platform, c.handle), c.added_by,
                  c.added_at.date().isoformat() if c.added_at else "", c.reason) for c in rt.store.contacts.blocked()]
    if not rows:
        click.echo("Nobody is on the do-not-contact list. Add someone with `ronr contacts block @name --as NAME`.")
        return
    click.echo(table(["platform", "handle", "added by", "on", "reason"], rows))


@contacts_group.command("block")
@click.argument("handle")
@click.option("--platform", "-p", default=None, help="x or reddit (guessed from @name or u/name).")
@click.option("--reason", default="", help="Why (shown in the queue when a reply is blocked).")
@click.option("--as", "by", required=True, help="Your name, recorded in the audit trail.")
def block_cmd(handle: str, platform: str | None, reason: str, by: str) -> None:
    """Never suggest or post a reply to HANDLE."""
    where, name, by = *_target(handle, platform), _who(by)
    with runtime() as rt:
        added = rt.store.contacts.block(where, name, reason.strip(), by, now())
        if not added:
            click.echo(f"{_shown(where, name)} on {where} is already on the do-not-contact list.")
            return
        rt.store.audit.record(by, "block", "contact", None, {"platform": where, "handle": name, "reason": reason},
                              now())
    click.echo(f"Blocked {_shown(where, name)} on {where}: no replies will be suggested or posted to them.")


@contacts_group.command("unblock")
@click.argument("handle")
@click.option("--platform", "-p", default=None, help="x or reddit (guessed from @name or u/name).")
@click.option("--as", "by", required=True, help="Your name, recorded in the audit trail.")
def unblock_cmd(handle: str, platform: str | None, by: str) -> None:
    """Take HANDLE off the list (entries in bot.toml are removed by editing bot.toml)."""
    where, name, by = *_target(handle, platform), _who(by)
    in_config = name in {handle_key(h) for h in state().settings().guardrails.do_not_contact.get(where, [])}
    with runtime() as rt:
        removed = rt.store.contacts.unblock(where, name)
        if removed:
            rt.store.audit.record(by, "unblock", "contact", None, {"platform": where, "handle": name}, now())
    if in_config:
        raise click.ClickException(f"{_shown(where, name)} is listed in bot.toml under [guardrails.do_not_contact]; "
                                   "remove it there")
    if not removed:
        raise click.ClickException(f"{_shown(where, name)} on {where} is not on the do-not-contact list; "
                                   "see `ronr contacts list`")
    click.echo(f"Unblocked {_shown(where, name)} on {where}.")
