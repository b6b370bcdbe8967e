"""Benchmark: plain vaderSentiment against FastVader and score_sentiment.

Run from the checkout: `python -m bench.bench_vader` (or `python bench/bench_vader.py`) for
the detailed table; `python -m bench` takes its `run(quick)` figures. Reads the gold tweets
from `../shared/data/vader/` beside the checkout. Repetitions of the contenders are
interleaved (order alternating) and the median is reported, so drift in machine load
hits both sides alike. Takes about 15 seconds; prints a table, asserts nothing.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, the checkout is not on sys.path; the project imports wait for it.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import Figure, interleaved  # noqa: E402

TWEETS = ROOT.parent / "shared" / "data" / "vader" / "tweets_GroundTruth.txt"
TWEET_REPS = 7
LONG_REPS = 3
LONG_BYTES = 40_000


def load_tweets() -> list[str]:
    raw = TWEETS.read_bytes().decode("utf-8")
    return [record.split("\t", 2)[2] for record in raw.split("\r\n")]


def emoji_heavy_post(
    vader: SentimentIntensityAnalyzer, size_bytes: int, seed: int = 2014
) -> str:
    """Words and emoji (about 30 % of tokens), sentences and paragraphs: ~size bytes."""
    rng = random.Random(seed)
    words = sorted(vader.lexicon)[:3000] + ["the", "but", "not", "very", "so"] * 200
    emoji = sorted(k for k in vader.emojis if len(k) == 1)
    parts: list[str] = []
    size = 0
    while size < size_bytes:
        token = rng.choice(emoji) if rng.random() < 0.3 else rng.choice(words)
        part = token + rng.choice([" ", " ", " ", "", ". ", "! ", "\n\n"])
        parts.append(part)
        size += len(part.encode("utf-8"))
    return "".join(parts)


def run(quick: bool = False) -> list[Figure]:
    """FastVader against plain vaderSentiment over the gold tweets: speed-up, identical scores."""
    from bot.triage.vader_fast import analyzer

    if not TWEETS.is_file():
        raise FileNotFoundError(f"gold tweets not found at {TWEETS}")
    plain = SentimentIntensityAnalyzer()
    fast = analyzer()
    tweets = load_tweets()[: 300 if quick else None]
    for text in tweets[:200]:  # warm caches and the regex
        plain.polarity_scores(text)
        fast.polarity_scores(text)
    identical = all(plain.polarity_scores(t) == fast.polarity_scores(t) for t in tweets)
    times = interleaved(
        {
            "plain": lambda: [plain.polarity_scores(t) for t in tweets],
            "fast": lambda: [fast.polarity_scores(t) for t in tweets],
        },
        3 if quick else TWEET_REPS,
    )
    n = len(tweets)
    speedup = times["plain"] / times["fast"]
    return [
        Figure(
            "FastVader vs plain vaderSentiment (gold tweets)",
            n / times["fast"], "texts/s", n / times["plain"], speedup,
            ">= 1 and identical scores", speedup >= 1 and identical,
            note=f"{n:,} gold tweets, median of {3 if quick else TWEET_REPS} interleaved runs; "
            f"scores identical to vaderSentiment on every tweet: {identical}",
        )
    ]


def main() -> int:
    from bot.triage.sentiment import score_sentiment
    from bot.triage.vader_fast import analyzer

    if not TWEETS.is_file():
        print(f"gold tweets not found at {TWEETS}; nothing to measure")
        return 0
    plain = SentimentIntensityAnalyzer()
    fast = analyzer()
    tweets = load_tweets()
    post = emoji_heavy_post(fast, LONG_BYTES)
    for text in tweets[:200]:  # warm caches and the regex
        plain.polarity_scores(text)
        fast.polarity_scores(text)

    identical = all(plain.polarity_scores(t) == fast.polarity_scores(t) for t in tweets)
    tweet_times = interleaved(
        {
            "plain": lambda: [plain.polarity_scores(t) for t in tweets],
            "fast": lambda: [fast.polarity_scores(t) for t in tweets],
        },
        TWEET_REPS,
    )
    long_times = interleaved(
        {
            "plain": lambda: plain.polarity_scores(post),
            "fast": lambda: fast.polarity_scores(post),
            "score_sentiment": lambda: score_sentiment(post),
        },
        LONG_REPS,
    )

    n = len(tweets)
    print(f"Python {sys.version.split()[0]}, one process, median of interleaved runs")
    print(f"\n{n:,} gold tweets, {TWEET_REPS} runs each, identical scores: {identical}")
    print(f"{'analyser':<16}{'seconds':>10}{'texts/s':>12}")
    for name, seconds in tweet_times.items():
        print(f"{name:<16}{seconds:>10.4f}{n / seconds:>12,.0f}")
    ratio = tweet_times["plain"] / tweet_times["fast"]
    print(f"{'ratio fast/plain':<16}{ratio:>22.2f}x")

    whole = fast.polarity_scores(post)
    seg = score_sentiment(post)
    print(
        f"\n{len(post.encode('utf-8')):,}-byte emoji-heavy post ({len(post):,} chars), "
        f"{LONG_REPS} runs each"
    )
    print(f"{'analyser':<16}{'ms':>10}")
    for name, seconds in long_times.items():
        print(f"{name:<16}{seconds * 1000:>10.1f}")
    print(
        f"whole-text compound {whole['compound']}; score_sentiment compound "
        f"{seg.compound} over {seg.segments} segments"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
