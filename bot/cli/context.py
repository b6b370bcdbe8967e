"""Shared plumbing for the commands: the settings, the runtime, the clock and one-line errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import click

from bot.clock import utcnow
from bot.config import ConfigError, Settings, load_settings
from bot.config.loader import check_policies_folder
from bot.runtime import Runtime, build_runtime
from bot.store import StoreError


class ConfigProblem(click.ClickException):
    """A configuration error: one line, exit code 2 (so a supervisor does not restart-loop)."""

    exit_code = 2


@dataclass
class CliState:
    """What the top-level group passes to every command."""

    config_path: Path
    database: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """Load and validate the configuration once; a problem exits with code 2."""
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                raise ConfigProblem(str(exc)) from None
        return self._settings


def state() -> CliState:
    """The current command's :class:`CliState`."""
    obj = click.get_current_context().find_object(CliState)
    if obj is None:  # only when a command is invoked outside the `ronr` group
        obj = CliState(Path(os.environ.get("RONR_CONFIG", "bot.toml")))
    return obj


def now() -> datetime:
    """The clock: read here, at the edge, and passed inward."""
    return utcnow()


@contextmanager
def runtime(database: Path | None = None, existing: bool = False) -> Iterator[Runtime]:
    """Open the application for one command, and close it afterwards. ``existing``: the command only reads
    or decides what is stored, so a database that is not there is a wrong path (exit 2), not one to create."""
    cli = state()
    settings = cli.settings()
    path = database or cli.database or settings.resolve(settings.database.path)
    try:
        check_policies_folder(settings)
        if existing and not path.exists():
            raise ConfigProblem(f"no RonR database at {path}: nothing has been stored there yet. Fix: check "
                                "--database, RONR_DATABASE or database.path, or run `ronr poll` first")
        rt = build_runtime(settings, path)
    except (StoreError, ConfigError) as exc:
        raise ConfigProblem(str(exc)) from None
    try:
        for problem in rt.rule_errors:
            click.echo(f"warning: rule left out: {problem}", err=True)
        for name, problem in rt.connector_errors.items():
            click.echo(f"warning: connector {name} left out: {problem}", err=True)
        yield rt
    finally:
        rt.close()
