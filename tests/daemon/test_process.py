"""`ronr run` as a real process: graceful stop, one instance per database, a killed instance's lock recovered."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bot.clock import utcnow
from bot.daemon.lock import holder, lock_path
from bot.queue import approve
from bot.store import Store
from tests.daemon.conftest import SECRETS, DaemonProcess, wait_for, write_project
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_finishes_the_post_in_flight_and_exits_0_within_10_s(tmp_path: Path, fx: FakeX,
                                                                           fr: FakeReddit, signum: int) -> None:
    fx.add_tweet("jess", "@nimbushome is the Nimbus Hub compatible with HomeKit?")
    config = write_project(tmp_path, fx.url, fr.url, log_level="DEBUG")  # the libraries' debug lines too
    store = Store(tmp_path / "ronr.db")
    daemon = DaemonProcess(config, "--no-web").start()
    try:
        daemon.wait_ready(store)
        wait_for(lambda: store.suggestions.pending(), 20, "the mention to be queued")
        fx.slow_next(1, delay=2.0, path_prefix="/2/tweets")  # the post takes 2 s on the platform
        fx.reset_log()
        item = store.suggestions.pending()[0]
        approve(store, item.id, "ana", utcnow(), text="Yes, it works with HomeKit: Settings > Bridges.")
        wait_for(lambda: store.outbox.counts().get("sending"), 10, "the reply to be in flight")
        started = time.monotonic()
        code = daemon.terminate(timeout=12, signum=signum)
        elapsed = time.monotonic() - started
    finally:
        daemon.stop()
    assert code == 0
    assert elapsed < 10
    assert store.outbox.counts() == {"posted": 1}
    assert len(fx.posted()) == 1
    inst = store.daemon.instance()
    assert inst is not None and inst.stopped_at is not None
    assert holder(tmp_path / "ronr.db") is None
    log = daemon.log.read_text()
    assert f"received {signal.Signals(signum).name}" in log
    assert "job=dispatch connector=x item=outbox:" in log and "DEBUG" in log
    leaked = [name for name, value in SECRETS.items() if value in log]
    assert leaked == [], f"secrets in the log: {leaked}"
    store.close()


def test_a_second_instance_is_refused_and_a_killed_instances_lock_is_recovered(tmp_path: Path, fx: FakeX,
                                                                               fr: FakeReddit) -> None:
    config = write_project(tmp_path, fx.url, fr.url, poll_minutes=5)
    store = Store(tmp_path / "ronr.db")
    first = DaemonProcess(config, "--no-web").start()
    second = third = None
    try:
        first.wait_ready(store)
        assert holder(tmp_path / "ronr.db") == first.pid
        second = DaemonProcess(config, "--no-web").start()
        assert second.proc is not None
        assert second.proc.wait(15) == 1
        log = second.log.read_text()
        assert f"another `ronr run` (pid {first.pid}) is already using {tmp_path / 'ronr.db'}" in log
        first.kill()
        assert lock_path(tmp_path / "ronr.db").read_text().strip() == str(first.pid)  # the file stays behind
        assert holder(tmp_path / "ronr.db") is None  # but the lock died with the process
        third = DaemonProcess(config, "--no-web").start()
        third.wait_ready(store)
        assert holder(tmp_path / "ronr.db") == third.pid
        assert third.terminate() == 0
    finally:
        for proc in (first, second, third):
            if proc is not None:
                proc.stop()
    store.close()


def test_missing_credentials_exit_2_without_a_restart_loop(tmp_path: Path, fx: FakeX, fr: FakeReddit) -> None:
    config = write_project(tmp_path, fx.url, fr.url)
    daemon = DaemonProcess(config, "--no-web", env={"RONR_X_BEARER_TOKEN": ""}).start()
    try:
        assert daemon.proc is not None
        assert daemon.proc.wait(15) == 2
    finally:
        daemon.stop()
    assert "RONR_X_BEARER_TOKEN is not set" in daemon.log.read_text()
