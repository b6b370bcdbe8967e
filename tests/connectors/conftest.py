"""Fixtures: fake X and Reddit servers on 127.0.0.1 and connectors pointed at them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.config.settings import BrandSettings, RedditSettings, XSettings
from connectors.reddit import RedditConnector, RedditCredentials
from connectors.x import XConnector, XCredentials
from tests.fakes import fake_reddit, fake_x
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX

NOW = datetime.now(UTC).replace(microsecond=0)  # the fakes' rate-limit resets use the wall clock
MID_MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
BRAND = BrandSettings(name="Nimbus Home", keywords=["nimbus home", "nimbus"],
                      handles=["@nimbushome", "@nimbussupport", "u/NimbusHome"],
                      excluded_phrases=["nimbus 2000", "cumulonimbus"])


@pytest.fixture
def fx() -> Iterator[FakeX]:
    with FakeX() as fake:
        fake.add_user("nimbussupport")
        yield fake


@pytest.fixture
def x_settings(fx: FakeX) -> XSettings:
    return XSettings(enabled=True, base_url=fx.url, monthly_read_budget=10_000_000, timeout_seconds=2.0)


def make_x(settings: XSettings, user_keys: bool = True) -> XConnector:
    creds = XCredentials(fake_x.BEARER, fake_x.CONSUMER_KEY, "secret", fake_x.ACCESS_TOKEN, "token-secret") \
        if user_keys else XCredentials(fake_x.BEARER, missing_user_keys=("RONR_X_CONSUMER_KEY",))
    return XConnector(settings, BRAND, ["nimbushome", "nimbussupport"], creds, rng=random.Random(1))


@pytest.fixture
def xc(x_settings: XSettings) -> XConnector:
    return make_x(x_settings)


@pytest.fixture
def fr() -> Iterator[FakeReddit]:
    with FakeReddit() as fake:
        yield fake


@pytest.fixture
def r_settings(fr: FakeReddit) -> RedditSettings:
    return RedditSettings(enabled=True, base_url=fr.url, auth_url=fr.url, subreddits=["smarthome", "homeautomation"],
                          monthly_read_budget=10_000_000, timeout_seconds=2.0)


def make_reddit(settings: RedditSettings, password: str = fake_reddit.PASSWORD) -> RedditConnector:
    creds = RedditCredentials(fake_reddit.CLIENT_ID, fake_reddit.CLIENT_SECRET, "NimbusHome", password)
    return RedditConnector(settings, BRAND, ["NimbusHome"], creds, rng=random.Random(1))


@pytest.fixture
def rc(r_settings: RedditSettings) -> RedditConnector:
    return make_reddit(r_settings)


__all__ = ["BRAND", "MID_MARCH", "NOW", "make_reddit", "make_x", "replace"]
