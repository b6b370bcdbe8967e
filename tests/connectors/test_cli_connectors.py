"""``ronr connectors status`` and ``check`` against the fake servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.connectors import connectors_group
from bot.cli.context import CliState
from bot.config.settings import ConnectorsSettings, DatabaseSettings, RedditSettings, Settings, XSettings
from tests.connectors.conftest import BRAND
from tests.fakes import fake_reddit, fake_x
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX


def run(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(connectors_group, list(args), obj=CliState(Path("bot.toml"), _settings=settings))
    return result.exit_code, result.output


def make_settings(tmp_path: Path, fx: FakeX, fr: FakeReddit) -> Settings:
    return Settings(brand=BRAND, accounts={"x": ["nimbushome"], "reddit": ["NimbusHome"]},
                    database=DatabaseSettings(path=str(tmp_path / "ronr.db")),
                    connectors=ConnectorsSettings(
                        x=XSettings(enabled=True, base_url=fx.url),
                        reddit=RedditSettings(enabled=True, base_url=fr.url, auth_url=fr.url)))


def test_check_passes_then_names_each_failure(tmp_path: Path, fx: FakeX, fr: FakeReddit,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"RONR_X_BEARER_TOKEN": fake_x.BEARER, "RONR_X_CONSUMER_KEY": fake_x.CONSUMER_KEY,
           "RONR_X_CONSUMER_SECRET": "s", "RONR_X_ACCESS_TOKEN": fake_x.ACCESS_TOKEN,
           "RONR_X_ACCESS_TOKEN_SECRET": "t", "RONR_REDDIT_CLIENT_ID": fake_reddit.CLIENT_ID,
           "RONR_REDDIT_CLIENT_SECRET": fake_reddit.CLIENT_SECRET, "RONR_REDDIT_USERNAME": "NimbusHome",
           "RONR_REDDIT_PASSWORD": fake_reddit.PASSWORD}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = make_settings(tmp_path, fx, fr)
    code, out = run(settings, "check")
    assert code == 0 and "acting as nimbushome" in out and "acting as NimbusHome" in out
    monkeypatch.setenv("RONR_REDDIT_PASSWORD", "wrong")
    monkeypatch.setenv("RONR_X_BEARER_TOKEN", "revoked")
    code, out = run(settings, "check")
    assert code == 1 and out.count("FAIL") == 2 and "rejected token" in out
    monkeypatch.delenv("RONR_X_BEARER_TOKEN")
    code, out = run(settings, "check")
    assert "RONR_X_BEARER_TOKEN is not set" in out


def test_status_shows_every_connector(tmp_path: Path, fx: FakeX, fr: FakeReddit) -> None:
    code, out = run(make_settings(tmp_path, fx, fr), "status")
    assert code == 0, out
    assert "x (enabled)" in out and "reddit (enabled)" in out and "never polled" in out
    assert "posts read this month" in out
