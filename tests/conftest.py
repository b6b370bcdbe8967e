"""Shared fixtures: a small project on disk (bot.toml, rules, a replay data set) in tmp_path."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.runtime import Runtime, build_runtime

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

CONFIG = """
timezone = "UTC"

[brand]
name = "Nimbus Home"
keywords = ["nimbus home", "nimbus thermo", "nimbus"]
handles = ["@nimbushome"]
excluded_phrases = ["nimbus 2000", "cumulonimbus"]
products = ["Nimbus Thermo"]
support_link = "https://help.example"

[accounts]
x = ["nimbushome"]
reddit = ["NimbusHome"]

[connectors.replay]
enabled = true
path = "replay"
sink = "sink/posts.jsonl"

[database]
path = "ronr.db"
"""


def mention(pid: str, text: str, minutes: float, handle: str = "jess", platform: str = "x",
            addresses_us: bool = True, followers: int = 100) -> dict[str, Any]:
    """One replay record."""
    return {"platform": platform, "platform_id": pid, "minutes": minutes, "text": text, "lang": "en",
            "author": {"id": f"u-{handle}", "handle": handle, "name": handle.title(), "followers": followers},
            "thread_id": pid, "in_reply_to": None, "addresses_us": addresses_us,
            "account": "nimbushome" if platform == "x" else "NimbusHome", "url": f"https://x.example/{pid}"}


DEFAULT_MENTIONS = [
    mention("101", "@nimbushome my order never arrived and nobody answers my emails", -300, "jess"),
    mention("102", "@nimbushome does the Nimbus Hub work with HomeKit?", -200, "omar"),
    mention("103", "Honestly loving my Nimbus Thermo, thanks @nimbushome!", -100, "li"),
    mention("104", "FREE crypto airdrop DM for whitelist #a #b #c #d #e #f #g", -90, "bot1"),
    mention("105", "look at those cumulonimbus clouds over the bay", -80, "sky", addresses_us=False),
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows as JSON lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Create a project in tmp_path and return the path of its bot.toml."""
    def make(mentions: list[dict[str, Any]] | None = None, answers: list[dict[str, Any]] | None = None,
             config: str = CONFIG) -> Path:
        write_jsonl(tmp_path / "replay" / "mentions.jsonl", DEFAULT_MENTIONS if mentions is None else mentions)
        write_jsonl(tmp_path / "replay" / "answers.jsonl", answers or [])
        if not (tmp_path / "policies").exists():
            shutil.copytree(REPO / "policies", tmp_path / "policies")
        path = tmp_path / "bot.toml"
        path.write_text(config, encoding="utf-8")
        return path
    return make


@pytest.fixture
def settings(make_project: Callable[..., Path]) -> Settings:
    """Settings of a default small project."""
    return load_settings(make_project())


@pytest.fixture
def rt(settings: Settings) -> Iterator[Runtime]:
    """A runtime over the default small project."""
    runtime = build_runtime(settings)
    yield runtime
    runtime.close()
