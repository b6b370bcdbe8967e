"""The `ronr` command line: one module per verb group, errors as one line, exit 2 for bad config."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.config_cmd import config_group
from bot.cli.connectors import connectors_group
from bot.cli.contacts_cmd import contacts_group
from bot.cli.context import CliState
from bot.cli.demo_cmd import demo_cmd
from bot.cli.pipeline_cmd import dispatch_cmd, poll
from bot.cli.policies_cmd import policies_group
from bot.cli.queue_cmd import queue_group
from bot.cli.relationships_cmd import relationships_cmd
from bot.cli.report_cmd import report_cmd
from bot.cli.run_cmd import backup_cmd, run_cmd
from bot.cli.socialid_cmd import socialid_cmd
from bot.cli.status_cmd import status_cmd
from bot.cli.triage_cmd import triage_cmd
from bot.cli.web_cmd import serve_cmd, user_group


@click.group()
@click.option("--config", "config_path", type=click.Path(path_type=Path), envvar="RONR_CONFIG",
              default=Path("bot.toml"), show_default=True, help="The configuration file (env RONR_CONFIG).")
@click.option("--database", type=click.Path(path_type=Path), envvar="RONR_DATABASE", default=None,
              help="Use this SQLite database instead of database.path (env RONR_DATABASE).")
@click.version_option(package_name="ronr")
@click.pass_context
def main(ctx: click.Context, config_path: Path, database: Path | None) -> None:
    """RonR: listen to what people say about your brand, answer like a person, close the loop."""
    ctx.obj = CliState(config_path, database)


COMMANDS = (
    config_group,
    connectors_group,
    poll,
    dispatch_cmd,
    queue_group,
    socialid_cmd,
    report_cmd,
    relationships_cmd,
    demo_cmd,
    serve_cmd,
    user_group,
    run_cmd,
    backup_cmd,
    status_cmd,
    policies_group,
    contacts_group,
    triage_cmd,
)
for command in COMMANDS:
    main.add_command(command)

__all__ = ["main"]
