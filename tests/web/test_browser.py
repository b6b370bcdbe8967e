"""User flows in real headless Chromium (Debian's package) against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.config import load_settings
from bot.pipeline import poll_once
from bot.policy.guardrails import x_weighted_length
from bot.queue import approve, claim
from bot.runtime import Runtime, build_runtime
from bot.store import Store
from bot.web import create_app
from tests.conftest import NOW, mention
from tests.web.conftest import PASSWORD, Clock, add_people
from tests.web.server import ServerThread, chromium_missing_reason, in_ci, launch

pytestmark = pytest.mark.browser
_missing = chromium_missing_reason()
if _missing and in_ci():
    pytest.fail(f"browser tests must run under CI: {_missing}", pytrace=False)
if _missing:
    pytest.skip(_missing, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module; each test gets fresh contexts."""
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture
def server(web_rt: Runtime) -> Iterator[str]:
    """The app on a real uvicorn server; new items are looked for every 300 ms."""
    running = ServerThread(create_app(web_rt, Clock(NOW), live_seconds=0.3)).start()
    yield running.url
    running.stop()


@pytest.fixture
def db(web_rt: Runtime) -> Iterator[Store]:
    """A second connection for the test's own reads and writes (the server thread owns the first)."""
    store = Store(web_rt.store.path)
    yield store
    store.close()


