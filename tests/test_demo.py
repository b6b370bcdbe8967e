"""The demo path end to end: the embedded sample through every stage, on a fresh database."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.cli.demo_cmd import next_commands, program
from bot.config import load_settings
from bot.models import Author, Mention
from bot.policy.guardrails import shown_handle
from bot.socialid import week_of
from bot.store import Store
from tests.conftest import NOW, REPO

SAMPLE = REPO / "data" / "sample"


def _records(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (SAMPLE / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_sample_data_set_is_consistent() -> None:
    mentions = _records("mentions.jsonl")
    keys = {(m["platform"], m["platform_id"]) for m in mentions}
    assert len(keys) == len(mentions) >= 200
    assert {m["platform"] for m in mentions} == {"x", "reddit"}
    assert all((a["platform"], a["to"]) in keys for a in _records("answers.jsonl"))
    assert all((d["platform"], d["mention"]) in keys for d in _records("decisions.jsonl"))
    # What issue #2 asks of the sample: a few languages, long posts, emoji, weeks of history, answers.
    assert len({m["lang"] for m in mentions}) >= 4
    assert any(len(str(m["text"])) > 1000 for m in mentions)
    assert any(any(ord(ch) >= 0x1F300 for ch in str(m["text"])) for m in mentions)
    assert min(float(str(m["minutes"])) for m in mentions) <= -3 * 7 * 24 * 60
    assert len(_records("answers.jsonl")) >= 50


def test_demo_runs_the_whole_loop(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    args = ["--config", str(REPO / "bot.toml"), "--database", str(database), "demo"]
    if "--no-serve" in CliRunner().invoke(main, ["demo", "--help"]).output:
        args.append("--no-serve")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    past = sum(1 for m in _records("mentions.jsonl") if float(str(m["minutes"])) <= 0)
    assert f"{past} mentions ingested" in result.output
    for part in ("Top of the queue", "Social ID of the sample history", "queue show", "Try next:"):
        assert part in result.output
    social = result.output.split("Social ID of the sample history", 1)[1].split("Try next:", 1)[0].splitlines()[3:]
    rows = [line.split()[:2] for line in social if line.strip()]
    this_week = week_of(datetime.now(UTC), load_settings(REPO / "bot.toml").timezone)
    assert rows and all(week < this_week for _, week in rows)  # finished weeks only
    assert {account for account, _ in rows} == {"u/NimbusHome", "@nimbushome", "@nimbussupport"}
    intents = {line.split()[0] for line in result.output.split("intent ", 1)[1].split("\n\n", 1)[0].splitlines()[2:]}
    assert intents >= {"complaint", "question", "praise", "purchase_intent", "churn_risk", "crisis", "bug_report",
                       "feature_request", "spam", "off_topic"}  # every kind the sample was written to hold
    store = Store(database)
    try:
        counts = store.suggestions.counts()
        assert counts.get("pending", 0) > 0 and counts.get("approved", 0) > 20 and counts.get("ignored", 0) > 5
        assert store.outbox.counts().get("posted", 0) == counts["approved"]
        answered = [lp for lp in store.loops.in_state("closed") if lp.close_reason == "answered"]
        assert len(answered) > 10
    finally:
        store.close()
    sink = tmp_path / "sink" / "demo-posts.jsonl"
    posts = [json.loads(line) for line in sink.read_text().splitlines()]
    assert len(posts) == len({p["key"] for p in posts}), "a reply was posted twice"
    settings = load_settings(REPO / "bot.toml")
    assert settings.resolve(settings.database.path) != database  # the demo never touches data/ronr.db


def test_next_commands_run_the_ronr_that_ran_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv_ronr = tmp_path / ".venv" / "bin" / "ronr"
    venv_ronr.parent.mkdir(parents=True)
    venv_ronr.write_text("#!/bin/sh\n", encoding="utf-8")
    venv_ronr.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(venv_ronr), "demo"])
    monkeypatch.setenv("PATH", "/nonexistent")  # `make demo`: .venv/bin is not on PATH
    assert program() == ".venv/bin/ronr"
    hints = next_commands(False, tmp_path / "data" / "demo.db", 325, "2026-W48").splitlines()
    assert hints[0].startswith("  .venv/bin/ronr --database data/demo.db queue ")
    assert len({line.index("#") for line in hints}) == 1  # the explanations line up
    monkeypatch.setenv("PATH", str(venv_ronr.parent))  # an activated virtual environment
    assert program() == "ronr"
    assert next_commands(True, Path("x.db"), None, "2026-W48").splitlines()[1].startswith("  ronr queue show ID ")


def test_reddit_authors_are_shown_as_reddit_writes_them() -> None:
    author = Author("reddit", "t2_1", "Curious_Toaster_3852")
    post = Mention(platform="reddit", platform_id="c1", author=author, text="t", created_at=NOW, account="a")
    assert shown_handle(post) == "u/Curious_Toaster_3852"
    assert shown_handle(replace(post, platform="x", author=replace(author, handle="@jess"))) == "@jess"


def test_the_demo_ends_by_serving_the_queue_with_the_login_it_prints(tmp_path: Path) -> None:
    ronr = Path(sys.executable).parent / "ronr"
    proc = subprocess.Popen([str(ronr), "--config", str(REPO / "bot.toml"), "--database", str(tmp_path / "demo.db"),
                             "demo", "--serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=tmp_path)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not (lines and lines[-1].startswith("Sign in as")) and (line := proc.stdout.readline()):
            lines.append(line)  # the summary, the address, then the login (the server keeps running)
        address = re.search(r"RonR web UI on (http://127\.0\.0\.1:\d+)/", "".join(lines))
        login = re.search(r"Sign in as (\S+) / (\S+)", "".join(lines))
        assert address and login, "".join(lines)
        with httpx.Client(base_url=address.group(1), timeout=10) as client:
            token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
            assert token is not None
            signed = client.post("/login", data={"name": login.group(1), "password": login.group(2),
                                                 "login_token": token.group(1)})
            assert signed.status_code == 303 and signed.headers["location"] == "/queue"
            queue = client.get("/queue")
            assert queue.status_code == 200 and queue.text.count('class="row"') >= 8  # the sample's pending items
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
