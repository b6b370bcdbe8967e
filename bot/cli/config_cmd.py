"""`ronr config check`: validate bot.toml and print the effective settings, secrets masked."""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from bot.cli.context import state
from bot.config.settings import secret


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
    click.echo(f"# {settings.source}: valid")
    for line in _lines("", settings):
        click.echo(line)
