"""`ronr triage`: JSON lines in, JSON lines out; bad lines named on stderr, the rest still triaged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

FIELDS = {"id", "sentiment", "intents", "relevance", "language", "spam", "priority", "score", "reasons"}


def _lines(*rows: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n"


def test_triages_json_lines_from_stdin(make_project: Callable[..., Path]) -> None:
    config = make_project()
    stdin = _lines({"id": "a", "text": "@nimbushome my order never arrived and nobody answers", "platform": "x",
                    "author": "jess", "author_followers": 250, "created_at": "2026-11-20T09:00:00Z"},
                   {"id": 2, "text": "my kid wants a Nimbus 2000 broom"})
    result = CliRunner().invoke(main, ["--config", str(config), "triage", "-", "--now", "2026-11-20T12:00:00Z"],
                                input=stdin)
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first) == FIELDS and first["id"] == "a"
    assert first["intents"] == ["complaint"] and first["relevance"] == 1.0 and first["priority"] in ("P1", "P2")
    assert first["sentiment"]["label"] in ("neutral", "negative") and first["language"] == "en"
    assert any(r.startswith("complaint:") for r in first["reasons"])
    assert second["id"] == 2 and second["intents"] == ["off_topic"] and second["priority"] == "P4"


def test_bad_lines_are_named_and_the_rest_processed(make_project: Callable[..., Path], tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(_lines({"id": "ok1", "text": "nimbus hub is great"}, "{not json", {"id": "x"},
                             {"id": "y", "text": "nimbus", "author_followers": -3},
                             {"id": "z", "text": "nimbus", "created_at": "last week"}, "",
                             {"id": "ok2", "text": "does the nimbus hub work with homekit?"}), encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(make_project()), "triage", str(source)])
    assert result.exit_code == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["ok1", "ok2"]
    errors = result.stderr.splitlines()
    assert errors[0].startswith("line 2: not valid JSON")
    assert errors[1] == 'line 3: "text" is missing or not a string'
    assert errors[2].startswith('line 4: "author_followers"') and errors[3].startswith('line 5: "created_at"')
    assert errors[-1] == "4 line(s) skipped; 2 triaged"


def test_the_same_text_from_many_authors_is_spam(make_project: Callable[..., Path]) -> None:
    rows = [{"id": i, "text": "Nimbus hub deal, grab yours now", "author": f"bot{i}"} for i in range(3)]
    result = CliRunner().invoke(main, ["--config", str(make_project()), "triage"], input=_lines(*rows))
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(o["spam"] and "spam: the same text from 3 authors in 7 days" in o["reasons"] for o in out)


def test_a_bad_brand_extension_exits_2(make_project: Callable[..., Path]) -> None:
    config = make_project()
    config.write_text(config.read_text(encoding="utf-8") + '\n[triage.intents.praise]\npatterns = ["(("]\n',
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "triage"], input=_lines({"id": 1, "text": "x"}))
    assert result.exit_code == 2 and "triage.intents.praise" in result.output
