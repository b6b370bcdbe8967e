"""Typed, validated settings loaded from ``bot.toml``.

``load_settings(path)`` returns :class:`Settings` or raises :class:`ConfigError`, whose message names
the file, the line, the key, what was expected and how to fix it.
"""

from bot.config.loader import ConfigError, load_settings
from bot.config.settings import (
    BrandSettings,
    ConnectorsSettings,
    RedditSettings,
    ReplaySettings,
    Settings,
    XSettings,
)

__all__ = [
    "BrandSettings",
    "ConfigError",
    "ConnectorsSettings",
    "RedditSettings",
    "ReplaySettings",
    "Settings",
    "XSettings",
    "load_settings",
]
