"""Log lines name their job, connector and item, as text or JSON lines, and never carry a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.dispatch import dispatch
from bot.logs import log_context, secret_values, setup_logging
from bot.pipeline import poll_once
from bot.queue import approve
from bot.runtime import Runtime
from tests.conftest import NOW

SECRET = "s3cr3t-bearer-value-0042"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_secret_values_come_from_the_env_vars_the_settings_name(make_project: object,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path: Path = make_project()  # type: ignore[operator]
    monkeypatch.setenv("RONR_X_BEARER_TOKEN", SECRET)
    monkeypatch.setenv("RONR_REDDIT_PASSWORD", "hunter2-password")
    monkeypatch.setenv("RONR_SMTP_PASSWORD", "")
    values = secret_values(load_settings(path))
    assert SECRET in values and "hunter2-password" in values and "" not in values


def test_text_lines_carry_job_connector_item_and_redact_secrets(restore_logging: None) -> None:
    out = io.StringIO()
    setup_logging("text", "INFO", [SECRET], stream=out)
    log = logging.getLogger("bot.test")
    with log_context(job="dispatch"), log_context(connector="x", item="outbox:7"):
        log.info("calling with Authorization: Bearer %s", SECRET)
        try:
            raise RuntimeError(f"token {SECRET} rejected")
        except RuntimeError:
            log.exception("failed")
    log.info("outside")
    text = out.getvalue()
    assert SECRET not in text
    assert "Bearer ***" in text and "token *** rejected" in text
    first = text.splitlines()[0]
    assert "INFO" in first and "job=dispatch connector=x item=outbox:7" in first
    assert "job=" not in text.splitlines()[-1]


def test_json_lines(restore_logging: None) -> None:
    out = io.StringIO()
    setup_logging("json", "INFO", [SECRET], stream=out)
    with log_context(job="poll:x", connector="x", item="mention:1800000000000000001"):
        logging.getLogger("bot.test").warning("payload had %s", SECRET)
    line = json.loads(out.getvalue().splitlines()[0])
    assert line["job"] == "poll:x" and line["connector"] == "x" and line["item"] == "mention:1800000000000000001"
    assert line["level"] == "WARNING" and line["message"] == "payload had ***"


def test_dispatch_logs_name_the_connector_and_the_outbox_item(rt: Runtime, restore_logging: None) -> None:
    out = io.StringIO()
    setup_logging("text", "INFO", [], stream=out)
    poll_once(rt, NOW)
    item = rt.store.suggestions.pending()[0]
    outbox_id = approve(rt.store, item.id, "ana", NOW, text="Thanks, we are on it").outbox_id
    with log_context(job="dispatch"):
        report = dispatch(rt, NOW)
    assert report.posted == [outbox_id]
    line = next(ln for ln in out.getvalue().splitlines() if "posted reply" in ln)
    assert f"job=dispatch connector=replay item=outbox:{outbox_id}" in line
