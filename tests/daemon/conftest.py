"""A project wired to the fake X and Reddit servers, and a real `ronr run` subprocess over it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.conftest import REPO
from tests.fakes import fake_reddit, fake_x
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX

PLATFORM_CONFIG = """
timezone = "UTC"

[brand]
name = "Nimbus Home"
keywords = ["nimbus home", "nimbus hub", "nimbus"]
handles = ["@nimbushome", "u/NimbusHome"]

[accounts]
x = ["nimbushome"]
reddit = ["NimbusHome"]

[connectors.replay]
enabled = false

[connectors.x]
enabled = true
base_url = "{x_url}"
poll_minutes = {poll_minutes}
monthly_read_budget = 100000000
timeout_seconds = 5

[connectors.reddit]
enabled = true
base_url = "{r_url}"
auth_url = "{r_url}"
subreddits = ["smarthome"]
poll_minutes = {poll_minutes}
monthly_read_budget = 100000000
timeout_seconds = 5

[database]
path = "ronr.db"

[guardrails]
daily_caps = {{ x = 10000, reddit = 10000 }}   # the crash test posts more than a real day's default cap

[daemon]
dispatch_seconds = {dispatch_seconds}
heartbeat_seconds = 1
backup_dir = "backups"
web_port = {web_port}
log_level = "{log_level}"
"""

SECRETS = {
    "RONR_X_BEARER_TOKEN": fake_x.BEARER, "RONR_X_CONSUMER_KEY": fake_x.CONSUMER_KEY,
    "RONR_X_CONSUMER_SECRET": "x-consumer-secret-value", "RONR_X_ACCESS_TOKEN": fake_x.ACCESS_TOKEN,
    "RONR_X_ACCESS_TOKEN_SECRET": "x-access-token-secret-value",
    "RONR_REDDIT_CLIENT_ID": fake_reddit.CLIENT_ID, "RONR_REDDIT_CLIENT_SECRET": fake_reddit.CLIENT_SECRET,
    "RONR_REDDIT_USERNAME": "NimbusHome", "RONR_REDDIT_PASSWORD": fake_reddit.PASSWORD,
}


@pytest.fixture
def fx() -> Iterator[FakeX]:
    with FakeX() as fake:
        yield fake


@pytest.fixture
def fr() -> Iterator[FakeReddit]:
    with FakeReddit() as fake:
        yield fake


def write_project(root: Path, x_url: str, r_url: str, *, poll_minutes: float = 0.01, dispatch_seconds: float = 0.2,
                  web_port: int = 0, log_level: str = "INFO") -> Path:
    """bot.toml and the policies in ``root``; returns the config path."""
    if not (root / "policies").exists():
        shutil.copytree(REPO / "policies", root / "policies")
    path = root / "bot.toml"
    path.write_text(PLATFORM_CONFIG.format(x_url=x_url, r_url=r_url, poll_minutes=poll_minutes,
                                           dispatch_seconds=dispatch_seconds, web_port=web_port or 8000,
                                           log_level=log_level),
                    encoding="utf-8")
    return path


def wait_for(condition: Callable[[], object], timeout: float, what: str, every: float = 0.02) -> None:
    """Poll ``condition`` until it is true or fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class DaemonProcess:
    """`ronr run` as a child process with the fakes' credentials in its environment."""

    def __init__(self, config: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.args = args
        self.env = {**os.environ, **SECRETS, **(env or {})}
        self.env.pop("RONR_DATABASE", None)
        self.log = config.parent / "daemon.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> DaemonProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(self.config), "run",
                 *self.args], cwd=self.config.parent, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def wait_ready(self, store: Store, timeout: float = 15.0) -> None:
        """Until this process has registered itself in the database."""
        def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"ronr run exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            inst = store.daemon.instance()
            return inst is not None and inst.pid == self.pid
        wait_for(ready, timeout, "the daemon to start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, timeout: float = 10.0, signum: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(signum)
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
