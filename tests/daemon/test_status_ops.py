"""`ronr status` exit codes and content; /healthz and /metrics through the Starlette app."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

from bot.cli import main
from bot.daemon.lock import InstanceLock
from bot.pipeline import poll_once
from bot.queue import approve
from bot.runtime import Runtime
from bot.web import ops
from tests.conftest import NOW
from tests.daemon.conftest import SECRETS
from tests.fakes.fake_x import FakeX

SAMPLE = re.compile(r'^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? -?[0-9.e+]+$')


@pytest.fixture
def running(rt: Runtime) -> Iterator[Runtime]:
    """The project's database as a live daemon leaves it: lock held, heartbeat fresh, mentions polled."""
    lock = InstanceLock(Path(rt.store.path))
    lock.acquire()
    rt.store.daemon.started(os.getpid(), "testhost", "0.1.0", NOW)
    poll_once(rt, NOW)
    yield rt
    lock.release()


def status(rt: Runtime, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", rt.settings.source, "status", *args],
                                catch_exceptions=False)
    return result.exit_code, result.output


def test_status_is_unhealthy_when_no_daemon_runs(rt: Runtime) -> None:
    code, out = status(rt)
    assert code == 1
    assert "UNHEALTHY" in out and "the daemon is not running" in out
    assert "never started on this database" in out


def test_status_healthy_with_a_live_daemon_shows_connectors_queue_and_outbox(running: Runtime) -> None:
    running.store.daemon.beat(os.getpid(), running.store.daemon.instance().beat_at)  # type: ignore[union-attr]
    from bot.daemon.health import collect

    health = collect(running.store, running.settings, NOW + timedelta(seconds=5))
    assert health.healthy, health.problems
    assert health.running and health.pid == os.getpid()
    assert sum(health.queue.values()) >= 1
    from bot.cli.status_cmd import render

    text = render(health)
    for expected in ("healthy", "replay", "pending", "past SLA", "Outbox: approved 0", "Weekly report: not run yet",
                     f"pid {os.getpid()} on testhost"):
        assert expected in text


def test_status_exit_1_when_a_reply_needs_review_and_heartbeat_is_stale(running: Runtime) -> None:
    from bot.daemon.health import collect

    item = running.store.suggestions.pending()[0]
    outbox_id = approve(running.store, item.id, "ana", NOW, text="Sorry about that, DM us").outbox_id
    assert outbox_id is not None and running.store.outbox.claim(outbox_id, NOW)
    running.store.outbox.failed(outbox_id, "x: HTTP 400", NOW, state="needs_review")
    health = collect(running.store, running.settings, NOW + timedelta(minutes=10))
    assert not health.healthy
    assert any("could not be posted and need review" in p for p in health.problems)
    assert any("has not beaten since" in p for p in health.problems)
    code, out = status(running)
    assert code == 1 and "need review" in out


def test_status_json(running: Runtime) -> None:
    import json

    code, out = status(running, "--json")
    data = json.loads(out)
    assert data["running"] is True and data["pid"] == os.getpid()
    assert data["connectors"][0]["name"] == "replay"
    assert code == (0 if data["healthy"] else 1)


class _Client:
    """Requests through httpx's ASGI transport, in-process."""

    def __init__(self, app: object) -> None:
        self.app = app

    def get(self, path: str) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.get(path)
        return asyncio.run(call())


def _client(rt: Runtime, now_offset: timedelta = timedelta(seconds=5)) -> _Client:
    app = Starlette(routes=ops.routes)
    app.state.ronr = SimpleNamespace(rt=rt, clock=lambda: NOW + now_offset)
    return _Client(app)


def test_healthz_is_200_when_healthy_and_503_with_problems_when_not(running: Runtime, rt: Runtime) -> None:
    ok = _client(running).get("/healthz")
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "ok" and ok.json()["daemon"]["pid"] == os.getpid()
    stale = _client(running, timedelta(hours=1)).get("/healthz")
    assert stale.status_code == 503
    assert any("has not beaten" in p for p in stale.json()["problems"])


def test_metrics_are_prometheus_text(running: Runtime) -> None:
    response = _client(running).get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    samples = [ln for ln in lines if not ln.startswith("#")]
    assert samples and all(SAMPLE.match(ln) for ln in samples), [ln for ln in samples if not SAMPLE.match(ln)]
    for name in {ln.split("{")[0].split(" ")[0] for ln in samples}:
        assert f"# TYPE {name} " in response.text
    assert "ronr_up 1" in lines
    pending = sum(running.store.daemon.queue_depth().values())
    assert sum(int(ln.split()[-1]) for ln in samples if ln.startswith("ronr_queue_pending{")) == pending
    assert 'ronr_outbox_items{state="posted"} 0' in lines
    assert any(ln.startswith('ronr_connector_last_poll_timestamp_seconds{connector="replay"}') for ln in lines)


