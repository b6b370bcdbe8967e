"""The shape of ``bot.toml``: one frozen dataclass per table.

Field names are the TOML keys. A field without a default is required. Secrets are never stored
here: fields ending in ``_env`` hold the *name* of an environment variable that holds the secret
(see :func:`secret`). Paths are resolved against the directory of the configuration file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.models import written_handle


def secret(env_name: str) -> str | None:
    """Return the value of the environment variable named ``env_name``, or None when unset/empty."""
    value = os.environ.get(env_name, "")
    return value or None


@dataclass(frozen=True)
class BrandSettings:
    """Who we listen for: the brand's words, our handles, and phrases that are not about us."""

    name: str
    keywords: list[str]
    handles: list[str] = field(default_factory=list)
    excluded_phrases: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    support_link: str = ""


@dataclass(frozen=True)
class ReplaySettings:
    """The replay connector: plays a recorded data set; posts go to a local sink file."""

    enabled: bool = True
    path: str = "data/sample"
    sink: str = "data/sink/replay-posts.jsonl"
    poll_minutes: float = 5.0


@dataclass(frozen=True)
class XSettings:
    """X (Twitter) API v2 through tweepy. Credentials come from the named environment variables.

    ``base_url`` replaces tweepy's fixed API host (gateways, tests). ``monthly_read_budget`` counts
    posts read per UTC month and is spent evenly across the month. ``language`` adds ``lang:xx`` to
    the search query. ``timeout_seconds`` bounds each HTTP request.
    """

    enabled: bool = False
    base_url: str = "https://api.x.com"
    bearer_token_env: str = "RONR_X_BEARER_TOKEN"
    consumer_key_env: str = "RONR_X_CONSUMER_KEY"
    consumer_secret_env: str = "RONR_X_CONSUMER_SECRET"
    access_token_env: str = "RONR_X_ACCESS_TOKEN"
    access_token_secret_env: str = "RONR_X_ACCESS_TOKEN_SECRET"
    poll_minutes: float = 15.0
    monthly_read_budget: int = 10_000
    language: str = ""
    timeout_seconds: float = 20.0


@dataclass(frozen=True)
class RedditSettings:
    """Reddit through praw (a "script" app). Credentials come from the named environment variables.

    ``base_url`` is praw's ``oauth_url`` and ``auth_url`` its ``reddit_url`` (token endpoint).
    ``subreddits`` are read for new comments and submissions matching the brand; username mentions
    of the script account are always read. ``monthly_read_budget`` counts API requests per UTC
    month. ``timeout_seconds`` bounds each HTTP request.
    """

    enabled: bool = False
    base_url: str = "https://oauth.reddit.com"
    auth_url: str = "https://www.reddit.com"
    client_id_env: str = "RONR_REDDIT_CLIENT_ID"
    client_secret_env: str = "RONR_REDDIT_CLIENT_SECRET"
    username_env: str = "RONR_REDDIT_USERNAME"
    password_env: str = "RONR_REDDIT_PASSWORD"
    user_agent: str = "ronr/0.1 (by u/your-account)"
    subreddits: list[str] = field(default_factory=list)
    poll_minutes: float = 10.0
    monthly_read_budget: int = 100_000
    timeout_seconds: float = 20.0


@dataclass(frozen=True)
class ConnectorsSettings:
    """One table per platform connector."""

    replay: ReplaySettings = field(default_factory=ReplaySettings)
    x: XSettings = field(default_factory=XSettings)
    reddit: RedditSettings = field(default_factory=RedditSettings)


@dataclass(frozen=True)
class PoliciesSettings:
    """Where the rule files live."""

    path: str = "policies"


@dataclass(frozen=True)
class DatabaseSettings:
    """The SQLite database file."""

    path: str = "data/ronr.db"


@dataclass(frozen=True)
class SlaSettings:
    """Response-time targets in hours per priority."""

    P1: float = 1.0
    P2: float = 4.0
    P3: float = 24.0
    P4: float = 72.0

    def hours(self, priority: str) -> float:
        """Return the target for ``priority`` ("P1".."P4")."""
        return float(getattr(self, priority))


@dataclass(frozen=True)
class LoopsSettings:
    """When a conversation loop closes without an answer."""

    timeout_hours: float = 72.0


