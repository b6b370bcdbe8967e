"""``ronr connectors status`` and ``check`` against the fake servers."""

from __future__ import annotations

import socket
from dataclasses import replace
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


ENV = {"RONR_X_BEARER_TOKEN": fake_x.BEARER, "RONR_X_CONSUMER_KEY": fake_x.CONSUMER_KEY,
       "RONR_X_CONSUMER_SECRET": "s", "RONR_X_ACCESS_TOKEN": fake_x.ACCESS_TOKEN, "RONR_X_ACCESS_TOKEN_SECRET": "t",
       "RONR_REDDIT_CLIENT_ID": fake_reddit.CLIENT_ID, "RONR_REDDIT_CLIENT_SECRET": fake_reddit.CLIENT_SECRET,
       "RONR_REDDIT_USERNAME": "NimbusHome", "RONR_REDDIT_PASSWORD": fake_reddit.PASSWORD}


def check_lines_of(out: str) -> dict[str, str]:
    """``ronr connectors check`` output: one line per connector, keyed by the connector's name."""
    lines = [line for line in out.splitlines() if line.startswith(("x ", "reddit "))]
    found = {line.split()[0]: line for line in lines}
    assert len(found) == len(lines), f"more than one line for a connector:\n{out}"
    return found


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_check_passes(tmp_path: Path, fx: FakeX, fr: FakeReddit, credentials: pytest.MonkeyPatch) -> None:
    code, out = run(make_settings(tmp_path, fx, fr), "check")
    lines = check_lines_of(out)
    assert code == 0, out
    assert "ok" in lines["x"] and "acting as nimbushome" in lines["x"]
    assert "ok" in lines["reddit"] and "acting as NimbusHome" in lines["reddit"]


def test_check_names_missing_variables_each_connector_on_one_line(tmp_path: Path, fx: FakeX, fr: FakeReddit,
                                                                   credentials: pytest.MonkeyPatch) -> None:
    credentials.delenv("RONR_X_BEARER_TOKEN")
    credentials.delenv("RONR_REDDIT_USERNAME")
    credentials.delenv("RONR_REDDIT_PASSWORD")
    code, out = run(make_settings(tmp_path, fx, fr), "check")
    lines = check_lines_of(out)
    assert code == 1
    assert "FAIL  missing variable: environment variable RONR_X_BEARER_TOKEN is not set" in lines["x"]
    assert "[connectors.x].bearer_token_env" in lines["x"]
    assert "FAIL  missing variable: environment variables RONR_REDDIT_USERNAME, RONR_REDDIT_PASSWORD are not set" \
        in lines["reddit"]
    assert fx.calls() == [] and fr.calls() == []  # nothing is sent without the keys


def test_check_names_missing_posting_keys(tmp_path: Path, fx: FakeX, fr: FakeReddit,
                                          credentials: pytest.MonkeyPatch) -> None:
    credentials.delenv("RONR_X_ACCESS_TOKEN_SECRET")
    code, out = run(make_settings(tmp_path, fx, fr), "check")
    lines = check_lines_of(out)
    assert code == 1 and "FAIL  missing variable:" in lines["x"] and "RONR_X_ACCESS_TOKEN_SECRET" in lines["x"]
    assert "ok" in lines["reddit"]


def test_check_tells_a_rejected_token_from_wrong_scopes(tmp_path: Path, fx: FakeX, fr: FakeReddit,
                                                       credentials: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path, fx, fr)
    credentials.setenv("RONR_REDDIT_PASSWORD", "wrong")
    credentials.setenv("RONR_X_BEARER_TOKEN", "revoked")
    code, out = run(settings, "check")
    lines = check_lines_of(out)
    assert code == 1
    assert "FAIL  rejected token: token rejected (HTTP 401" in lines["x"]
    assert "FAIL  rejected token: token rejected (OAuthException" in lines["reddit"]
    credentials.setenv("RONR_REDDIT_PASSWORD", fake_reddit.PASSWORD)
    credentials.setenv("RONR_X_BEARER_TOKEN", fake_x.BEARER)
    fx.fail_next(1, 403, path_prefix="/2/users/me", body={
        "title": "Forbidden", "status": 403, "type": "about:blank",
        "detail": "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint."})
    fr.fail_next(1, 403, path_prefix="/api/v1/me", headers={"www-authenticate": 'Bearer error="insufficient_scope"'})
    code, out = run(settings, "check")
    lines = check_lines_of(out)
    assert code == 1
    assert "FAIL  wrong scopes or access level: not allowed (HTTP 403: Your client app" in lines["x"]
    assert "FAIL  wrong scopes or access level: not allowed (InsufficientScope" in lines["reddit"]


def test_check_names_an_unreachable_host(tmp_path: Path, fx: FakeX, fr: FakeReddit,
                                        credentials: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = make_settings(tmp_path, fx, fr)
    connectors = replace(settings.connectors, x=replace(settings.connectors.x, base_url=closed),
                         reddit=replace(settings.connectors.reddit, base_url=closed, auth_url=closed))
    code, out = run(replace(settings, connectors=connectors), "check")
    lines = check_lines_of(out)
    assert code == 1
    assert f"FAIL  unreachable host: cannot reach {closed} (connection refused); check [connectors.x].base_url" \
        in lines["x"]
    assert f"FAIL  unreachable host: cannot reach {closed} (connection refused)" in lines["reddit"]
    assert "some connector checks failed" in out


def test_status_shows_every_connector(tmp_path: Path, fx: FakeX, fr: FakeReddit) -> None:
    code, out = run(make_settings(tmp_path, fx, fr), "status")
    assert code == 0, out
    assert "x (enabled)" in out and "reddit (enabled)" in out and "never polled" in out
    assert "posts read this month" in out