def _page(browser: Browser, url: str, name: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(5000)
    page.goto(url + "/queue")
    expect(page).to_have_url(url + "/login?next=%2Fqueue")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(url + "/queue")
    return page


def _flash(page: Page) -> Any:
    return page.locator(".flash")


def test_sign_in_and_approve_with_the_keyboard(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    first = db.suggestions.pending()[0]
    expect(page.locator("tr.row.sel")).to_have_attribute("data-id", str(first.id))
    page.keyboard.press("a")
    expect(_flash(page)).to_contain_text(f"Approved item {first.id}")
    assert db.suggestions.get(first.id).status == "approved"  # type: ignore[union-attr]
    expect(page.locator(f'tr.row[data-id="{first.id}"]')).to_have_count(0)


def test_keyboard_navigation_and_help(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    ids = [str(i.id) for i in db.suggestions.pending()]
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("tr.row.sel")).to_have_attribute("data-id", ids[1])
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#item")).to_have_attribute("data-id", ids[1])
    page.keyboard.press("u")
    expect(page.locator("#queue")).to_be_visible()


def test_edit_then_approve_with_a_live_character_count(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    item = db.suggestions.pending()[0]
    page.keyboard.press("e")
    reply = page.locator("#reply")
    expect(reply).to_be_focused()
    reply.fill("y" * 281)
    expect(page.locator("#count")).to_contain_text("281 / 280")
    expect(page.locator("#approve")).to_be_disabled()
    reply.fill("Sorry about that, Jess. Could you DM us your order number?")
    expect(page.locator("#count")).to_have_text("58 / 280")
    page.keyboard.press("Control+Enter")
    expect(_flash(page)).to_contain_text(f"Approved item {item.id}")
    posted = [o for o in db.outbox.in_state("approved") if o.suggestion_id == item.id]
    assert [o.text for o in posted] == ["Sorry about that, Jess. Could you DM us your order number?"]


@pytest.mark.parametrize("key, field, typed, submit", [("r", "#reason", "already answered by support", "Control+Enter"),
                                                      ("s", "#until", "", "Enter")], ids=["reject", "snooze"])
def test_reject_with_a_reason_or_snooze_from_the_keyboard(browser: Browser, server: str, db: Store, key: str,
                                                          field: str, typed: str, submit: str) -> None:
    page = _page(browser, server, "maya")
    item = db.suggestions.pending()[0]
    page.keyboard.press(key)
    expect(page.locator(field)).to_be_focused()
    page.keyboard.type(typed)
    page.keyboard.press(submit)
    if key == "r":
        expect(_flash(page)).to_contain_text(f"Rejected item {item.id}")
        after = db.suggestions.get(item.id)
        assert db.suggestions.last_decision(item.id)[0] == "maya" and after is not None and after.status == "rejected"
    else:
        expect(_flash(page)).to_contain_text(f"Snoozed item {item.id}")
        after = db.suggestions.get(item.id)
        assert after is not None and after.snoozed_until == NOW + timedelta(hours=1)


def test_collision_between_two_managers(browser: Browser, server: str, db: Store) -> None:
    maya, tom = _page(browser, server, "maya"), _page(browser, server, "tom")
    item = db.suggestions.pending()[0]
    for page in (maya, tom):
        page.goto(f"{server}/items/{item.id}")
    tom.fill("#reason", "not needed")
    maya.click("#approve")
    expect(_flash(maya)).to_contain_text(f"Approved item {item.id}")
    tom.click("#reject-button")
    expect(_flash(tom)).to_contain_text(f"item {item.id} is already approved by maya")
    assert db.outbox.counts() == {"approved": 1}


def test_claimed_item_shows_who_is_on_it(browser: Browser, server: str, db: Store) -> None:
    maya, tom = _page(browser, server, "maya"), _page(browser, server, "tom")
    item = db.suggestions.pending()[0]
    maya.keyboard.press("c")
    expect(maya.locator(f'tr.row[data-id="{item.id}"] .claimed')).to_have_text("maya")
    tom.goto(f"{server}/items/{item.id}")
    expect(tom.locator("#claim")).to_contain_text("maya is on it")


def test_hostile_mention_is_inert(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    item = next(i for i in db.suggestions.pending() if "<script>" in i.mention.text)
    expect(page.locator(f'tr.row[data-id="{item.id}"] .text')).to_contain_text("<img src=x onerror=alert(1)>")
    page.goto(f"{server}/items/{item.id}")
    expect(page.locator("#mention-text")).to_contain_text("<script>alert('pwned')</script>")
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    assert page.locator(".mention-card b").first.inner_text() == "@<b>evil</b>\"'"
    page.wait_for_timeout(200)
    assert dialogs == []


def test_new_items_appear_without_a_reload(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    page.evaluate("window.stillHere = true")
    before = page.locator("tr.row").count()
    db.suggestions.bulk_pending(1, NOW)
    newest = db.suggestions.newest_pending()
    expect(page.locator(f'tr.row[data-id="{newest}"]')).to_have_count(1)
    expect(page.locator("#live-note")).to_contain_text("1 new item")
    assert page.locator("tr.row").count() == before + 1
    assert page.evaluate("window.stillHere") is True


# Texts X counts differently from their code points: CJK and emoji weigh 2, every link 23.
WEIGHED = ["日本語でお願いします。" * 14, "Thanks 🙏🏽 for waiting! 👨‍👩‍👧 " * 9,
           "See https://help.nimbushome.example/articles/thermostat-reset-steps-for-the-sense-pro and reply 🙂"]


def test_the_live_count_is_the_weighted_count_the_server_checks(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    item = db.suggestions.pending()[0]
    page.goto(f"{server}/items/{item.id}#edit")
    for text in WEIGHED:
        weighed = x_weighted_length(text.strip())
        assert weighed != len(text.strip())
        page.locator("#reply").fill(text)
        expect(page.locator("#count")).to_contain_text(f"{weighed} / 280")
        if weighed > 280:
            expect(page.locator("#approve")).to_be_disabled()
            expect(page.locator("#count")).to_contain_text(f"{weighed - 280} over the limit")
        else:
            expect(page.locator("#approve")).to_be_enabled()


def test_a_phone_sized_window_needs_no_sideways_scrolling(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    page.set_viewport_size({"width": 390, "height": 844})
    item = db.suggestions.pending()[0]
    for path in ("/queue", f"/items/{item.id}", "/audit", "/dashboard", "/relationships"):
        page.goto(server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        for visible in ("text=Sign out", "header nav >> text=Audit"):
            box = page.locator(visible).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, visible)


def test_keyboard_focus_is_visible(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    page.goto(f"{server}/items/{db.suggestions.pending()[0].id}")
    page.locator("#approve").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert page.evaluate("document.activeElement.id") == "approve" and outline == "solid"  # ours, not "auto"


def test_right_to_left_mentions_read_right_to_left(browser: Browser, make_project: Any, tmp_path: Any) -> None:
    record = mention("201", "طلبي لم يصل بعد @nimbushome my order never arrived and nobody answers", -30, "sara")
    record["author"]["name"] = "\u202eسارة"
    rt = build_runtime(load_settings(make_project([record])), tmp_path / "rtl.db")
    poll_once(rt, NOW)
    add_people(rt)
    running = ServerThread(create_app(rt, Clock(NOW))).start()
    try:
        page = _page(browser, running.url, "maya")
        item = rt.store.suggestions.pending()[0]
        expect(page.locator(f'tr.row[data-id="{item.id}"] .text')).to_have_css("direction", "rtl")
        page.goto(f"{running.url}/items/{item.id}")
        expect(page.locator("#mention-text")).to_have_css("direction", "rtl")
        # the name's right-to-left override stays inside the name: the line after it still reads "· x ·"
        assert "· x · to nimbushome" in page.locator(".mention-card .meta").inner_text()
        meta = page.locator(".mention-card .meta .muted").bounding_box()
        name = page.locator(".mention-card .meta bdi").nth(1).bounding_box()
        assert meta is not None and name is not None and meta["x"] > name["x"]
    finally:
        running.stop()
        rt.close()


def test_after_acting_on_an_item_the_queue_selects_the_next_one(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    ids = [str(i.id) for i in db.suggestions.pending()]
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#item")).to_have_attribute("data-id", ids[1])
    page.keyboard.press("a")
    expect(_flash(page)).to_contain_text(f"Approved item {ids[1]}")
    expect(page.locator("tr.row.sel")).to_have_attribute("data-id", ids[2])


def test_sla_countdown_turns_at_risk_then_breached_while_the_page_is_open(browser: Browser, server: str,
                                                                          db: Store) -> None:
    page = _page(browser, server, "maya")
    item = next(i for i in db.suggestions.pending() if i.sla_due and i.sla_due > NOW)
    assert item.sla_due is not None
    risk_from = item.sla_due - (item.sla_due - item.mention.created_at) / 4
    page.clock.install(time=NOW)
    for path in ("/queue", f"/items/{item.id}"):
        page.goto(server + path)
        chip = page.locator(f'tr.row[data-id="{item.id}"] .sla' if path == "/queue" else "h1 .sla")
        expect(chip).to_have_class("sla ok")
        page.clock.fast_forward(int((risk_from - NOW).total_seconds() + 31) * 1000)
        expect(chip).to_have_class("sla at_risk")
        page.clock.fast_forward(int((item.sla_due - risk_from).total_seconds()) * 1000)
        expect(chip).to_have_class("sla breached")
        expect(chip).to_contain_text("overdue")
        page.clock.set_system_time(NOW)


def test_what_colleagues_do_shows_without_a_reload(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "tom")
    page.evaluate("window.stillHere = true")
    first, second = db.suggestions.pending()[:2]
    approve(db, first.id, "maya", NOW, expected_version=first.version)
    claim(db, second.id, "maya", NOW, expected_version=second.version)
    expect(page.locator(f'tr.row[data-id="{first.id}"]')).to_have_count(0)
    expect(page.locator(f'tr.row[data-id="{second.id}"] .claimed')).to_have_text("maya")
    expect(page.locator("#total")).to_have_text(str(len(db.suggestions.pending())))
    expect(page.locator("#live-note")).to_be_hidden()  # nothing new arrived: only changes
    assert page.evaluate("window.stillHere") is True


def test_enter_on_a_focused_button_or_link_does_what_it_says(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    page.select_option("select[name=priority]", "P3")
    page.locator(".filters button").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}/queue?q=&platform=&account=&intent=&priority=P3&assignee=")
    page.locator("header nav >> text=Audit").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server}/audit")


def test_a_viewer_can_look_but_keys_do_not_act(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "vic")
    first = db.suggestions.pending()[0]
    for key in ("a", "c"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    expect(page).to_have_url(f"{server}/queue")
    page.keyboard.press("e")
    expect(page.locator("#item")).to_have_attribute("data-can-act", "0")
    expect(page.locator("main")).to_contain_text("You can look but not act")
    assert page.locator("#approve-form").count() == 0
    after = db.suggestions.get(first.id)
    assert after is not None and (after.status, after.assignee, after.version) == ("pending", None, first.version)


def test_a_queue_left_open_says_when_the_session_ended(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    page.context.clear_cookies()
    expect(page.locator("#live-note")).to_contain_text("You are signed out")


def test_a_refused_edit_comes_back_as_typed(browser: Browser, server: str, db: Store) -> None:
    page = _page(browser, server, "maya")
    item = db.suggestions.pending()[0]
    page.goto(f"{server}/items/{item.id}#edit")
    long = "We are so sorry about the wait, Jess. " * 8
    page.locator("#reply").fill(long)
    expect(page.locator("#approve")).to_be_disabled()
    page.keyboard.press("Control+Enter")  # over the limit: the keyboard does not send it either
    page.wait_for_timeout(200)
    expect(page).to_have_url(f"{server}/items/{item.id}#edit")
    page.evaluate("document.getElementById('approve-form').submit()")  # as a page without our script would
    expect(_flash(page)).to_contain_text("allows 280")
    expect(page.locator("#reply")).to_have_value(long)
    expect(page.locator("#restored")).to_be_visible()
    after = db.suggestions.get(item.id)
    assert after is not None and after.status == "pending" and after.version == item.version
