"""`ronr socialid` and `ronr relationships` over the replayed sample history, as an operator runs them."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.clock import utcnow
from bot.config import load_settings
from bot.report.figures import account_history, ledger, options_for
from bot.runtime import build_runtime
from bot.socialid import social_id, week_bounds
from tests.report.conftest import WEEK


def ronr(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.output


def rows(output: str) -> dict[str, list[str]]:
    """The table's data rows by their first cell."""
    return {line.split()[0]: line.split() for line in output.splitlines()[2:] if line.strip() and "  " in line}


def test_socialid_prints_every_account_and_weights_come_from_bot_toml(project: Callable[..., Path]) -> None:
    code, output = ronr(project(25), "socialid", "--week", WEEK)
    assert code == 0, output
    table = rows(output)
    assert set(table) >= {"u/NimbusHome", "@nimbushome", "@nimbussupport"}  # Reddit's and X's told apart
    overall, responsiveness = table["@nimbushome"][2], table["@nimbushome"][6]
    assert overall != responsiveness  # the default weights mix the three parts

    only_speed = project(25, extra='[socialid]\nweights = {responsiveness = 1, relevance = 0, demeanor = 0}\n')
    code, output = ronr(only_speed, "socialid", "--week", WEEK, "--account", "nimbushome")
    assert code == 0, output
    (line,) = rows(output).values()
    assert line[2] == line[6] == responsiveness  # overall is responsiveness alone


@pytest.mark.parametrize("command", [["socialid"], ["relationships"], ["report", "--week", WEEK]])
def test_an_unknown_account_is_one_clear_line_and_exit_2(project: Callable[..., Path], command: list[str]) -> None:
    code, output = ronr(project(25), *command, "--account", "nimbusHome")
    assert code == 2
    assert "no account 'nimbusHome'; known accounts (case matters): NimbusHome, nimbushome, nimbussupport" in output


def test_relationships_top_and_account(project: Callable[..., Path]) -> None:
    config = project(25)
    code, output = ronr(config, "relationships", "--top", "3", "--account", "nimbussupport")
    assert code == 0, output
    rt = build_runtime(load_settings(config))
    try:
        expected = ledger(rt.store, "nimbussupport", 3, utcnow())  # the clock the command reads
        everyone = ledger(rt.store, None, 50, utcnow())
    finally:
        rt.close()
    assert [r.handle for r in expected] != [r.handle for r in everyone[:3]]  # the filter matters here
    assert list(rows(output)) == ["@" + r.handle for r in expected]
    header = output.splitlines()[0].split()
    assert header[:5] == ["author", "platform", "talks", "first", "last"] and "churn" in header
    assert "recovered" in header and "advocacy" in header and "status" in header
    recommending = next(r for r in everyone if r.recommendations)
    code, output = ronr(config, "relationships", "--top", "50")
    assert f"{recommending.advocacy} ({recommending.recommendations} recommending)" in output


def test_the_change_is_this_weeks_overall_minus_last_weeks(project: Callable[..., Path]) -> None:
    config = project(25)
    rt = build_runtime(load_settings(config))
    try:
        options = options_for(rt.settings, rt.rules, utcnow())
        history, _ = account_history(rt.store, "nimbushome", WEEK, "UTC", options, weeks=3)
        alone = [social_id("nimbushome", w.week, rt.store.relationships.week_records(*week_bounds(w.week, "UTC"),
                                                                                     "nimbushome"), options=options)
                 for w in history]
    finally:
        rt.close()
    assert [h.overall for h in history] == [a.overall for a in alone]
    for before, after in pairwise(history):
        assert after.previous == before.overall
        assert after.change == round((after.overall or 0) - (before.overall or 0), 1)
    code, output = ronr(config, "socialid", "--week", WEEK, "--account", "nimbushome")
    change = history[-1].change
    assert code == 0 and change is not None and f"{'▲' if change > 0 else '▼'} {abs(change):.1f}" in output