def test_metrics_parse_with_prometheus_own_parser(running: Runtime) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    families = {f.name: f for f in text_string_to_metric_families(_client(running).get("/metrics").text)}
    assert families["ronr_up"].type == "gauge" and families["ronr_up"].samples[0].value == 1
    runs = families["ronr_job_runs"]  # the parser files a counter under its name without _total
    assert runs.type == "counter" and all(s.name == "ronr_job_runs_total" for s in runs.samples)
    pending = {s.labels["priority"]: s.value for s in families["ronr_queue_pending"].samples}
    assert set(pending) == {"P1", "P2", "P3", "P4"} and sum(pending.values()) == sum(
        running.store.daemon.queue_depth().values())
    assert {s.labels["state"] for s in families["ronr_outbox_items"].samples} >= {
        "approved", "sending", "posted", "failed", "needs_review"}


def test_the_web_app_serves_ops_routes_without_sign_in(running: Runtime) -> None:
    from bot.web.app import create_app

    client = _Client(create_app(running, lambda: NOW + timedelta(seconds=5)))
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").text.startswith("# HELP ronr_up")


def test_status_exit_0_when_everything_is_fresh(rt: Runtime) -> None:
    from bot.clock import utcnow

    lock = InstanceLock(Path(rt.store.path))
    lock.acquire()
    try:
        rt.store.daemon.started(os.getpid(), "testhost", "0.1.0", utcnow())
        poll_once(rt, utcnow())
        code, out = status(rt)
    finally:
        lock.release()
    assert code == 0, out
    assert "healthy" in out and "UNHEALTHY" not in out


X_CONFIG = """
[connectors.replay]
enabled = false

[connectors.x]
enabled = true
base_url = "{url}"
monthly_read_budget = 5000
"""


def test_status_lists_each_item_for_a_platform_connector(make_project: Callable[..., Path], fx: FakeX,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.clock import utcnow
    from bot.config import load_settings
    from bot.runtime import build_runtime
    from tests.conftest import CONFIG

    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    config = CONFIG.replace("[connectors.replay]\nenabled = true", "[connectors.replay]\nenabled = false")
    settings = load_settings(make_project(config=config.replace(
        "[database]", X_CONFIG.format(url=fx.url).replace("[connectors.replay]\nenabled = false\n", "")
        + "\n[database]")))
    rt = build_runtime(settings)
    lock = InstanceLock(Path(rt.store.path))
    lock.acquire()
    try:
        start = utcnow()
        rt.store.daemon.started(os.getpid(), "testhost", "0.1.0", start)
        fx.add_tweet("jess", "@nimbushome my Nimbus Thermo never arrived and nobody answers")
        poll_once(rt, start)
        rt.store.daemon.job_started("weekly_report", start)
        rt.store.daemon.job_finished("weekly_report", start, summary="week 2026-W47: sent 2")
        code, out = status(rt)
        assert code == 0, out
        [row] = [line for line in out.splitlines() if line.startswith("x ")]
        assert "ago" in row and "2/5000 posts read" in row  # last poll, budget spent (search + mentions)
        assert re.search(r"pending\s+\d+\s+\d+\s+\d+\s+\d+\s+1$", out, re.MULTILINE)  # depth by priority, total
        assert re.search(r"past SLA\s+0\s+0\s+0\s+0\s+0$", out, re.MULTILINE)
        assert "Oldest pending: " in out and "Outbox: approved 0, sending 0, posted 0, failed 0, needs_review 0" in out
        assert "Weekly report: last sent" in out and "(week 2026-W47: sent 2)" in out

        fx.fail_next(1, 429, path_prefix="/2/tweets/search", headers={"x-rate-limit-reset": str(int(start.timestamp())
                                                                                              + 3600)})
        poll_once(rt, start)  # the cursor holds our ids now: the search itself is refused
        code, out = status(rt)
        assert code == 0, out  # a pause is a warning, not a problem
        [row] = [line for line in out.splitlines() if line.startswith("x ")]
        assert "UTC" in row  # paused until
        assert "Warnings:" in out and "connector x paused until" in out and "HTTP 429" in out

        fx.fail_next(10, 401)
        rt.store.mentions.record_poll_error("x", "", start)  # the pause is over
        poll_once(rt, start)
        rt.store.daemon.job_finished("weekly_report", start, error="report.recipients: nobody to send to")
        code, out = status(rt)
        assert code == 1, out
        [row] = [line for line in out.splitlines() if line.startswith("x ")]
        assert "x: token rejected (HTTP 401" in row  # last error
        assert "connector x: last poll failed: x: token rejected" in out
        assert "Weekly report: last run" in out and "failed: report.recipients: nobody to send to" in out
    finally:
        lock.release()
        rt.close()


def test_a_shell_without_the_secrets_does_not_make_a_live_daemon_unhealthy(running: Runtime) -> None:
    from bot.daemon.health import collect

    missing = {"x": "x: environment variable RONR_X_BEARER_TOKEN is not set (named by ...)"}
    health = collect(running.store, running.settings, NOW + timedelta(seconds=5), connector_errors=missing)
    assert health.healthy, health.problems
    assert any(w.startswith("connector x cannot be built in this process") and "RONR_X_BEARER_TOKEN" in w
               for w in health.warnings)
