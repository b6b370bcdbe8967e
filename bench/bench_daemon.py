"""The daemon on a small server: idle memory of `ronr run` with the web UI, and approval-to-posted latency.

A real `ronr run` subprocess (web UI on) polls the fake X and Reddit servers; once the queue is
filled and the process idles, its resident memory is read from /proc. Then replies are approved one
at a time the way `ronr queue approve` does (another process, so the daemon's 1-second outbox check
finds them, not an in-process wake-up), at random moments, and the time until the outbox records
the platform's id is measured. Run: ``python -m bench.bench_daemon [--quick]``.
"""

from __future__ import annotations

import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, figure, main_for, percentile, rss_mb
from bot.clock import utcnow
from bot.queue import approve
from bot.store import Store
from tests.daemon.conftest import DaemonProcess, wait_for, write_project
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX

RSS_GOAL_MB = 120.0
MEDIAN_GOAL_S = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(quick: bool = False) -> list[Figure]:
    """Idle RSS of the daemon with the web UI, and median / p95 approval->posted latency."""
    approvals = 4 if quick else 40
    settle = 0.5 if quick else 5.0
    rng = random.Random(3)
    fx, fr = FakeX(), FakeReddit()
    fx.start()
    fr.start()
    for i in range(approvals + 10):
        fx.add_tweet(f"fan{i}", f"@nimbushome does the Nimbus Hub work with HomeKit? asking about room {i}")
        fr.add_submission(f"redditor{i}", f"Nimbus Hub question {i}", f"Does the Nimbus Hub support Matter? ({i})")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = write_project(root, fx.url, fr.url, poll_minutes=5, dispatch_seconds=1, web_port=_free_port())
        store = Store(root / "ronr.db")
        daemon = DaemonProcess(config).start()
        try:
            daemon.wait_ready(store, timeout=30)
            wait_for(lambda: len(store.suggestions.pending(limit=500)) >= 2 * approvals, 60, "the first polls")
            time.sleep(settle)
            idle = rss_mb(daemon.pid)
            latencies = []
            for item in store.suggestions.pending(limit=approvals):
                time.sleep(rng.uniform(0.0, 1.0))  # approvals come at random moments, not in step with the ticks
                started = time.perf_counter()
                outbox_id = approve(store, item.id, "bench", utcnow(), text="Thanks, checking for you now").outbox_id
                assert outbox_id is not None

                def posted(oid: int = outbox_id) -> bool:
                    found = store.outbox.get(oid)
                    return found is not None and found.state == "posted"
                wait_for(posted, 30, "the reply to be posted", every=0.005)
                latencies.append(time.perf_counter() - started)
            code = daemon.terminate()
        finally:
            daemon.stop()
            store.close()
            fx.stop()
            fr.stop()
    median, p95 = statistics.median(latencies), percentile(latencies, 95)
    note = f"{len(latencies)} approvals, X and Reddit; daemon exit code {code} on SIGTERM"
    return [
        figure("daemon idle RSS with web UI", idle, "MB", goal=f"< {RSS_GOAL_MB:g} MB", at_most=RSS_GOAL_MB),
        figure("approval -> posted, median", median, "s", goal=f"< {MEDIAN_GOAL_S:g} s", at_most=MEDIAN_GOAL_S,
               note=note),
        figure("approval -> posted, p95", p95, "s"),
    ]


if __name__ == "__main__":
    sys.exit(main_for(run))
