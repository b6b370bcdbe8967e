"""Large synthetic RonR databases and replay data sets, deterministic from a seed.

``python -m bench.generate --seed 1 --mentions N --pending N --loops N --out path.db`` builds a
database on the real schema (the store's migrations) holding, for the fictional brand Nimbus Home
on X and Reddit:

- ``mentions``: N triaged mentions with no suggestion (history the pipeline already went through);
- ``pending``: N triaged mentions, each with a pending reply suggestion (the approval queue);
- ``loops``: N closed conversation loops (mention, triage, approved suggestion, loop answered or
  timed out) spread over the two years before :data:`WEEK`, plus ``--week-loops`` loops inside
  :data:`WEEK` itself, so a Social ID of that week does the same work whatever the history size.

Loops carry no outbox or approval rows and answers are not stored as mentions: the Social ID reads
loops, mentions and suggestions only. ``--replay DIR --replay-mentions N`` also writes a replay
data set (``mentions.jsonl``) that the replay connector plays, ``--per-minute`` mentions a minute.
Same seed and sizes, same rows: nothing reads the clock.
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.config.settings import TriageSettings
from bot.store import connect
from bot.store.bulk import load, next_id, row_counts, session
from bot.store.daemon_state import DaemonStateStore
from bot.store.mentions import text_hash

WEEK = "2026-W10"
"""The ISO week the loops' Social ID is measured on; history lies in the two years before it."""
WEEK_START = datetime(2026, 3, 2, tzinfo=UTC)
END = WEEK_START + timedelta(days=7)
WEEK_TS, END_TS = WEEK_START.timestamp(), END.timestamp()
HISTORY_TS = END_TS - 730 * 86400
ACCOUNTS = {"x": "nimbushome", "reddit": "NimbusHome"}
PRIORITIES = ("P1", "P2", "P3", "P4")
SLA_HOURS = {"P1": 1.0, "P2": 4.0, "P3": 24.0, "P4": 72.0}

PRODUCTS = ("Nimbus Thermo", "Nimbus Hub", "Nimbus Sense", "Nimbus Plug", "the Nimbus app")
OPENERS = ("", "hey", "hi", "so", "ok", "honestly", "quick question:", "ugh", "wow", "PSA:", "not gonna lie")
COMPLAINTS = ("stopped connecting to wifi after the update", "keeps dropping offline every night",
              "arrived with a cracked screen", "never arrived and support is silent",
              "charged me twice this month", "reset itself to 16 degrees again", "is way too loud at night",
              "lost all my schedules", "app crashes when I open settings", "battery died after two weeks")
PRAISE = ("is honestly the best thing in my flat", "saved us a fortune on heating this winter",
          "set up in five minutes, love it", "just works, thanks for the quick fix",
          "support sorted my problem in ten minutes", "looks great on the wall")
QUESTIONS = ("does it work with HomeKit?", "can I use it with a heat pump?", "when is the next firmware out?",
             "is there a way to export my usage data?", "does it support two zones?",
             "how do I move it to a new router?", "will it work in the UK?")
CHATTER = ("saw the ad for it on the train", "my brother swears by it", "thinking about getting one",
           "the new colour looks nice", "anyone tried the winter sale?")
TAILS = ("", "", "", "!", "?", "!!", " 😡", " 🙏", " ❤️", " 😂", " #smarthome", " pls help", " thanks")
SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "jo", "sun", "el", "vi", "dan", "ro", "bee", "an", "ny", "zo", "ph")
DETAILS = (" (order #{n})", ", day {d} of this", " since {day}", ", {d} times now", " in room {d}",
           ", firmware 2.{d}", " — ticket {n}", " after {d} weeks")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend", "the update", "the move")
REPLIES = ("Thanks for flagging this, {h}! Could you DM us your order number so we can sort it today?",
           "So sorry about that, {h}. A firmware fix is rolling out this week; does a restart help meanwhile?",
           "Great question, {h}: yes, it does. Happy to walk you through the setup if you like!",
           "That's lovely to hear, {h}, thank you! Anything you'd like us to improve?")


