"""`ronr run`: the daemon, in the foreground (systemd runs it; see deploy/ronr.service); `ronr backup`: a
copy of its database taken while it runs.

Exit codes: 0 after a graceful stop (SIGTERM or SIGINT: the post in flight is finished, state is
kept, and the process is gone within 10 seconds); 1 when another `ronr run` holds the database or
the web UI cannot listen; 2 for a configuration error (a supervisor should not restart it).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import FrameType
from typing import Any

import click

from bot.cli.context import ConfigProblem, now, state
from bot.clock import utcnow
from bot.config import ConfigError, Settings
from bot.config.loader import check_policies_folder
from bot.daemon import AlreadyRunning, Daemon, InstanceLock
from bot.daemon.scheduler import parse_hhmm
from bot.logs import secret_values, setup_logging
from bot.store import Store, StoreError

log = logging.getLogger("bot.run")

JOBS_GRACE = 7.0
WEB_GRACE = 2.0
WEB_START_TIMEOUT = 15.0


def _version() -> str:
    try:
        return version("ronr")
    except PackageNotFoundError:
        return "unknown"


def _check(settings: Settings) -> None:
    try:
        parse_hhmm(settings.daemon.report_time, "report_time")
        parse_hhmm(settings.daemon.maintenance_time, "maintenance_time")
    except ValueError as exc:
        raise ConfigProblem(f"{settings.source}: {exc}") from None
    try:
        check_policies_folder(settings)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    if settings.daemon.dispatch_seconds <= 0 or settings.daemon.heartbeat_seconds <= 0:
        raise ConfigProblem(f"{settings.source}: daemon.dispatch_seconds and daemon.heartbeat_seconds must be "
                            "greater than 0; fix bot.toml")


class _Web:
    """uvicorn serving the web app in a thread of this process (no signal handlers of its own)."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self.url = f"http://{host}:{port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + WEB_START_TIMEOUT
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not self.server.started:
            raise click.ClickException(f"the web UI could not listen on {self.url} (see the log above); "
                                       "change daemon.web_port or run with --no-web")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(WEB_GRACE)


@click.command("run")
@click.option("--no-web", is_flag=True, help="Do not serve the web UI, /healthz and /metrics.")
def run_cmd(no_web: bool) -> None:
    """Run RonR: poll, dispatch approved replies, follow up, report and maintain, on schedule; serve the web UI."""
    cli = state()
    settings = cli.settings()
    _check(settings)
    setup_logging(settings.daemon.log_format, settings.daemon.log_level, secret_values(settings))
    database = cli.database or settings.resolve(settings.database.path)
    lock = InstanceLock(database)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None
    try:
        finished = _serve(settings, database, no_web)
    finally:
        lock.release()
    logging.shutdown()
    if not finished:
        os._exit(0)  # a poll still waits on the network; everything it could lose is in a rolled-back transaction


def _serve(settings: Settings, database: Path, no_web: bool) -> bool:
    try:
        daemon = Daemon(settings, database, utcnow)
        main_store = daemon.runtime("main").store
    except StoreError as exc:
        raise ConfigProblem(str(exc)) from None
    if daemon.connector_errors:
        raise ConfigProblem("; ".join(daemon.connector_errors.values()))
    for problem in daemon.rule_errors:
        log.warning("rule left out: %s", problem)
    if not daemon.connector_names:
        log.warning("no connector is enabled: nothing will be polled (enable one under [connectors] in bot.toml)")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s: finishing the work in flight", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    web: _Web | None = None
    if not no_web:
        from bot.web.app import create_app

        web = _Web(create_app(daemon.runtime("web"), utcnow), settings.daemon.web_host, settings.daemon.web_port)
        web.start()
    main_store.daemon.started(os.getpid(), socket.gethostname(), _version(), utcnow(), web.url if web else "")
    daemon.start()
    log.info("ronr run started (pid %d, database %s, connectors: %s%s)", os.getpid(), database,
             ", ".join(daemon.connector_names) or "none", f", web UI {web.url}" if web else "")
    code = 0
    while not stop.wait(0.5):
        if web is not None and not web.thread.is_alive():
            log.error("the web server stopped unexpectedly; stopping")
            code = 1
            break
    finished = daemon.stop(JOBS_GRACE)
    if web is not None:
        web.stop()
    main_store.daemon.stopped(os.getpid(), utcnow())
    if finished:
        daemon.close()
    log.info("ronr run stopped")
    if code:
        sys.exit(code)
    return finished


@click.command("backup")
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
def backup_cmd(target: Path) -> None:
    """Copy the database to TARGET online (safe while `ronr run` works); restoring it never posts a reply twice."""
    cli = state()
    settings = cli.settings()
    database = cli.database or settings.resolve(settings.database.path)
    if not database.exists():
        raise click.ClickException(f"no database at {database}; check database.path in {settings.source}")
    if target.exists():
        raise click.ClickException(f"{target} already exists; a backup never overwrites a file, choose a new name")
    try:
        store = Store(database)
    except StoreError as exc:
        raise ConfigProblem(str(exc)) from None
    try:
        unsure = store.daemon.backup(target, now())
    finally:
        store.close()
    click.echo(f"Backed up {database} to {target} ({target.stat().st_size // 1024} KiB)." + (
        f" {unsure} approved repl{'y' if unsure == 1 else 'ies'} not yet posted will be checked on the platform "
        "before any retry if this copy is restored." if unsure else ""))
