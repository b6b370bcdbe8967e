"""``[triage] spam_same_text_days``: validated like the other settings, and the window `ronr triage` counts in."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.cli.triage_cmd import copies_in_window
from bot.config import ConfigError, load_settings
from bot.models import Author, Mention
from tests.conftest import CONFIG, NOW


def test_the_window_defaults_to_a_week_and_takes_fractions(make_project: Callable[..., Path]) -> None:
    assert load_settings(make_project()).triage.spam_same_text_days == 7
    half = load_settings(make_project(config=CONFIG + "\n[triage]\nspam_same_text_days = 0.5\n"))
    assert half.triage.spam_same_text_days == 0.5


@pytest.mark.parametrize(("value", "problem"), [
    ("0", "expected more than 0 days, got 0. Fix: write a number of days such as 7"),
    ("-3", "expected more than 0 days, got -3. Fix: write a number of days such as 7"),
    ('"7"', "expected a number, got '7' (a string). Fix: write a number without quotes"),
])
def test_a_bad_window_names_file_line_and_fix(make_project: Callable[..., Path], value: str, problem: str) -> None:
    config = make_project(config=CONFIG + f"\n[triage]\nspam_same_text_days = {value}\n")
    line = CONFIG.count("\n") + 3
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert str(caught.value) == f"{config}:{line}: triage.spam_same_text_days: {problem}"
    result = CliRunner().invoke(main, ["--config", str(config), "triage"], input="")
    assert result.exit_code == 2 and "triage.spam_same_text_days" in result.output


def _said(handle: str, minutes: float, text: str = "Nimbus hub deal, grab yours now") -> Mention:
    return Mention("x", f"{handle}-{minutes}", Author("x", handle, handle), text, NOW + timedelta(minutes=minutes), "")


def test_copies_in_window_counts_distinct_authors_before_each_mention() -> None:
    mentions = [_said("a", 0), _said("b", 10), _said("a", 20), _said("c", 70), _said("d", 70),
                _said("e", 71, "something else"), _said("f", 200)]
    assert copies_in_window(mentions, timedelta(hours=1)) == [1, 2, 2, 4, 4, 1, 1]
    # Order of the input does not matter; a copy exactly on the boundary counts.
    assert copies_in_window(mentions[::-1], timedelta(hours=1)) == [1, 1, 4, 4, 2, 2, 1]
    assert copies_in_window(mentions, timedelta(minutes=60))[3] == 4  # minute 10 is 60 before 70: still in


def test_ronr_triage_counts_copies_within_the_configured_window(make_project: Callable[..., Path]) -> None:
    config = make_project(config=CONFIG + "\n[triage]\nspam_same_text_days = 1\n")
    rows = [{"id": i, "text": "Nimbus hub deal, grab yours now", "author": f"bot{i}",
             "created_at": f"2026-11-{day}T09:00:00Z"} for i, day in enumerate((10, 18, 19, 19))]
    result = CliRunner().invoke(main, ["--config", str(config), "triage"],
                                input="".join(json.dumps(r) + "\n" for r in rows))
    out = [json.loads(line) for line in result.stdout.splitlines()]
    spam = [[r for r in o["reasons"] if r.startswith("spam: the same text")] for o in out]
    wave = ["spam: the same text from 3 authors in 1 day"]
    assert spam == [[], [], wave, wave]
