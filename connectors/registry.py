"""Build the enabled connectors from settings; credentials come only from the environment.

``FACTORIES`` maps a connector name to a function ``Settings -> Connector | None`` (None when the
connector is disabled). Add a platform by adding a factory here.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from bot.config.settings import Settings, secret
from connectors.base import Connector, ConnectorError, CredentialError

Factory = Callable[[Settings], Connector | None]


def require(connector: str, table: str, names: dict[str, str]) -> dict[str, str]:
    """The values of the environment variables ``names`` maps keys to, or one :class:`CredentialError`
    line naming every one that is not set."""
    values = {key: secret(env) for key, env in names.items()}
    missing = [key for key, value in values.items() if value is None]
    if missing:
        plural = len(missing) > 1
        raise CredentialError(
            connector, f"environment variable{'s' if plural else ''} {', '.join(names[k] for k in missing)} "
            f"{'are' if plural else 'is'} not set (named by {', '.join(f'{table}.{k}' for k in missing)} in "
            "bot.toml); see docs/connectors.md", kind="missing")
    return {key: value for key, value in values.items() if value is not None}


def check_url(connector: str, table: str, key: str, value: str) -> None:
    """A one-line :class:`ConnectorError` unless ``value`` is an http(s) URL with a host."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConnectorError(connector, f"{table}.{key} = {value!r} is not an http(s) URL; write it like "
                             "\"https://api.example.com\" in bot.toml")


def check_budget(connector: str, table: str, budget: int, unit: str) -> None:
    """A one-line :class:`ConnectorError` for a monthly budget of 0, which would silently never poll."""
    if budget <= 0:
        raise ConnectorError(connector, f"{table}.monthly_read_budget = {budget} would never poll; set the {unit} "
                             "per month your plan allows (docs/connectors.md) or set enabled = false")


def build_x(settings: Settings) -> Connector | None:
    """The X connector, or None when ``[connectors.x] enabled = false``."""
    cfg = settings.connectors.x
    if not cfg.enabled:
        return None
    from connectors.x import XConnector, XCredentials

    table = "[connectors.x]"
    check_url("x", table, "base_url", cfg.base_url)
    check_budget("x", table, cfg.monthly_read_budget, "posts read")
    bearer = require("x", table, {"bearer_token_env": cfg.bearer_token_env})["bearer_token_env"]
    names = {"consumer_key": cfg.consumer_key_env, "consumer_secret": cfg.consumer_secret_env,
             "access_token": cfg.access_token_env, "access_token_secret": cfg.access_token_secret_env}
    values = {key: secret(env) for key, env in names.items()}
    missing = tuple(names[key] for key, value in values.items() if value is None)
    credentials = XCredentials(bearer_token=bearer, missing_user_keys=missing, **values)
    return XConnector(cfg, settings.brand, settings.accounts.get("x", []), credentials)


def build_reddit(settings: Settings) -> Connector | None:
    """The Reddit connector, or None when ``[connectors.reddit] enabled = false``."""
    cfg = settings.connectors.reddit
    if not cfg.enabled:
        return None
    from connectors.reddit import RedditConnector, RedditCredentials

    table = "[connectors.reddit]"
    check_url("reddit", table, "base_url", cfg.base_url)
    check_url("reddit", table, "auth_url", cfg.auth_url)
    check_budget("reddit", table, cfg.monthly_read_budget, "API requests")
    found = require("reddit", table, {"client_id_env": cfg.client_id_env, "client_secret_env": cfg.client_secret_env,
                                      "username_env": cfg.username_env, "password_env": cfg.password_env})
    credentials = RedditCredentials(client_id=found["client_id_env"], client_secret=found["client_secret_env"],
                                    username=found["username_env"], password=found["password_env"])
    return RedditConnector(cfg, settings.brand, settings.accounts.get("reddit", []), credentials)


# The lead adds "replay" here (and any future platform); order is the polling order.
FACTORIES: dict[str, Factory] = {
    "x": build_x,
    "reddit": build_reddit,
}


def build_connectors(settings: Settings, only: set[str] | None = None) -> dict[str, Connector]:
    """Every enabled connector (or only those named in ``only``), keyed by name.

    Raises :class:`CredentialError` (one line naming the environment variable) for the first
    enabled connector whose credentials are missing, or :class:`ConnectorError` for a base URL that is
    not one. Use :func:`build_each` to go on past it.
    """
    built: dict[str, Connector] = {}
    for name, factory in FACTORIES.items():
        if only is not None and name not in only:
            continue
        connector = factory(settings)
        if connector is not None:
            built[name] = connector
    return built


def build_each(settings: Settings) -> tuple[dict[str, Connector], dict[str, ConnectorError]]:
    """Like :func:`build_connectors`, but a connector with missing credentials or a bad URL does not stop
    the others."""
    built: dict[str, Connector] = {}
    failed: dict[str, ConnectorError] = {}
    for name, factory in FACTORIES.items():
        try:
            connector = factory(settings)
        except ConnectorError as exc:
            failed[name] = exc
            continue
        if connector is not None:
            built[name] = connector
    return built, failed
