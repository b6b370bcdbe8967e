"""``ronr connectors status`` and ``check`` against the fake servers."""

from __future__ import annotations

import re
import socket
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.connectors import connectors_group
from bot.cli.context import CliState
from bot.config.settings import ConnectorsSettings, DatabaseSettings, RedditSettings, Settings, XSettings
from bot.pipeline import poll_once
from bot.runtime import build_runtime
from bot.store.schema import latest
from connectors.reddit import RedditConnector
from connectors.x import XConnector
from tests.connectors.conftest import BRAND, NOW
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


def block(out: str, name: str) -> dict[str, str]:
    """The ``  key: value`` lines under one connector's heading in ``ronr connectors status``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name} ("))
    found: dict[str, str] = {}
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        key, _, value = line.strip().partition(": ")
        found[key] = value
    return found


def test_status_after_polls_shows_each_item_per_connector(tmp_path: Path, fx: FakeX, fr: FakeReddit,
                                                          xc: XConnector, rc: RedditConnector) -> None:
    settings = make_settings(tmp_path, fx, fr)
    database = tmp_path / "elsewhere.db"  # --database wins over database.path
    rt = build_runtime(settings, database=database, connectors={"x": xc, "reddit": rc})
    try:
        fx.add_tweet("ann", "@nimbushome hello")
        fr.add_submission("bo", "Nimbus Home hub")
        reset = str(int(NOW.timestamp()) + 1800)
        fx.fail_next(1, 429, path_prefix=f"/2/users/{fx.user_id('nimbushome')}/mentions",
                     headers={"x-rate-limit-reset": reset})
        poll_once(rt, NOW)
    finally:
        rt.close()
    result = CliRunner().invoke(connectors_group, ["status"],
                                obj=CliState(Path("bot.toml"), database, _settings=settings))
    assert result.exit_code == 0, result.output
    x, reddit = block(result.output, "x"), block(result.output, "reddit")
    assert x["last poll"] == reddit["last poll"] == NOW.isoformat(timespec="seconds")
    assert x["next poll"] == (NOW + timedelta(minutes=30)).isoformat(timespec="seconds")  # the pause, not +15 min
    assert x["rate limit"].startswith("paused until") and "HTTP 429 (x-rate-limit-reset" in x["rate limit"]
    assert reddit["rate limit"] == "ok"
    assert reddit["next poll"] == (NOW + timedelta(minutes=10)).isoformat(timespec="seconds")
    assert re.fullmatch(r"1/10000 posts read this month, 9999 left; \d+ reads allowed now .*", x["budget"])
    assert re.fullmatch(r"3/100000 requests this month, 99997 left; \d+ requests allowed now .*",
                        reddit["budget"])
    assert "search: since " in x["cursor"] and "mentions:nimbushome: since -" in x["cursor"]
    assert "comments: since t1_" not in reddit["cursor"] and "submissions: since t3_" in reddit["cursor"]
    assert x["last error"] == reddit["last error"] == "-"  # a pause is not an error

    rt = build_runtime(settings, database=database, connectors={"x": xc, "reddit": rc})
    try:
        fr.fail_next(1, 403, path_prefix="/r/")
        poll_once(rt, NOW + timedelta(minutes=20))
    finally:
        rt.close()
    result = CliRunner().invoke(connectors_group, ["status"],
                                obj=CliState(Path("bot.toml"), database, _settings=settings))
    assert block(result.output, "reddit")["last error"].startswith("reddit: not allowed (Forbidden")
    assert block(result.output, "x")["rate limit"].startswith("paused until")


def test_status_of_a_database_from_a_newer_ronr_is_one_line_exit_2(tmp_path: Path, fx: FakeX, fr: FakeReddit) -> None:
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 999")
    result = CliRunner().invoke(connectors_group, ["status"],
                                obj=CliState(Path("bot.toml"), newer, _settings=make_settings(tmp_path, fx, fr)))
    assert result.exit_code == 2 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert result.output.strip().splitlines() == [
        f"Error: {newer}: schema version 999 is newer than this RonR ({latest()}); upgrade RonR"]
