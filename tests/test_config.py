"""Configuration: valid files load; every kind of mistake is one clear line with exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import ConfigError, load_settings
from tests.conftest import CONFIG, REPO


def test_repository_bot_toml_is_valid() -> None:
    settings = load_settings(REPO / "bot.toml")
    assert settings.connectors.replay.enabled
    assert not settings.connectors.x.enabled and not settings.connectors.reddit.enabled
    assert settings.database.path == "data/ronr.db"


@pytest.mark.parametrize(("change", "expected"), [
    (("[database]", "[database]\ncolour = 3"), ["bot.toml:", "database.colour: unknown key", "Fix: remove it"]),
    (('path = "ronr.db"', "path = 42"), ["database.path: expected a string", "got 42 (an integer)", "double quotes"]),
    (('name = "Nimbus Home"\n', ""), ["brand.name: missing required value", "add `name = ...` under [brand]"]),
    (('timezone = "UTC"', 'timezone = "Mars/Olympus"'), ["timezone: unknown timezone", "IANA"]),
    (('timezone = "UTC"', 'timezone = "UTC'), ["invalid TOML"]),
    (("[connectors.replay]\nenabled = true", '[connectors.replay]\nenabled = "yes"'),
     ["connectors.replay.enabled: expected a boolean", "true or false"]),
])
def test_mistakes_name_file_line_key_and_fix(tmp_path: Path, change: tuple[str, str], expected: list[str]) -> None:
    path = tmp_path / "bot.toml"
    assert change[0] in CONFIG
    path.write_text(CONFIG.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    message = str(err.value)
    assert "\n" not in message
    for part in expected:
        assert part in message


def test_error_points_at_the_right_line(tmp_path: Path) -> None:
    path = tmp_path / "bot.toml"
    text = CONFIG.replace('path = "ronr.db"', "path = 42")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("path = 42"))
    with pytest.raises(ConfigError, match=rf"bot.toml:{line}: database.path"):
        load_settings(path)


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not found.*--config"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize("command", [["config", "check"], ["poll"], ["queue"], ["socialid"], ["dispatch"]])
def test_every_command_exits_2_on_bad_config(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(CONFIG + "\nsurprise = 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), *command])
    assert result.exit_code == 2
    assert "surprise: unknown key" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_config_env_variable_is_used(tmp_path: Path, make_project: Callable[..., Path]) -> None:
    path = make_project()
    result = CliRunner().invoke(main, ["config", "check"], env={"RONR_CONFIG": str(path)})
    assert result.exit_code == 0, result.output
    assert str(path) in result.output


def test_config_check_masks_secrets(make_project: Callable[..., Path]) -> None:
    path = make_project()
    env = {"RONR_X_BEARER_TOKEN": "super-secret-token-value"}
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"], env=env)
    assert result.exit_code == 0, result.output
    assert "super-secret-token-value" not in result.output
    assert "connectors.x.bearer_token_env = 'RONR_X_BEARER_TOKEN'  # environment variable, set" in result.output
    assert "connectors.x.consumer_key_env = 'RONR_X_CONSUMER_KEY'  # environment variable, NOT SET" in result.output
    assert "brand.name = 'Nimbus Home'" in result.output


def test_bad_brand_lexicon_extension_exits_2_for_pipeline_commands(tmp_path: Path,
                                                                    make_project: Callable[..., Path]) -> None:
    path = make_project(config=CONFIG + '\n[triage.intents.complaint]\npatterns = ["(unclosed"]\n')
    result = CliRunner().invoke(main, ["--config", str(path), "poll"])
    assert result.exit_code == 2, result.output
    assert "(unclosed" in result.output and "Fix:" in result.output
    assert len(result.output.strip().splitlines()) == 1
