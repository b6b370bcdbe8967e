"""Every command of the `ronr` CLI is listed in the README."""

from __future__ import annotations

import click

from bot.cli import main
from tests.conftest import REPO


def _commands(group: click.Group, prefix: str) -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            sub = _commands(command, path)
            found += sub if command.invoke_without_command is False else [path, *sub]
        else:
            found.append(path)
    return found


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(main, "ronr") if f"`{c}" not in readme]
    assert missing == [], f"commands missing from README.md: {missing}"
