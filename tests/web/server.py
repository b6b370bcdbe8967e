"""A real uvicorn server on 127.0.0.1 (a free port) in a thread, and a Chromium launcher for Playwright."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class ServerThread:
    """Serve an ASGI app with uvicorn until :meth:`stop`; ``url`` is where it listens."""

    def __init__(self, app: Starlette) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)
        self.url = ""

    def start(self) -> ServerThread:
        """Start and wait (at most 10 s) until the socket listens."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        """Ask the server to finish and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here (None when they can); under CI they must run."""
    if CHROMIUM.exists():
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "Python playwright is not installed (`make test` installs it through the test extra)"
        return None
    return "Debian's chromium is not installed at /usr/bin/chromium (`make test` installs it with apt-get)"


def launch(playwright: Any) -> Any:
    """Headless Debian Chromium, driven by Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def in_ci() -> bool:
    """Whether we run under CI (where skipping the browser tests is a failure)."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
