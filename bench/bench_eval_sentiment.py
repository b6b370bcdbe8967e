"""Sentiment quality on the four VADER gold sets: triage's scores against plain vaderSentiment.

Reads ``../shared/data/vader/*_GroundTruth.txt`` beside the checkout (``ID<TAB>MEAN<TAB>TEXT``, CRLF).
Three classes with thresholds -0.05/+0.05 on the human mean and on the compound score. Figures per
set: Pearson r, accuracy and weighted F1 of ``score_sentiment`` (what triage uses), each against
plain vaderSentiment's on the same texts; the goal is equality (ratio 1).

Run: ``python -m bench.bench_eval_sentiment [--quick]``.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.harness import Figure, figure, main_for
from bot.triage.sentiment import label_for, score_sentiment

GOLD = Path(__file__).resolve().parents[2] / "shared" / "data" / "vader"
SETS = ("tweets", "amazonReviewSnippets", "movieReviewSnippets", "nytEditorialSnippets")


def load(name: str) -> list[tuple[float, str]]:
    """(human mean rating, text) of one gold set."""
    raw = (GOLD / f"{name}_GroundTruth.txt").read_bytes().decode("utf-8")
    return [(float(mean), text) for _, mean, text in (r.split("\t", 2) for r in raw.split("\r\n") if r)]


def weighted_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """F1 per gold class, weighted by the class's support."""
    support = Counter(gold)
    total = 0.0
    for label, n in support.items():
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == label != g)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / n
        total += n * (2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return total / len(gold)


def quality(rows: list[tuple[float, str]], scores: list[float]) -> tuple[float, float, float]:
    """Pearson r, accuracy and weighted F1 of compound ``scores`` against the gold rows."""
    gold_values = [g for g, _ in rows]
    gold = [label_for(g) for g in gold_values]
    predicted = [label_for(s) for s in scores]
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(rows)
    return statistics.correlation(gold_values, scores), accuracy, weighted_f1(gold, predicted)


def run(quick: bool = False) -> list[Figure]:
    """Per gold set: r, accuracy and weighted F1 of triage's sentiment with plain VADER's as the reference."""
    if not GOLD.is_dir():
        raise FileNotFoundError(f"VADER gold sets not found at {GOLD}")
    plain = SentimentIntensityAnalyzer()
    figures = []
    for name in SETS[:1] if quick else SETS:
        rows = load(name)[: 400 if quick else None]
        ours = quality(rows, [score_sentiment(t).compound for _, t in rows])
        theirs = quality(rows, [plain.polarity_scores(t)["compound"] for _, t in rows])
        note = f"{len(rows):,} texts; three classes at +-0.05"
        for label, value, reference in zip(("Pearson r", "accuracy", "weighted F1"), ours, theirs, strict=True):
            figures.append(figure(f"sentiment {name}: {label}", value, "", reference, goal="= plain VADER (1)",
                                  at_least=1.0, at_most=1.0, note=note if label == "Pearson r" else ""))
    return figures


if __name__ == "__main__":
    raise SystemExit(main_for(run))
