"""`ronr serve` (the web UI and API) and `ronr user` (web users and API tokens)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import click

from bot.cli.context import now, runtime
from bot.cli.table import table
from bot.runtime import Runtime
from bot.store.users import ROLES


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
    """Web users: add one, list them, make an API token."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="manager", show_default=True,
              help="viewer: looks only; manager: acts on the queue; admin: also manages users.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_add(name: str, role: str, password_stdin: bool) -> None:
    """Create a user who can sign in to the web UI."""
    from bot.web.security import hash_password
    from bot.web.users_page import MIN_PASSWORD

    if not name.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(name) > 100:
        raise click.ClickException(f"user name {name!r} is not allowed; use letters, digits, '-', '_' or '.'")
    password = _password(password_stdin)
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters; choose a longer one")
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
        user = rt.store.users.get(name)
        if user is None:
            raise click.ClickException(f"no user named {name!r}; add one with `ronr user add {name} --role manager`")
        token = new_token("ronr_")
        rt.store.users.add_token(user.id, token_hash(token), label, now())
    click.echo(token)


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
