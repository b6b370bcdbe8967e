"""Full triage against plain vaderSentiment: throughput on the gold tweets, a 40 KB post, memory.

- throughput: ``triage()`` of every gold tweet (sentiment, intents, relevance, language, spam,
  priority, reasons) against plain ``SentimentIntensityAnalyzer.polarity_scores`` of the same
  tweets, one core, repetitions interleaved; goal: ratio >= 1;
- a 40 KB post of mixed words and emoji: one ``triage()`` call, median of runs; goal < 50 ms;
- memory: resident set size of a fresh interpreter before importing triage and after triaging
  the tweets; goal: < 50 MB added.

Run: ``python -m bench.bench_triage [--quick]``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.bench_vader import emoji_heavy_post, load_tweets
from bench.harness import Figure, figure, interleaved, main_for, timed
from bot.config import load_settings
from bot.models import Author, Mention
from bot.triage import TriageContext, triage
from bot.triage.context import context_from_settings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
# The brand context a user runs: keywords, handles, exclusions, context words of the shipped bot.toml.
CTX: TriageContext = context_from_settings(load_settings(ROOT / "bot.toml"))

_MEMORY_PROBE = """
import json, sys
from bench.harness import rss_mb
before = rss_mb()
from datetime import UTC, datetime
from bench.bench_triage import CTX, NOW, mentions
from bench.bench_vader import load_tweets
from bot.triage import triage
for m in mentions(load_tweets()[: int(sys.argv[1])]):
    triage(m, CTX, NOW)
print(json.dumps({"before": before, "after": rss_mb()}))
"""


def mentions(texts: list[str]) -> list[Mention]:
    """The texts as mentions from one ordinary author."""
    author = Author("x", "1", "sam", followers=420)
    return [Mention("x", str(i), author, t, NOW, "nimbushome") for i, t in enumerate(texts)]


def memory(count: int) -> tuple[float, float]:
    """RSS in MiB of a fresh interpreter before importing triage and after triaging ``count`` tweets."""
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(count)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return float(data["before"]), float(data["after"])


def run(quick: bool = False) -> list[Figure]:
    """Throughput ratio, the 40 KB post's time (alone and against the median mention) and the memory added."""
    tweets = load_tweets()[: 400 if quick else None]
    batch = mentions(tweets)
    plain = SentimentIntensityAnalyzer()
    for m in batch[:200]:  # warm caches, lexicons and regexes on both sides
        triage(m, CTX, NOW)
        plain.polarity_scores(m.text)
    times = interleaved({"triage": lambda: [triage(m, CTX, NOW) for m in batch],
                         "vader": lambda: [plain.polarity_scores(t) for t in tweets]}, 3 if quick else 7)
    n = len(tweets)
    post = mentions([emoji_heavy_post(plain, 40_000)])[0]
    long_ms = statistics.median(timed(lambda: triage(post, CTX, NOW)) for _ in range(3 if quick else 7)) * 1000
    # The worst case against the typical one: each gold tweet timed alone, in the same run.
    median_ms = statistics.median(timed(lambda m=m: triage(m, CTX, NOW)) for m in batch[:1000]) * 1000
    before, after = memory(200 if quick else n)
    return [
        figure("triage: full triage vs plain VADER polarity_scores (gold tweets)", n / times["triage"], "texts/s",
               n / times["vader"], at_least=1.0,
               note=f"{n:,} gold tweets, brand context of bot.toml, one core, median of "
                    f"{3 if quick else 7} interleaved runs"),
        figure("triage: one 40 KB post of words and emoji", long_ms, "ms", at_most=50.0,
               note=f"{len(post.text):,} characters, {len(post.text.encode('utf-8')):,} bytes"),
        figure("triage: 40 KB post vs the median mention", long_ms, "ms", median_ms,
               note=f"worst case against the typical case: median of {min(len(batch), 1000):,} gold tweets triaged "
                    f"one at a time ({median_ms * 1000:.0f} µs); informational, bounded by the 50 ms figure above"),
        figure("triage: resident memory added", after - before, "MB", at_most=50.0,
               note=f"fresh interpreter: {before:.0f} MB before importing triage, {after:.0f} MB after "
                    f"triaging {200 if quick else n:,} tweets"),
    ]


if __name__ == "__main__":
    raise SystemExit(main_for(run))
