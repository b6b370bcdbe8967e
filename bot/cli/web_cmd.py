"""`ronr serve` (the web UI and API) and `ronr user` (web users and API tokens)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import click

from bot.cli.context import now, runtime
from bot.cli.table import table
from bot.runtime import Runtime
from bot.store.users import ROLES, User


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or a one-line ClickException saying why it cannot be."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}; check --host") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason.lower()}; choose another --port or "
                                   "--host, or stop what is using it") from None
    sock.set_inheritable(True)
    return sock


def serve_app(database: Path | None, host: str, port: int, banner: str = "") -> None:
    """Serve the web UI on an open runtime until interrupted (Ctrl+C)."""
    import uvicorn

    from bot.web import create_app

    with runtime(database) as rt, listening_socket(host, port) as sock:
        app = create_app(rt, now)
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"RonR web UI on http://{shown}:{sock.getsockname()[1]}/  (database {rt.store.path}; "
                   "Ctrl+C stops it)")
        if banner:
            click.echo(banner)
        uvicorn.run(app, fd=sock.fileno(), log_level="warning", proxy_headers=True, server_header=False)


DEMO_USER, DEMO_PASSWORD = "demo", "ronr-demo-password"


def demo_login(rt: Runtime) -> tuple[str, str]:
    """Create (once) the demo database's admin login, and return its name and password."""
    from bot.web.security import hash_password

    if rt.store.users.get(DEMO_USER) is None:
        rt.store.users.add(DEMO_USER, "admin", hash_password(DEMO_PASSWORD), now())
    return DEMO_USER, DEMO_PASSWORD


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
def serve_cmd(host: str, port: int) -> None:
    """Serve the approval queue web UI and the JSON API (docs/web.md)."""
    serve_app(None, host, port)


@click.group("user")
def user_group() -> None:
    """Web users: add, list, reset a password, make or revoke API tokens."""


def _password(from_stdin: bool) -> str:
    """A new password from stdin or a prompt (asked twice), long enough, or a one-line refusal."""
    from bot.web.users_page import MIN_PASSWORD

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters; choose a longer one")
    return password


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="manager", show_default=True,
              help="viewer: looks only; manager: acts on the queue; admin: also manages users.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_add(name: str, role: str, password_stdin: bool) -> None:
    """Create a user who can sign in to the web UI."""
    from bot.web.security import hash_password

    if not name.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(name) > 100:
        raise click.ClickException(f"user name {name!r} is not allowed; use letters, digits, '-', '_' or '.'")
    password = _password(password_stdin)
    with runtime() as rt:
        try:
            rt.store.users.add(name, role, hash_password(password), now())
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        rt.store.audit.record("cli", "user_add", "user", None, {"name": name, "role": role}, now())
    click.echo(f"Added {name} as {role}. Sign in at `ronr serve`.")


@user_group.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for (shown nowhere but the database).")
def user_token(name: str, label: str) -> None:
    """Print a new API token for NAME (shown once; send it as `Authorization: Bearer TOKEN`)."""
    from bot.web.security import new_token, token_hash

    with runtime() as rt:
        user = _existing(rt, name)
        token = new_token("ronr_")
        rt.store.users.add_token(user.id, token_hash(token), label, now())
    click.echo(token)


@user_group.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_password(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (a forgotten one); NAME's open sessions end."""
    from bot.web.security import hash_password

    with runtime() as rt:
        _existing(rt, name)
        rt.store.users.update(name, now(), password_hash=hash_password(_password(password_stdin)))
        rt.store.audit.record("cli", "user_password", "user", None, {"name": name}, now())
    click.echo(f"New password set for {name}; their open sessions have ended.")


@user_group.command("revoke")
@click.argument("name")
def user_revoke(name: str) -> None:
    """Revoke every API token of NAME (make a new one with `ronr user token NAME`)."""
    with runtime() as rt:
        user = _existing(rt, name)
        count = rt.store.users.revoke_tokens(user.id)
        rt.store.audit.record("cli", "user_revoke", "user", None, {"name": name, "tokens": count}, now())
    click.echo(f"Revoked {count} API token{'' if count == 1 else 's'} of {name}.")


def _existing(rt: Runtime, name: str) -> User:
    user = rt.store.users.get(name)
    if user is None:
        raise click.ClickException(f"no user named {name!r}; add one with `ronr user add {name} --role manager`")
    return user


@user_group.command("list")
def user_list() -> None:
    """List web users and their roles."""
    with runtime() as rt:
        people = rt.store.users.all()
    if not people:
        click.echo("No users yet. Add one with `ronr user add NAME --role admin`.")
        return
    click.echo(table(["name", "role", "state", "since"],
                     [(u.name, u.role, "disabled" if u.disabled else "active", u.created_at.date().isoformat())
                      for u in people]))
