"""The approval queue from the CLI: list, show, approve, edit, reject, and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.config import load_settings
from bot.dispatch import dispatch
from bot.loops import check_loops
from bot.pipeline import poll_once
from bot.queue import approve
from bot.runtime import build_runtime
from tests.conftest import NOW


@pytest.fixture
def cli(make_project: Callable[..., Path]) -> Callable[..., Result]:
    path = make_project()
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, ["--config", str(path), *args])

    assert run("poll").exit_code == 0
    return run


def _ids(cli: Callable[..., Result]) -> list[int]:
    out = cli("queue").output
    return [int(line.split()[0]) for line in out.splitlines() if line[:1].isdigit()]


def test_queue_lists_pending_highest_priority_first(cli: Callable[..., Result]) -> None:
    result = cli("queue")
    assert result.exit_code == 0
    assert "3 of 3 pending" in result.output
    priorities = [line.split()[1] for line in result.output.splitlines() if line[:1].isdigit()]
    assert priorities == sorted(priorities)


def test_show_explains_the_item(cli: Callable[..., Result]) -> None:
    item = _ids(cli)[0]
    result = cli("queue", "show", str(item))
    assert result.exit_code == 0
    for part in ("Sentiment", "Why:", "Suggested by rule", "Reply ("):
        assert part in result.output


def test_approve_then_refuse_second_approval_and_reject(cli: Callable[..., Result], tmp_path: Path) -> None:
    item = _ids(cli)[0]
    ok = cli("queue", "approve", str(item), "--as", "maya")
    assert ok.exit_code == 0 and "Approved" in ok.output
    again = cli("queue", "approve", str(item), "--as", "tom")
    assert again.exit_code == 1
    assert f"item {item} is already approved by maya" in again.output and "nothing changed" in again.output
    rejected = cli("queue", "reject", str(item), "--reason", "dup", "--as", "tom")
    assert rejected.exit_code == 1 and "already approved by maya" in rejected.output
    rt = build_runtime(load_settings(tmp_path / "bot.toml"))
    try:
        assert rt.store.outbox.counts() == {"approved": 1}
        assert [a["actor"] for a in rt.store.audit.recent()] == ["maya"]
    finally:
        rt.close()


def test_approve_rejected_item_is_refused(cli: Callable[..., Result]) -> None:
    item = _ids(cli)[0]
    assert cli("queue", "reject", str(item), "--reason", "already answered", "--as", "priya").exit_code == 0
    result = cli("queue", "approve", str(item), "--as", "maya")
    assert result.exit_code == 1 and "already rejected by priya" in result.output


@pytest.mark.parametrize("args", [("approve", "999", "--as", "maya"), ("reject", "999", "--reason", "x", "--as", "m"),
                                  ("show", "999")])
def test_unknown_id_is_one_clear_line(cli: Callable[..., Result], args: tuple[str, ...]) -> None:
    result = cli("queue", *args)
    assert result.exit_code == 1
    assert "no queue item 999" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_edit_then_approve_records_the_diff(cli: Callable[..., Result], tmp_path: Path) -> None:
    item = _ids(cli)[0]
    result = cli("queue", "approve", str(item), "--text", "Hi Jess, we are on it. DM us your order number?",
                 "--as", "tom")
    assert result.exit_code == 0, result.output
    rt = build_runtime(load_settings(tmp_path / "bot.toml"))
    try:
        entry = rt.store.audit.recent()[0]
        assert entry["action"] == "approved" and entry["actor"] == "tom"
        assert "\n+on\n" in entry["detail"]["diff"] and "\n-sorry\n" in entry["detail"]["diff"]
        assert entry["detail"]["final_text"].startswith("Hi Jess, we are on it")
    finally:
        rt.close()


def test_overlong_edit_is_refused(cli: Callable[..., Result]) -> None:
    item = _ids(cli)[0]
    result = cli("queue", "approve", str(item), "--text", "x" * 300, "--as", "tom")
    assert result.exit_code == 1 and "x allows 280" in result.output


def test_reject_needs_a_reason_and_name(cli: Callable[..., Result]) -> None:
    item = _ids(cli)[0]
    assert cli("queue", "reject", str(item), "--reason", "  ", "--as", "tom").exit_code == 1
    assert cli("queue", "reject", str(item), "--reason", "meh").exit_code == 2  # click: missing --as


def test_x_length_is_counted_the_way_x_counts_it(cli: Callable[..., Result]) -> None:
    item = _ids(cli)[0]
    result = cli("queue", "approve", str(item), "--text", "Sorry! " + "🙏" * 140, "--as", "tom")
    assert result.exit_code == 1
    assert "as x counts them" in result.output and "x allows 280" in result.output


def _snapshot(config: Path) -> tuple[object, ...]:
    """Everything a refused command could have changed: every item as stored, the outbox, the audit trail."""
    rt = build_runtime(load_settings(config))
    try:
        items = [rt.store.suggestions.get(i) for i in range(1, 20)]
        return (items, rt.store.outbox.counts(), rt.store.audit.recent(limit=1000))
    finally:
        rt.close()


@pytest.mark.parametrize(("first", "then", "says"), [
    (("approve", "--as", "maya"), ("approve", "--as", "tom"), "already approved by maya"),
    (("approve", "--as", "maya"), ("approve", "--text", "Edited words", "--as", "tom"), "already approved by maya"),
    (("approve", "--as", "maya"), ("reject", "--reason", "dup", "--as", "tom"), "already approved by maya"),
    (("reject", "--reason", "answered", "--as", "priya"), ("approve", "--as", "maya"), "already rejected by priya"),
    (("reject", "--reason", "answered", "--as", "priya"), ("reject", "--reason", "x", "--as", "m"),
     "already rejected by priya"),
    (None, ("approve", "--as", "maya"), "no queue item 999"),
    (None, ("reject", "--reason", "x", "--as", "m"), "no queue item 999"),
])
def test_every_refusal_is_one_line_non_zero_and_changes_nothing(
        cli: Callable[..., Result], tmp_path: Path, first: tuple[str, ...] | None, then: tuple[str, ...],
        says: str) -> None:
    item = str(_ids(cli)[0]) if first else "999"
    if first:
        assert cli("queue", first[0], item, *first[1:]).exit_code == 0
    before = _snapshot(tmp_path / "bot.toml")
    result = cli("queue", then[0], item, *then[1:])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ") and says in result.output
    assert _snapshot(tmp_path / "bot.toml") == before


def test_the_list_shows_each_suggestion_beside_its_mention(cli: Callable[..., Result], tmp_path: Path) -> None:
    listing = cli("queue").output
    assert listing.splitlines()[0].split()[-2:] == ["mention", "suggestion"]
    rt = build_runtime(load_settings(tmp_path / "bot.toml"))
    try:
        rows = [line for line in listing.splitlines() if line[:1].isdigit() and line.split()[1].startswith("P")]
        assert len(rows) == 3
        for line in rows:
            item = rt.store.suggestions.get(int(line.split()[0]))
            assert item is not None and item.text and item.text[:30] in line
    finally:
        rt.close()


def test_a_follow_up_question_is_labelled_as_one(make_project: Callable[..., Path]) -> None:
    config = make_project()
    rt = build_runtime(load_settings(config))
    try:
        poll_once(rt, NOW)
        first = rt.store.suggestions.for_mention("x", "101")
        assert first is not None
        approve(rt.store, first.id, "maya", NOW)
        dispatch(rt, NOW)
        assert check_loops(rt, NOW + timedelta(hours=25)).follow_ups == 1
        follow = rt.store.suggestions.for_mention("x", "101", "follow_up")
        assert follow is not None
    finally:
        rt.close()
    runner = CliRunner()
    listing = runner.invoke(main, ["--config", str(config), "queue"]).output
    assert f"(follow-up) {follow.text[:20]}" in listing
    shown = runner.invoke(main, ["--config", str(config), "queue", "show", str(follow.id)]).output
    assert shown.splitlines()[0].startswith(f"Item {follow.id}  [pending]  follow-up question  ")
    assert "Follow-up question to post (" in shown and follow.text in shown


def test_approving_an_item_a_guardrail_stopped_says_which_and_changes_nothing(
        make_project: Callable[..., Path]) -> None:
    config = make_project()

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config), *args])
    assert run("contacts", "block", "@jess", "--reason", "asked us to stop", "--as", "maya").exit_code == 0
    assert run("poll").exit_code == 0
    item = next(line.split()[0] for line in run("queue", "blocked").output.splitlines() if "@jess" in line)
    before = _snapshot(config)
    result = run("queue", "approve", item, "--as", "tom")
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert f"item {item} was stopped by a guardrail (do_not_contact: @jess is on the do-not-contact list" in \
        result.output and "nothing changed" in result.output
    assert _snapshot(config) == before
