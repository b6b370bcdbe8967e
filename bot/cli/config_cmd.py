"""`ronr config check`: validate bot.toml and print the effective settings, secrets masked."""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from bot.cli.context import ConfigProblem, state
from bot.config import ConfigError
from bot.config.loader import check_policies_folder
from bot.config.settings import secret
from bot.daemon.scheduler import parse_hhmm
from bot.report.figures import options_for


def _lines(prefix: str, value: Any) -> list[str]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = []
        for f in dataclasses.fields(value):
            if f.name != "source":
                out += _lines(f"{prefix}.{f.name}" if prefix else f.name, getattr(value, f.name))
        return out
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out += _lines(f"{prefix}.{k}", v)
        return out
    if prefix.endswith("_env"):
        status = "set" if secret(str(value)) else "NOT SET"
        return [f"{prefix} = {value!r}  # environment variable, {status}; value never shown"]
    return [f"{prefix} = {value!r}"]


@click.group("config")
def config_group() -> None:
    """Check the configuration."""


@config_group.command("check")
def check() -> None:
    """Validate bot.toml and print the effective settings (secrets masked)."""
    settings = state().settings()
    # The checks other commands make on start-up, so that "valid" here means `ronr run` starts too.
    try:
        check_policies_folder(settings)
        parse_hhmm(settings.daemon.report_time, "report_time")
        parse_hhmm(settings.daemon.maintenance_time, "maintenance_time")
        options_for(settings, [], None)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except ValueError as exc:
        raise ConfigProblem(f"{settings.source}: {exc}") from None
    click.echo(f"# {settings.source}: valid")
    for line in _lines("", settings):
        click.echo(line)
