"""poll -> store -> triage -> policy -> queue, on real SQLite and the replay connector."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import pipeline as pipeline_module
from bot.cli import main
from bot.config import load_settings
from bot.models import Mention, Triage
from bot.pipeline import poll_once
from bot.runtime import Runtime, build_runtime
from tests.conftest import NOW, mention


def test_poll_queues_suggestions_and_ignores_noise(rt: Runtime) -> None:
    report = poll_once(rt, NOW)
    assert report.new["replay"] == 5
    assert report.triaged == 5
    assert report.ignored == 2  # the crypto spam and the clouds
    pending = rt.store.suggestions.pending()
    by_text = {i.mention.platform_id: i for i in pending}
    assert set(by_text) == {"101", "102", "103"}
    assert by_text["101"].rule_id == "complaint-apology" and "complaint" in by_text["101"].intents
    assert by_text["102"].rule_id == "question-answer"
    assert by_text["103"].rule_id == "praise-thanks" and by_text["103"].label == "positive"
    assert "Jess" in by_text["101"].text
    assert any("never arrived" in r for r in by_text["101"].reasons)
    assert pending[0].priority <= pending[-1].priority


def test_polling_twice_adds_nothing_twice(rt: Runtime) -> None:
    poll_once(rt, NOW)
    again = poll_once(rt, NOW + timedelta(minutes=5))
    assert again.new["replay"] == 0 and again.triaged == 0
    assert rt.store.mentions.count() == 5
    assert rt.store.suggestions.counts() == {"pending": 3, "ignored": 2}


def test_future_mentions_arrive_when_their_time_comes(make_project: Callable[..., Path]) -> None:
    path = make_project([mention("1", "@nimbushome hi, is the nimbus thermo on sale?", -10),
                         mention("2", "@nimbushome where is my order?", 30)])
    runtime = build_runtime(load_settings(path))
    try:
        assert poll_once(runtime, NOW).new["replay"] == 1
        assert poll_once(runtime, NOW + timedelta(minutes=20)).new["replay"] == 0
        assert poll_once(runtime, NOW + timedelta(minutes=31)).new["replay"] == 1
    finally:
        runtime.close()


def test_cursor_advances_only_with_the_mentions(rt: Runtime) -> None:
    poll_once(rt, NOW)
    state = rt.store.mentions.cursor_state("replay")
    assert state.cursor is not None and '"delivered": 5' in state.cursor.value
    assert state.calls_spent == 1 and state.last_error == ""


def test_ronr_poll_cli_prints_what_it_added(make_project: Callable[..., Path]) -> None:
    path = make_project()
    result = CliRunner().invoke(main, ["--config", str(path), "poll"])
    assert result.exit_code == 0, result.output
    assert "replay" in result.output and "Triaged 5; queued 3 for approval; ignored 2." in result.output
    second = CliRunner().invoke(main, ["--config", str(path), "poll"])
    assert "Triaged 0; queued 0" in second.output


def test_broken_replay_file_is_reported_and_loses_nothing(make_project: Callable[..., Path]) -> None:
    path = make_project()
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(path), "poll"]).exit_code == 0
    (path.parent / "replay" / "mentions.jsonl").write_text("{not json\n", encoding="utf-8")
    result = runner.invoke(main, ["--config", str(path), "poll"])
    assert result.exit_code == 1
    assert "mentions.jsonl:1: bad record" in result.output
    runtime = build_runtime(load_settings(path))
    try:
        assert runtime.store.mentions.count() == 5
        assert "bad record" in runtime.store.mentions.cursor_state("replay").last_error
    finally:
        runtime.close()


def test_a_mention_that_breaks_triage_does_not_stop_the_others(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline_module.triage

    def fragile(mention: Mention, *args: object, **kwargs: object) -> Triage:
        if mention.platform_id == "102":
            raise ValueError("a bug triggered by this one text")
        return real(mention, *args, **kwargs)

    monkeypatch.setattr(pipeline_module, "triage", fragile)
    report = poll_once(rt, NOW)
    assert report.triaged == 4 and list(report.failed.values()) == ["ValueError: a bug triggered by this one text"]
    assert rt.store.mentions.count() == 5
    assert [m.platform_id for _, m in rt.store.mentions.untriaged()] == ["102"]  # kept, retried next poll
    monkeypatch.setattr(pipeline_module, "triage", real)
    assert poll_once(rt, NOW + timedelta(minutes=5)).triaged == 1


GOOD = {"platform": "x", "platform_id": "9", "minutes": -5, "text": "@nimbushome hi", "account": "nimbushome",
        "author": {"id": "u9", "handle": "ann"}}


@pytest.mark.parametrize(("file", "record", "says"), [
    ("mentions", {k: v for k, v in GOOD.items() if k != "author"}, "mentions.jsonl:2: bad record (missing 'author')"),
    ("mentions", {**GOOD, "author": "ann"}, "mentions.jsonl:2: bad record (author must be an object"),
    ("mentions", {**GOOD, "platform": "mastodon"}, "mentions.jsonl:2: bad record (platform must be one of x, reddit"),
    ("mentions", {**GOOD, "text": 42}, "mentions.jsonl:2: bad record (text must be a string)"),
    ("mentions", {**GOOD, "minutes": "soon"}, "mentions.jsonl:2: bad record (could not convert"),
    ("mentions", [1, 2], "mentions.jsonl:2: bad record (expected a JSON object)"),
    ("answers", {"platform": "x", "to": "101", "text": "thanks"},
     "answers.jsonl:1: bad record (missing 'platform_id')"),
])
def test_every_bad_replay_record_is_one_line_with_file_and_line(make_project: Callable[..., Path], file: str,
                                                                 record: object, says: str) -> None:
    path = make_project()
    folder = path.parent / "replay"
    good = json.dumps(GOOD)
    if file == "mentions":
        (folder / "mentions.jsonl").write_text(f"{good}\n{json.dumps(record)}\n", encoding="utf-8")
    else:
        (folder / "answers.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "poll"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert says in error and "Fix: correct that line" in error
