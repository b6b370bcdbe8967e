"""Exactly once, for real: `ronr run` against the fake X and Reddit servers, killed with SIGKILL at random.

Each trial approves a few replies through :func:`bot.queue.approve` (a recorded human approval),
adds new mentions on both platforms, and kills the daemon after a random short delay: while it
starts and reconciles, while it polls, or between claiming a reply and recording the platform's
answer (posts are slowed on the fake servers to widen that window). At the end a last daemon
settles everything; every approved reply must be on its platform exactly once, and every mention
the platforms hold must be stored.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.clock import utcnow
from bot.queue import approve
from bot.store import Store
from tests.daemon.conftest import DaemonProcess, wait_for, write_project
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX

TRIALS = 50
INITIAL = 70
PER_TRIAL = 2


def seed(fx: FakeX, fr: FakeReddit, n: int, start: int) -> None:
    for i in range(start, start + n):
        fx.add_tweet(f"fan{i}", f"@nimbushome does the Nimbus Hub work with HomeKit? asking about room {i}")
        fr.add_submission(f"redditor{i}", f"Nimbus Hub question {i}",
                          f"Does the Nimbus Hub support Matter in setup number {i}?")


def x_replies(fx: FakeX) -> Counter[str]:
    return Counter(ref["id"] for t in fx.posted() for ref in t.get("referenced_tweets", [])
                   if ref["type"] == "replied_to")


def reddit_replies(fr: FakeReddit) -> Counter[str]:
    return Counter(str(c["parent_id"]) for c in fr.posted())


def approve_some(store: Store, rng: random.Random, count: int, approved: dict[int, tuple[str, str]]) -> int:
    pending = store.suggestions.pending(limit=500)
    rng.shuffle(pending)
    for item in pending[:count]:
        approve(store, item.id, "crash-tester", utcnow(), text=f"Thanks for asking, we will check for you ({item.id})")
        approved[item.id] = (item.mention.platform, item.mention.platform_id)
    return min(count, len(pending))


@pytest.mark.slow
def test_sigkill_at_random_points_never_posts_twice_or_loses_a_mention(tmp_path: Path, fx: FakeX,
                                                                        fr: FakeReddit) -> None:
    rng = random.Random(7)
    config = write_project(tmp_path, fx.url, fr.url)
    seed(fx, fr, INITIAL, 0)
    fx.slow_next(10**6, delay=0.05, path_prefix="/2/tweets")
    fr.slow_next(10**6, delay=0.05, path_prefix="/api/comment")
    store = Store(tmp_path / "ronr.db")
    approved: dict[int, tuple[str, str]] = {}
    seeded = INITIAL
    caught_sending = 0  # kills that left a reply claimed but not recorded: the window exactly-once is about
    try:
        first = DaemonProcess(config, "--no-web").start()
        first.wait_ready(store)
        wait_for(lambda: len(store.suggestions.pending(limit=500)) >= 2 * INITIAL - 10, 30, "the first polls")
        first.kill()
        for trial in range(TRIALS):
            before_start = trial % 5 == 0  # sometimes approve first and kill during start-up and reconciliation
            if before_start:
                approve_some(store, rng, PER_TRIAL, approved)
            daemon = DaemonProcess(config, "--no-web").start()
            if before_start:
                time.sleep(rng.uniform(0.3, 1.2))
            else:
                daemon.wait_ready(store)
                approve_some(store, rng, PER_TRIAL, approved)
                seed(fx, fr, 1, seeded)
                seeded += 1
                time.sleep(rng.uniform(0.0, 0.5))
            daemon.kill()
            caught_sending += bool(store.outbox.counts().get("sending"))
        assert len(approved) >= TRIALS * PER_TRIAL * 0.9
        assert caught_sending >= 3, f"only {caught_sending} kills landed between a claim and its record"

        last = DaemonProcess(config, "--no-web").start()
        last.wait_ready(store)

        def settled() -> bool:
            counts = store.outbox.counts()
            return counts.get("approved", 0) + counts.get("sending", 0) == 0 and store.mentions.count() >= 2 * seeded
        wait_for(settled, 30, "the outbox to settle and every mention to be stored", every=0.1)
        assert last.terminate() == 0
    finally:
        for proc in (locals().get("first"), locals().get("daemon"), locals().get("last")):
            if isinstance(proc, DaemonProcess):
                proc.stop()

    counts = store.outbox.counts()
    assert counts == {"posted": len(approved)}, counts
    on_x, on_reddit = x_replies(fx), reddit_replies(fr)
    want_x = sorted(pid for platform, pid in approved.values() if platform == "x")
    want_reddit = sorted(pid for platform, pid in approved.values() if platform == "reddit")
    assert sorted(on_x) == want_x and set(on_x.values()) == {1}, "X did not receive every reply exactly once"
    assert sorted(on_reddit) == want_reddit and set(on_reddit.values()) == {1}, \
        "Reddit did not receive every reply exactly once"
    log = (tmp_path / "daemon.log").read_text()
    assert "reconciled: the reply was already posted" in log, "no kill fell after a post reached the platform"
    stored = {(m["platform"], m["platform_id"]) for m in store.db.query("SELECT platform, platform_id FROM mentions")}
    held = {("x", str(t["id"])) for t in fx.tweets.values() if t["author_id"] != fx.me_id}
    held |= {("reddit", name) for name, thing in fr.things.items() if name.startswith("t3_")}
    assert held - stored == set(), "a mention the platforms hold was never stored"
    store.close()
