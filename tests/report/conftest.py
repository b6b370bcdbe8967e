"""Report fixtures: the sample history replayed once into a database, copied per test; a real SMTP server."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.config import load_settings
from bot.demo import fresh_demo_runtime, simulate
from tests.conftest import NOW, REPO

WEEK = "2026-W46"  # a full week of the sample history before NOW (2026-11-20)


def config(port: int, security: str = "none", recipients: str = '"*" = ["Zoë Brand-Lead <lead@nimbus.example>"]',
           extra: str = "") -> str:
    """A bot.toml over the repository's sample data and rules, sending to 127.0.0.1:``port``."""
    return f"""
timezone = "UTC"

[brand]
name = "Nimbus Høme"
keywords = ["nimbus home", "nimbushome", "nimbus thermo", "nimbus hub", "nimbus sense", "nimbus plug", "nimbus"]
handles = ["@nimbushome", "@nimbussupport", "u/NimbusHome"]
excluded_phrases = ["nimbus 2000", "cumulonimbus", "nimbus cloud"]
products = ["Nimbus Thermo", "Nimbus Hub", "Nimbus Sense", "Nimbus Plug", "Nimbus app"]
support_link = "https://help.nimbushome.example"

[accounts]
x = ["nimbushome", "nimbussupport"]
reddit = ["NimbusHome"]

[connectors.replay]
enabled = true
path = "{(REPO / 'data' / 'sample').as_posix()}"
sink = "sink/posts.jsonl"

[policies]
path = "{(REPO / 'policies').as_posix()}"

[database]
path = "ronr.db"
{extra}
[report]
from_address = "Nimbus Høme RonR <ronr@nimbus.example>"
web_url = "https://ronr.nimbus.example"
[report.recipients]
{recipients}

[report.smtp]
host = "127.0.0.1"
port = {port}
security = "{security}"
username_env = "RONR_TEST_SMTP_USER_UNSET"
password_env = "RONR_TEST_SMTP_PASSWORD_UNSET"
timeout_seconds = 5
"""


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample history replayed through the real pipeline up to NOW (built once per test session)."""
    folder = tmp_path_factory.mktemp("sample")
    path = folder / "bot.toml"
    path.write_text(config(25), encoding="utf-8")
    settings = load_settings(path)
    rt = fresh_demo_runtime(settings, folder / "ronr.db", folder / "sink" / "posts.jsonl")
    try:
        simulate(rt, NOW)
    finally:
        rt.close()
    return folder / "ronr.db"


@pytest.fixture
def project(sample_db: Path, tmp_path: Path) -> Callable[..., Path]:
    """A project in tmp_path with a copy of the sample database; returns the path of its bot.toml."""
    shutil.copy(sample_db, tmp_path / "ronr.db")

    def make(port: int, **kwargs: Any) -> Path:
        path = tmp_path / "bot.toml"
        path.write_text(config(port, **kwargs), encoding="utf-8")
        return path
    return make


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it receives, or refuses it while ``refuse`` is set."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0)
        if self.refuse:
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and the port it listens on."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()
