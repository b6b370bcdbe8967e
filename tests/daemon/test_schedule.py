"""The schedule itself: each job's properties, the weekly report in the configured timezone, and the
dispatcher woken by an approval rather than by its timer."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import utcnow
from bot.config import load_settings
from bot.daemon.scheduler import Daemon
from bot.dispatch import notify_approved
from bot.pipeline import poll_once
from bot.queue import approve
from bot.runtime import build_runtime
from tests.conftest import CONFIG, NOW
from tests.daemon.conftest import SECRETS, wait_for
from tests.fakes.fake_x import FakeX

NEW_YORK = ZoneInfo("America/New_York")


def project(make_project: Callable[..., Path], daemon: str, timezone: str = "UTC") -> Path:
    config = CONFIG.replace('timezone = "UTC"', f'timezone = "{timezone}"') + "\n[daemon]\n" + daemon
    return Path(make_project(config=config))


def test_every_job_is_coalesced_single_instance_polls_jittered_and_crons_in_the_configured_timezone(
        make_project: Callable[..., Path]) -> None:
    settings = load_settings(project(make_project, 'report_day = "fri"\nreport_time = "08:30"\n'
                                                   'maintenance_time = "03:15"\n', timezone="America/New_York"))
    daemon = Daemon(settings, settings.resolve(settings.database.path), lambda: NOW, random.Random(1))
    try:
        daemon.schedule()
        daemon.scheduler.start(paused=True)
        jobs = {job.id: job for job in daemon.scheduler.get_jobs()}
        assert set(jobs) == {"poll:replay", "dispatch", "heartbeat", "loops", "expire", "weekly_report",
                             "maintenance"}
        for job in jobs.values():
            assert job.coalesce and job.max_instances == 1, job.id  # a late run is one run; never two at once
        poll = jobs["poll:replay"].trigger
        assert isinstance(poll, IntervalTrigger) and poll.interval.total_seconds() == 5 * 60
        assert poll.jitter is not None and 0 < poll.jitter <= 60  # polls of many daemons spread out
        for job_id, weekday, hour, minute in (("weekly_report", 4, 8, 30), ("maintenance", None, 3, 15)):
            trigger = jobs[job_id].trigger
            assert isinstance(trigger, CronTrigger) and str(trigger.timezone) == "America/New_York"
            local = jobs[job_id].next_run_time.astimezone(NEW_YORK)
            assert (local.hour, local.minute) == (hour, minute), job_id
            assert weekday is None or local.weekday() == weekday
            assert jobs[job_id].next_run_time.utcoffset() == local.utcoffset()  # New York time, not UTC
    finally:
        daemon.stop(1)
        daemon.close()


def test_an_approval_wakes_the_running_dispatcher_long_before_its_timer(make_project: Callable[..., Path]) -> None:
    settings = load_settings(project(make_project, "dispatch_seconds = 3600\n"))
    rt = build_runtime(settings)
    daemon = Daemon(settings, settings.resolve(settings.database.path), utcnow, random.Random(1))
    try:
        poll_once(rt, utcnow())
        item = rt.store.suggestions.pending()[0]
        daemon.start()
        job = daemon.scheduler.get_job("dispatch")
        wait_for(lambda: job.next_run_time.timestamp() - utcnow().timestamp() > 3000, 5,
                 "the first tick to pass, leaving the timer an hour off")
        outbox_id = approve(rt.store, item.id, "ana", utcnow(), text="Thanks, we are on it.").outbox_id
        assert outbox_id is not None
        notify_approved()  # what the web UI does after recording an approval
        wait_for(lambda: (found := rt.store.outbox.get(outbox_id)) is not None and found.state == "posted", 5,
                 "the approved reply to be posted")
    finally:
        daemon.stop(5)
        daemon.close()
        rt.close()



def test_a_rate_limit_pause_pushes_that_connectors_next_poll_back(
        make_project: Callable[..., Path], fx: FakeX, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    x_table = (f'[connectors.x]\nenabled = true\nbase_url = "{fx.url}"\npoll_minutes = 1\n'
               "monthly_read_budget = 100000\n\n[database]")
    config = CONFIG.replace("[connectors.replay]\nenabled = true", "[connectors.replay]\nenabled = false")
    settings = load_settings(Path(make_project(config=config.replace("[database]", x_table))))
    start = utcnow()
    daemon = Daemon(settings, settings.resolve(settings.database.path), lambda: start, random.Random(1))
    try:
        daemon.schedule()
        daemon.scheduler.start(paused=True)
        fx.add_tweet("jess", "@nimbushome hello")
        reset = start.replace(microsecond=0) + timedelta(minutes=40)
        fx.fail_next(1, 429, path_prefix="/2/tweets/search",
                     headers={"x-rate-limit-reset": str(int(reset.timestamp()))})
        job = daemon.scheduler.get_job("poll:x")
        job.func(*job.args)  # one run, as the scheduler makes it (a read-budget pause takes the same path)
        assert daemon.scheduler.get_job("poll:x").next_run_time == reset  # not a minute from now
        rt = daemon.runtime("poll:x")
        assert rt.store.daemon.jobs()["poll:x"].next_run == reset  # what `ronr status` shows as the next poll
    finally:
        daemon.stop(1)
        daemon.close()