class Generator:
    """Deterministic rows from ``seed``: authors, texts, times."""

    def __init__(self, seed: int, authors: int = 5000, texts: int = 8192) -> None:
        self.rng = random.Random(seed)
        self.authors = [self._author(i) for i in range(authors)]
        # Composing every text costs more than storing it; a pool of distinct texts per platform keeps
        # the mix (and the share of copies the spam check sees) while a million rows stay fast.
        self.pool = {p: [self.text(p) for _ in range(texts)] for p in ("x", "reddit")}

    def detailed(self, platform: str) -> tuple[str, str, bool]:
        """A freshly composed text with a specific detail, so texts repeat about as rarely as real ones."""
        text, kind, addressed = self.text(platform)
        rng = self.rng
        detail = rng.choice(DETAILS).format(n=rng.randint(10_000, 99_999), d=rng.randint(2, 40), day=rng.choice(DAYS))
        return text.rstrip("!?") + detail + text[len(text.rstrip("!?")):], kind, addressed

    def pick(self, platform: str) -> tuple[str, str, bool]:
        """A text from the pool: (text, kind, addresses the brand)."""
        pool = self.pool[platform]
        return pool[int(self.rng.random() * len(pool))]

    def _author(self, i: int) -> tuple[str, str, str, int]:
        rng = self.rng
        handle = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) + str(rng.randint(1, 999))
        platform = "x" if i % 3 else "reddit"
        return platform, f"{platform[0]}u{i}", handle, int(rng.paretovariate(1.2) * 40)

    def text(self, platform: str) -> tuple[str, str, bool]:
        """(text, kind of text, addresses the brand) of one mention."""
        rng = self.rng
        kind = rng.choices(("complaint", "praise", "question", "chatter"), (4, 2, 3, 1))[0]
        product = rng.choice(PRODUCTS)
        body = {"complaint": f"my {product} {rng.choice(COMPLAINTS)}", "praise": f"{product} {rng.choice(PRAISE)}",
                "question": f"{product}: {rng.choice(QUESTIONS)}", "chatter": f"{rng.choice(CHATTER)} ({product})"}
        addressed = kind != "chatter"
        handle = f"@{ACCOUNTS['x']} " if platform == "x" and addressed else ""
        opener = rng.choice(OPENERS)
        return f"{opener + ' ' if opener else ''}{handle}{body[kind]}{rng.choice(TAILS)}", kind, addressed


_DAYS: dict[int, str] = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_MINUTES = [f"T{m // 60:02d}:{m % 60:02d}:" for m in range(1440)]
_SECONDS = [f"{sec:02d}+00:00" for sec in range(60)]


