"""Take the README's screenshot of the queue: `python -m tests.web.screenshot data/demo.db docs/img/queue.png`.

Run `ronr --database data/demo.db demo --no-serve` first; the demo login is created if missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from bot.clock import utcnow
from bot.config import load_settings
from bot.runtime import build_runtime
from bot.web import create_app
from tests.web.server import ServerThread, launch


def main(database: str, out: str, item: bool = False) -> None:
    """Serve ``database``, sign in as the demo user and save a PNG of the queue (or the first item) to ``out``."""
    from bot.cli.web_cmd import demo_login

    rt = build_runtime(load_settings(Path("bot.toml")), Path(database))
    name, password = demo_login(rt)
    server = ServerThread(create_app(rt, utcnow)).start()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1360, "height": 860}, device_scale_factor=1)
            page.goto(server.url + "/login")
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", password)
            page.click("button.primary")
            page.wait_for_url("**/queue")
            if item:
                page.keyboard.press("j")
                page.keyboard.press("Enter")
                page.wait_for_selector("#item")
            page.screenshot(path=out)
            browser.close()
    finally:
        server.stop()
        rt.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], item="--item" in sys.argv)
