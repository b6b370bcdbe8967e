"""The dashboard and relationships pages over the replayed sample history, through the real app."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.queue import reject
from bot.report.figures import ledger, week_figures
from bot.runtime import Runtime, build_runtime
from bot.socialid import week_of
from bot.web import create_app
from tests.conftest import NOW
from tests.report.conftest import WEEK
from tests.web.conftest import Client, Clock, add_people, sign_in


@pytest.fixture
def sample_rt(project: Callable[..., Path]) -> Iterator[Runtime]:
    rt = build_runtime(load_settings(project(25)))
    add_people(rt)
    yield rt
    rt.close()


@pytest.fixture
def viewer(sample_rt: Runtime) -> Client:
    client = Client(create_app(sample_rt, Clock(NOW)))
    sign_in(client, "vic")
    return client


def test_dashboard_shows_the_weeks_figures_and_trend(sample_rt: Runtime, viewer: Client) -> None:
    figures = week_figures(sample_rt.store, sample_rt.settings, sample_rt.rules, WEEK, NOW)
    page = viewer.get(f"/dashboard?week={WEEK}")
    assert page.status_code == 200
    assert "content-security-policy" in page.headers and " style=" not in page.text  # CSP: no inline styles
    for account in figures.accounts:
        s = account.current
        assert f"Social ID {s.overall:.0f} for {account.label}" in page.text
        assert f"{s.replied} of {s.loops} that needed a reply" in page.text
        assert page.text.count(f"<title>{account.history[0].week}:") >= 1
    assert "Queue health now" in page.text and "Reply templates this week" in page.text
    assert 'href="/dashboard?week=2026-W45"' in page.text and 'href="/dashboard?week=2026-W47"' in page.text


def test_dashboard_defaults_to_this_week_and_refuses_a_bad_week(viewer: Client) -> None:
    assert "2026-W47" in viewer.get("/dashboard").text
    bad = viewer.get("/dashboard?week=soon")
    assert bad.status_code == 400 and "not like 2026-W47" in bad.text


def test_relationships_page_lists_the_ledger(sample_rt: Runtime, viewer: Client) -> None:
    top = ledger(sample_rt.store, None, 10, NOW)
    page = viewer.get("/relationships?top=10")
    assert page.status_code == 200
    handles = re.findall(r"<b>((?:@|u/)[^<]+)</b>", page.text)
    assert handles == [r.shown_handle for r in top]
    assert {r.platform for r in top} == {"x", "reddit"}  # so both ways of writing a handle are checked
    one = viewer.get("/relationships?account=nimbussupport&top=5")
    assert one.status_code == 200 and 'selected>nimbussupport' in one.text
    assert viewer.get("/relationships?top=many").status_code == 400


def test_pages_need_a_sign_in(sample_rt: Runtime) -> None:
    anonymous = Client(create_app(sample_rt, Clock(NOW)))
    for path in ("/dashboard", "/relationships"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/login" in response.headers["location"]


def test_dashboard_shows_each_rules_rejections_with_their_reason(sample_rt: Runtime, viewer: Client) -> None:
    item = sample_rt.store.suggestions.pending()[0]
    reject(sample_rt.store, item.id, "maya", "Too generic <for> a refund question", NOW)
    week = week_of(item.created_at, "UTC")
    figures = week_figures(sample_rt.store, sample_rt.settings, sample_rt.rules, week, NOW)
    label = item.rule_id if item.kind == "reply" else f"{item.rule_id} (follow-up)"
    (rule,) = [r for r in figures.rules if r.rule_id == label]
    assert rule.rejected >= 1 and rule.reasons[0] == ("too generic <for> a refund question", 1)
    page = viewer.get(f"/dashboard?week={week}").text
    row = page[page.index(f"<tr><td>{label}"):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[1:6] == [str(rule.suggested), str(rule.approved), str(rule.edited),
                          "—" if rule.mean_edit_distance is None else str(rule.mean_edit_distance), str(rule.rejected)]
    assert cells[6] == str(rule.expired) and "too generic &lt;for&gt; a refund question (1)" in cells[8]
