"""Configuration: valid files load; every kind of mistake is one clear line with exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.config.settings import BrandSettings, Settings
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


@pytest.mark.parametrize(("extra", "expected"), [
    ('[guardrails]\ndaily_caps = { x = "lots" }', ["bot.toml:{last}: guardrails.daily_caps.x: expected an integer"]),
    ("[guardrails]\ndaily_caps = { x = -1 }", ["bot.toml:{last}: guardrails.daily_caps.x: expected 0 or more, got -1"]),
    ("[guardrails]\nidentical_text_days = 0", ["guardrails.identical_text_days: expected more than 0 days, got 0",
                                               "such as 30"]),
    ('[guardrails]\ndo_not_contact = { twitter = ["troll"] }',
     ["guardrails.do_not_contact.twitter: unknown platform 'twitter'", 'use "x"']),
    ("[sla]\nP1 = -1", ["sla.P1: expected more than 0 hours, got -1", "such as 1"]),
    ("[loops]\ntimeout_hours = 0", ["loops.timeout_hours: expected more than 0 hours"]),
    ("[daemon]\nweb_port = 70000", ["daemon.web_port: expected a port number from 0 to 65535"]),
    ('[guardrails]\nquiet_start = "25:00"', ["expected one of '', '00:00', '01:00', ..., '23:00', got '25:00'"]),
    ('[socialid]\nbusiness_days = "weekdays"', ["socialid.business_days: expected a list of whole numbers",
                                                "square brackets, e.g. [1, 2]"]),
])
def test_wrong_values_are_refused_where_they_are(tmp_path: Path, extra: str, expected: list[str]) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(CONFIG + "\n" + extra + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    last = len((CONFIG + "\n" + extra).splitlines())  # the line of the setting (inline tables included)
    for part in expected:
        assert part.replace("{last}", str(last)) in str(err.value)
    assert "\n" not in str(err.value) and "Fix: " in str(err.value)


def test_accounts_on_an_unknown_platform_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(CONFIG.replace('reddit = ["NimbusHome"]', 'mastodon = ["nimbus"]'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bot.toml:\d+: accounts.mastodon: unknown platform 'mastodon'"):
        load_settings(path)


@pytest.mark.parametrize(("setting", "says"), [
    ('[daemon]\nreport_time = "8am"', "daemon.report_time = '8am': expected a time like"),
    ('[socialid]\nbusiness_hours = "nine to five"', "socialid.business_hours"),
    ('[policies]\npath = "nowhere"', "policies.path: folder"),
])
def test_config_check_makes_the_start_up_checks_of_other_commands(make_project: Callable[..., Path], setting: str,
                                                                   says: str) -> None:
    path = make_project(config=CONFIG + "\n" + setting + "\n")
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"])
    assert result.exit_code == 2 and says in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["poll"], ["queue"], ["dispatch"], ["run", "--no-web"]])
def test_a_missing_policies_folder_is_a_configuration_error(make_project: Callable[..., Path],
                                                            command: list[str]) -> None:
    path = make_project(config=CONFIG + '\n[policies]\npath = "nowhere"\n')
    result = CliRunner().invoke(main, ["--config", str(path), *command])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and "policies.path: folder" in result.output and "Fix:" in result.output
    assert not (path.parent / "ronr.db").exists()  # refused before anything was opened or polled


def test_a_secret_pasted_into_an_env_key_is_refused_and_never_echoed(tmp_path: Path) -> None:
    token = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJ"
    path = tmp_path / "bot.toml"
    path.write_text(CONFIG + f'\n[connectors.x]\nbearer_token_env = "{token}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"])
    assert result.exit_code == 2
    assert "connectors.x.bearer_token_env: expected the NAME of an environment variable" in result.output
    assert token not in result.output and "AAAAAAAA" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_accounts_are_labelled_as_people_write_them_on_their_platform() -> None:
    settings = Settings(brand=BrandSettings(name="Nimbus Home", keywords=["nimbus"]),
                        accounts={"x": ["nimbushome", "shared"], "reddit": ["NimbusHome", "shared"]})
    assert settings.account_label("nimbushome") == "@nimbushome"
    assert settings.account_label("NimbusHome") == "u/NimbusHome"
    assert settings.account_label("shared") == "shared (X and Reddit)"
    assert settings.account_label("gone") == "gone"


@pytest.mark.parametrize("command", [["queue"], ["queue", "show", "1"], ["socialid"], ["relationships"],
                                     ["report", "--week", "2026-W47"], ["status"]])
def test_a_mistyped_database_is_refused_not_created(make_project: Callable[..., Path], tmp_path: Path,
                                                    command: list[str]) -> None:
    missing = tmp_path / "typo" / "ronr.db"
    result = CliRunner().invoke(main, ["--config", str(make_project()), "--database", str(missing), *command])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: no RonR database at {missing}") and "Fix:" in result.output
    assert not missing.parent.exists()  # nothing created on the way
