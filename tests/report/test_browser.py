"""The weekly email's HTML in real headless Chromium: it draws the chart and needs nothing from the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.report.figures import week_figures
from bot.report.render import CHART_HEIGHT, render_html
from bot.runtime import build_runtime
from tests.conftest import NOW
from tests.report.conftest import WEEK, config

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("CI") != "true",
                       reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def test_the_email_renders_with_its_chart_and_loads_nothing_remote(sample_db: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    path = sample_db.parent / "bot.toml"
    path.write_text(config(25), encoding="utf-8")
    settings = load_settings(path)
    rt = build_runtime(settings, sample_db)
    try:
        figures = week_figures(rt.store, settings, rt.rules, WEEK, NOW)
    finally:
        rt.close()
    page_file = tmp_path / "week.html"
    page_file.write_text(render_html(figures), encoding="utf-8")
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 760, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            bars = page.eval_on_selector_all(
                "td.bar", "els => els.map(e => [e.dataset.week, e.dataset.score, e.getBoundingClientRect().height])")
            page.screenshot(path=str(tmp_path / "week.png"), full_page=True)
            visible = page.inner_text("body")
        finally:
            browser.close()
    assert requests == [page_file.as_uri()]  # no remote images, fonts or scripts
    current = [b for b in bars if b[0] == WEEK]
    assert len(current) == len(figures.accounts) == 3
    for _, score, height in current:
        assert height == pytest.approx(int(score) / 100 * CHART_HEIGHT, abs=1.5)  # drawn to scale
    assert {a.label for a in figures.accounts} == {"u/NimbusHome", "@nimbushome", "@nimbussupport"}
    for account in figures.accounts:
        assert account.label in visible
    assert "Turned around this week" in visible and "Queue health now" in visible
    assert (tmp_path / "week.png").stat().st_size > 50_000