def _iso(ts: float) -> str:
    """bot.store.iso of a UTC epoch time, without building a datetime (millions of these)."""
    day, sec = divmod(int(ts), 86400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = (_EPOCH + timedelta(days=day)).date().isoformat()
    return prefix + _MINUTES[sec // 60] + _SECONDS[sec % 60]


COMPOUND = {"complaint": -0.6, "praise": 0.7, "question": 0.0, "chatter": 0.2}
RANK = {"complaint": 0, "question": 1, "praise": 2, "chatter": 3}
INTENTS = {k: json.dumps([k]) for k in COMPOUND}
REASONS = {k: json.dumps([f"intent {k}"]) for k in COMPOUND}
CHUNK = 50_000


class _Rows:
    """Rows of one bulk load under construction, with the next ids to hand out."""

    def __init__(self, db: sqlite_utils.Database, gen: Generator, seed: int) -> None:
        self.db, self.gen, self.seed = db, gen, seed
        base = next_id(db, "authors")
        # The first authors keep the ids replay_records gives them, so a replay into this database meets its history.
        self.authors = [(base + i, p, pid if base == 1 else f"{pid}-{base}", h, h.title(), f, int(f > 5000),
                         _iso(END_TS), _iso(END_TS))
                        for i, (p, pid, h, f) in enumerate(gen.authors)]
        load(db, {"authors": self.authors})
        self.mention_id, self.suggestion_id, self.loop_id = (
            next_id(db, t) for t in ("mentions", "suggestions", "loops"))
        self.hashes: dict[str, str] = {}
        self.rows: dict[str, list[tuple[object, ...]]] = {t: [] for t in ("mentions", "triage", "suggestions", "loops")}

    def _hash(self, text: str) -> str:
        found = self.hashes.get(text)
        if found is None:
            found = self.hashes[text] = text_hash(text)
        return found

    def mention(self, ts: float) -> tuple[int, str, str, str, int, float, str]:
        """A triaged mention at epoch ``ts``: (id, platform, account, handle, author id, compound, priority)."""
        rng = self.gen.rng
        author_id, platform, _, handle = self.authors[int(rng.random() * len(self.authors))][:4]
        text, kind, addressed = self.gen.pick(str(platform))
        account = ACCOUNTS[str(platform)]
        mid = self.mention_id
        self.mention_id += 1
        pid = f"g{self.seed}-{mid}"
        at = _iso(ts)
        self.rows["mentions"].append((mid, "generated", platform, pid, "mention", author_id, account, text, at,
                                      _iso(ts + 30), pid, int(addressed), "en", f"https://{platform}.example/{pid}",
                                      f'{{"id": "{pid}", "generated": true}}', self._hash(text)))
        compound = round(COMPOUND[kind] + rng.uniform(-0.3, 0.3), 4)
        priority = PRIORITIES[min(3, RANK[kind] + rng.randrange(2))]
        label = "negative" if compound <= -0.05 else "positive" if compound >= 0.05 else "neutral"
        self.rows["triage"].append((mid, compound, label, INTENTS[kind], 1.0 if addressed else 0.6, "en", 0,
                                    priority, round(rng.random(), 4), REASONS[kind], at))
        return mid, str(platform), account, str(handle), int(str(author_id)), compound, priority

    def suggestion(self, mid: int, platform: str, account: str, handle: str, priority: str, ts: float,
                   status: str) -> str:
        """A reply suggestion for mention ``mid``; returns its text."""
        template = REPLIES[int(self.gen.rng.random() * len(REPLIES))]
        text = template.replace("{h}", f"@{handle}" if platform == "x" else f"u/{handle}")
        at = _iso(ts)
        self.rows["suggestions"].append((self.suggestion_id, mid, "reply", "reply", "generated", text, status,
                                         platform, account, priority, _iso(ts + SLA_HOURS[priority] * 3600), at, at))
        self.suggestion_id += 1
        return text

    def loop(self, ts: float) -> None:
        """A closed loop opened at ``ts``: mention, approved suggestion, our reply, maybe an answer."""
        rng = self.gen.rng
        mid, platform, account, handle, author_id, compound, priority = self.mention(ts)
        text = self.suggestion(mid, platform, account, handle, priority, ts, "approved")
        if rng.random() < 0.1:  # edited before approval
            text = text.replace("!", ".")
        replied = ts + 60 * rng.expovariate(1 / (SLA_HOURS[priority] * 40))
        answered = replied + 60 * rng.expovariate(1 / 90) if rng.random() < 0.6 else None
        answer = round(min(1.0, compound + rng.uniform(-0.1, 0.8)), 4) if answered else None
        self.rows["loops"].append((self.loop_id, mid, platform, account, author_id, priority, _iso(ts),
                                   _iso(ts + SLA_HOURS[priority] * 3600), compound, "closed", _iso(replied), text,
                                   _iso(answered) if answered else None, answer,
                                   _iso(answered or replied + 3 * 86400), "answered" if answered else "timeout"))
        self.loop_id += 1

    def take(self) -> dict[str, list[tuple[object, ...]]]:
        """The rows built so far, handed over (this builder starts afresh)."""
        taken, self.rows = self.rows, {t: [] for t in self.rows}
        return taken

    def full(self) -> bool:
        """Whether a chunk's worth of rows piled up."""
        return len(self.rows["mentions"]) >= CHUNK


def _chunks(out: _Rows, mentions: int, pending: int, loops: int, week_loops: int) -> Iterator[dict[str, list[Any]]]:
    rng = out.gen.rng
    history = WEEK_TS - HISTORY_TS
    # Times in order, as a live database receives them: index pages are appended, not shuffled.
    for ts in sorted(HISTORY_TS + history * rng.random() for _ in range(mentions)):
        out.mention(ts)
        if out.full():
            yield out.take()
    for ts in sorted(END_TS - rng.uniform(0, 3 * 86400) for _ in range(pending)):
        mid, platform, account, handle, _, _, priority = out.mention(ts)
        out.suggestion(mid, platform, account, handle, priority, ts, "pending")
        if out.full():
            yield out.take()
    for ts in sorted(HISTORY_TS + history * rng.random() for _ in range(loops)):
        out.loop(ts)
        if out.full():
            yield out.take()
    # Week loops open in its first 4 days, leaving time for replies and answers to land in it.
    for ts in sorted(WEEK_TS + rng.uniform(0, 4 * 86400) for _ in range(week_loops)):
        out.loop(ts)
        if out.full():
            yield out.take()
    yield out.take()


def _prefetched(chunks: Iterator[dict[str, list[Any]]]) -> Iterator[dict[str, list[Any]]]:
    """Build the next chunk in a thread while SQLite (which releases the GIL) writes this one."""
    ready: queue.Queue[dict[str, list[Any]] | BaseException | None] = queue.Queue(maxsize=2)

    def produce() -> None:
        try:
            for chunk in chunks:
                ready.put(chunk)
            ready.put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            ready.put(exc)

    threading.Thread(target=produce, name="generate", daemon=True).start()
    while (item := ready.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item


def build(db_path: Path, seed: int, mentions: int = 0, pending: int = 0, loops: int = 0,
          week_loops: int = 200, authors: int = 5000) -> dict[str, int]:
    """Create or extend the database at ``db_path``; return its row counts."""
    db = connect(db_path)
    try:
        with session(db):
            out = _Rows(db, Generator(seed, authors), seed)
            for chunk in _prefetched(_chunks(out, mentions, pending, loops, week_loops)):
                load(db, chunk)
        # As the daemon's daily maintenance leaves it at END: the same-text window's copies only.
        DaemonStateStore(db).prune_recent_texts(END - timedelta(days=TriageSettings().spam_same_text_days))
        return row_counts(db)
    finally:
        db.close()


def replay_records(seed: int, count: int, per_minute: int = 1000, start: int = 0,
                   authors: int = 5000) -> Iterator[dict[str, object]]:
    """Replay records ``start`` to ``start + count`` (the data/sample format), ``per_minute`` a minute from minute 0."""
    gen = Generator(seed, authors)
    for i in range(start, start + count):
        platform, author_pid, handle, followers = gen.authors[int(gen.rng.random() * len(gen.authors))]
        text, _, addressed = gen.detailed(platform)
        pid = f"r{seed}-{i}"
        yield {"platform": platform, "platform_id": pid, "minutes": (i - start) // per_minute, "text": text,
               "lang": "en",
               "author": {"id": author_pid, "handle": handle, "name": handle.title(), "followers": followers},
               "thread_id": pid, "in_reply_to": None, "addresses_us": addressed, "account": ACCOUNTS[platform],
               "url": f"https://{platform}.example/{pid}"}


def write_replay(folder: Path, seed: int, count: int, per_minute: int = 1000, start: int = 0,
                 authors: int = 5000) -> Path:
    """Write ``count`` replay records to ``folder/mentions.jsonl`` (and an empty answers file)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "mentions.jsonl").open("w", encoding="utf-8") as out:
        for record in replay_records(seed, count, per_minute, start, authors):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    (folder / "answers.jsonl").write_text("", encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    """The command line; prints the row counts and how long it took."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mentions", type=int, default=0, help="triaged mentions without suggestion")
    parser.add_argument("--pending", type=int, default=0, help="mentions with a pending reply suggestion")
    parser.add_argument("--loops", type=int, default=0, help="closed loops over the two years before " + WEEK)
    parser.add_argument("--week-loops", type=int, default=200, help=f"closed loops inside {WEEK} (default 200)")
    parser.add_argument("--out", type=Path, help="the database to create or extend")
    parser.add_argument("--replay", type=Path, help="also write a replay data set into this folder")
    parser.add_argument("--replay-mentions", type=int, default=0)
    parser.add_argument("--per-minute", type=int, default=1000, help="replay mentions per minute")
    args = parser.parse_args(argv)
    if args.out is None and args.replay is None:
        parser.error("nothing to write: give --out path.db and/or --replay DIR")
    if min(args.mentions, args.pending, args.loops, args.week_loops, args.replay_mentions) < 0:
        parser.error("counts must be zero or more")
    started = time.perf_counter()
    if args.out is not None:
        counts = build(args.out, args.seed, args.mentions, args.pending, args.loops, args.week_loops)
        print(f"{args.out}: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()), flush=True)
    if args.replay is not None:
        write_replay(args.replay, args.seed, args.replay_mentions, args.per_minute)
        print(f"{args.replay / 'mentions.jsonl'}: {args.replay_mentions:,} replay mentions")
    print(f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