@dataclass(frozen=True)
class SocialIdSettings:
    """How the Social ID is weighed (docs/social-id.md) and, optionally, the hours people are on duty.

    ``business_hours`` like "09:00-17:30" in ``timezone``, on ``business_days`` (1 = Monday .. 7 = Sunday),
    makes response times count only working time; empty means the clock never stops.
    """

    weights: dict[str, float] = field(default_factory=lambda: {"responsiveness": 0.4, "relevance": 0.3,
                                                               "demeanor": 0.3})
    business_hours: str = ""
    business_days: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5])


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server for the weekly report. ``security`` is "starttls", "tls" (implicit, port 465) or "none"."""

    host: str = "localhost"
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username_env: str = "RONR_SMTP_USERNAME"
    password_env: str = "RONR_SMTP_PASSWORD"
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class ReportSettings:
    """The weekly Social ID email: sender, recipients per account ("*" for every account), web UI links."""

    from_address: str = "RonR <ronr@localhost>"
    recipients: dict[str, list[str]] = field(default_factory=dict)
    web_url: str = "http://127.0.0.1:8000"
    smtp: SmtpSettings = field(default_factory=SmtpSettings)


@dataclass(frozen=True)
class DaemonSettings:
    """``ronr run``: how often it dispatches and checks loops, when it reports and maintains, how it logs.

    ``report_day``/``report_time`` and ``maintenance_time`` ("HH:MM") are in the top-level ``timezone``.
    Backups go to ``backup_dir``; the newest ``backup_keep`` are kept. ``web_host``/``web_port`` is
    where the web UI, ``/healthz`` and ``/metrics`` listen.
    """

    dispatch_seconds: float = 1.0
    loops_minutes: float = 5.0
    heartbeat_seconds: float = 15.0
    report_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    report_time: str = "08:00"
    maintenance_time: str = "03:30"
    backup_dir: str = "data/backups"
    backup_keep: int = 7
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    web_host: str = "127.0.0.1"
    web_port: int = 8000


ClockHour = Literal[
    "", "00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00", "08:00", "09:00", "10:00", "11:00",
    "12:00", "13:00", "14:00", "15:00", "16:00", "17:00", "18:00", "19:00", "20:00", "21:00", "22:00", "23:00",
]


def _default_caps() -> dict[str, int]:
    return {"x": 100, "reddit": 50}


@dataclass(frozen=True)
class GuardrailSettings:
    """Platform guardrails, checked when a suggestion is made and again right before posting.

    ``do_not_contact`` and ``brand_bots`` map a platform to handles (without @ or u/).
    ``daily_caps`` maps a platform to the most replies posted per local day (no entry: no cap).
    ``quiet_start``/``quiet_end`` hold posts between two whole hours in ``timezone`` ("" = none).
    ``x_keyword_replies`` allows replies on X to posts that found us by keyword search only, for
    rules that also opt in with ``allow_keyword_posts``. See docs/policies.md#guardrails.
    """

    do_not_contact: dict[str, list[str]] = field(default_factory=dict)
    brand_bots: dict[str, list[str]] = field(default_factory=dict)
    daily_caps: dict[str, int] = field(default_factory=_default_caps)
    quiet_start: ClockHour = ""
    quiet_end: ClockHour = ""
    identical_text_days: int = 30
    x_keyword_replies: bool = False


@dataclass(frozen=True)
class IntentExtension:
    """A brand's additions to one triage intent: phrases (whole words), regex patterns, phrases that never count."""

    phrases: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    unless: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TriageSettings:
    """Brand extensions of triage (docs/triage.md): intent lexicons, relevance context words, thresholds.

    ``context_words`` raise the relevance of a one-word keyword; ``ambiguous_keywords`` are keywords that are
    also common words ("apple", "bolt"): alone they are not enough, with context words they are; ``off_topic_below``
    is the relevance under which a mention is off-topic; ``spam_same_text_authors`` authors posting one
    text within ``spam_same_text_days`` days before a mention make it spam.
    """

    intents: dict[str, IntentExtension] = field(default_factory=dict)
    context_words: list[str] = field(default_factory=list)
    ambiguous_keywords: list[str] = field(default_factory=list)
    off_topic_below: float = 0.3
    spam_same_text_authors: int = 3
    spam_same_text_days: float = 7.0


@dataclass(frozen=True)
class Settings:
    """The whole configuration. ``source`` is the file it came from (set by the loader)."""

    brand: BrandSettings
    accounts: dict[str, list[str]]
    timezone: str = "UTC"
    connectors: ConnectorsSettings = field(default_factory=ConnectorsSettings)
    policies: PoliciesSettings = field(default_factory=PoliciesSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    sla: SlaSettings = field(default_factory=SlaSettings)
    loops: LoopsSettings = field(default_factory=LoopsSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    socialid: SocialIdSettings = field(default_factory=SocialIdSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    guardrails: GuardrailSettings = field(default_factory=GuardrailSettings)
    triage: TriageSettings = field(default_factory=TriageSettings)
    source: str = ""

    @property
    def root(self) -> Path:
        """The directory relative paths in the file are resolved against."""
        return Path(self.source).resolve().parent if self.source else Path.cwd()

    def resolve(self, relative: str) -> Path:
        """Resolve a path from the file against :attr:`root`."""
        path = Path(relative)
        return path if path.is_absolute() else self.root / path

    def account_label(self, account: str) -> str:
        """One of our accounts as people write it: "@name" on X, "u/name" on Reddit; a name configured on both
        platforms (their figures are shared) says so, and a name in the data but not in the file is shown as is."""
        platforms = [p for p in ("x", "reddit") if account in self.accounts.get(p, [])]
        if len(platforms) == 1:
            return written_handle(platforms[0], account)
        return f"{account} (X and Reddit)" if platforms else account

    def our_handles(self, platform: str) -> set[str]:
        """Lower-cased handles of our own accounts on ``platform``."""
        return {h.lower().lstrip("@") for h in self.accounts.get(platform, [])}
