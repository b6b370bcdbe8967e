"""Building connectors from settings; credentials only from the environment."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config.settings import BrandSettings, ConnectorsSettings, RedditSettings, Settings, XSettings
from connectors.base import CredentialError
from connectors.reddit import RedditConnector
from connectors.registry import FACTORIES, build_connectors, build_each
from connectors.x import XConnector

BRAND = BrandSettings(name="N", keywords=["nimbus"])
X_VARS = {"RONR_X_BEARER_TOKEN": "b", "RONR_X_CONSUMER_KEY": "c", "RONR_X_CONSUMER_SECRET": "s",
          "RONR_X_ACCESS_TOKEN": "a", "RONR_X_ACCESS_TOKEN_SECRET": "t"}


def settings(x: bool, reddit: bool) -> Settings:
    return Settings(brand=BRAND, accounts={"x": ["nimbushome"], "reddit": ["NimbusHome"]},
                    connectors=ConnectorsSettings(x=XSettings(enabled=x), reddit=RedditSettings(enabled=reddit)))


def test_factories_are_keyed_by_name() -> None:
    assert {"x", "reddit"} <= set(FACTORIES)


def test_disabled_connectors_are_not_built() -> None:
    assert build_connectors(settings(False, False)) == {}


def test_missing_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in X_VARS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CredentialError, match="RONR_X_BEARER_TOKEN is not set") as err:
        build_connectors(settings(True, False))
    assert "\n" not in str(err.value)


def test_one_connector_missing_credentials_does_not_stop_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in X_VARS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("RONR_REDDIT_CLIENT_ID", raising=False)
    built, failed = build_each(settings(True, True))
    assert isinstance(built["x"], XConnector) and "RONR_REDDIT_CLIENT_ID" in str(failed["reddit"])


def test_reddit_builds_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLIENT_ID", "CLIENT_SECRET", "USERNAME", "PASSWORD"):
        monkeypatch.setenv(f"RONR_REDDIT_{name}", "v")
    assert isinstance(build_connectors(settings(False, True))["reddit"], RedditConnector)


@pytest.mark.parametrize("url", ["api.x.com", "ftp://api.x.com", "https://", ""])
def test_a_base_url_that_is_not_one_is_a_one_line_error_for_that_connector(monkeypatch: pytest.MonkeyPatch,
                                                                           url: str) -> None:
    for name, value in X_VARS.items():
        monkeypatch.setenv(name, value)
    for name in ("CLIENT_ID", "CLIENT_SECRET", "USERNAME", "PASSWORD"):
        monkeypatch.setenv(f"RONR_REDDIT_{name}", "v")
    base = settings(True, True)
    bad = replace(base, connectors=replace(base.connectors, x=replace(base.connectors.x, base_url=url)))
    built, failed = build_each(bad)
    assert str(failed["x"]) == (f"x: [connectors.x].base_url = {url!r} is not an http(s) URL; write it like "
                                '"https://api.example.com" in bot.toml')
    assert isinstance(built["reddit"], RedditConnector) and "x" not in built


def test_a_zero_budget_is_refused_instead_of_never_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in X_VARS.items():
        monkeypatch.setenv(name, value)
    base = settings(True, False)
    zero = replace(base, connectors=replace(base.connectors, x=replace(base.connectors.x, monthly_read_budget=0)))
    built, failed = build_each(zero)
    assert built == {} and str(failed["x"]).startswith("x: [connectors.x].monthly_read_budget = 0 would never poll")
