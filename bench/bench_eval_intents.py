"""Intent quality on the labelled brand mentions in tests/data/intents_labelled.jsonl.

Each line is a mention of one of eight fictional brands (smart home, airline, grocery delivery,
mobile network, coffee chain, payments app, fashion, games studio) with its intents labelled by hand.
The set is split in two halves by id: ``dev`` (rules were tuned looking at these) and ``test`` (not
looked at while tuning). Figures: per-intent precision and recall on each split, micro-averaged F1,
and complaint recall against the naive "VADER says negative" rule.

Run: ``python -m bench.bench_eval_intents [--quick] [--markdown] [--errors dev|test]``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.harness import Figure, figure, main_for
from bot.config import load_settings
from bot.models import Author, Mention
from bot.triage import TriageContext, triage
from bot.triage.context import context_from_settings
from bot.triage.lexicon import INTENTS
from bot.triage.sentiment import score_sentiment

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "intents_labelled.jsonl"

_AIRLINE = ["flight", "flights", "airline", "crew", "gate", "boarding", "baggage", "bag", "luggage", "seat",
            "seats", "cabin", "plane", "pilot", "check-in", "lounge", "refund", "customer service", "staff"]
BRANDS: dict[str, TriageContext] = {
    "nimbus": TriageContext(["nimbus home", "nimbushome", "nimbus thermo", "nimbus hub", "nimbus sense", "nimbus plug",
                             "nimbus app", "nimbus"], ["nimbushome", "nimbussupport"],
                            ["nimbus 2000", "cumulonimbus", "nimbus cloud", "nimbus clouds", "nimbostratus"]),
    "skyline": TriageContext(["skyline air", "skylineair", "skyline"], ["skylineair"], [], context_words=_AIRLINE,
                             ambiguous=["skyline"]),
    "freshcart": TriageContext(["freshcart", "fresh cart"], ["freshcart"], [], ambiguous=["fresh cart"],
                               context_words=["delivery", "order", "driver", "app", "slot", "substitution"]),
    "boltmobile": TriageContext(["bolt mobile", "boltmobile", "bolt"], ["boltmobile"], ["usain bolt", "lightning bolt"],
                                context_words=["signal", "network", "contract", "sim", "data", "bill", "4g", "5g",
                                               "coverage", "phone", "plan", "roaming"], ambiguous=["bolt"]),
    "brewly": TriageContext(["brewly", "brewlycoffee"], ["brewlycoffee"], []),
    "peakpay": TriageContext(["peakpay", "peak pay"], ["peakpay"], []),
    "lumen": TriageContext(["lumen threads", "lumenthreads", "lumen"], ["lumenthreads"], [], ambiguous=["lumen"],
                           context_words=["order", "dress", "jeans", "coat", "size", "return", "refund", "delivery",
                                          "fabric", "shirt", "jumper", "clothes", "sizing"]),
    "juniper": TriageContext(["juniper games", "junipergames", "starfall", "juniper"], ["junipergames"], [],
                             ambiguous=["juniper"], context_words=["game", "games", "studio", "patch", "steam", "ps5",
                                                                   "xbox", "devs", "trailer", "servers"]),
}


@dataclass(frozen=True)
class Case:
    """One labelled mention."""

    id: str
    split: str
    brand: str
    mention: Mention
    gold: frozenset[str]


def load(path: Path = LABELLED) -> list[Case]:
    """The labelled set."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        created = datetime.fromisoformat(row["created_at"])
        author = Author(row["platform"], row["author"], row["author"], followers=row["author_followers"])
        mention = Mention(row["platform"], row["id"], author, row["text"], created, row["brand"])
        cases.append(Case(row["id"], row["split"], row["brand"], mention, frozenset(row["intents"])))
    return cases


def predict(cases: Iterable[Case], ctx: TriageContext | None = None) -> dict[str, frozenset[str]]:
    """Predicted intents per case id, with each case's brand context (or ``ctx`` for all of them)."""
    return {c.id: frozenset(triage(c.mention, ctx or BRANDS[c.brand], c.mention.created_at).intents) for c in cases}


def scores(cases: list[Case], predicted: dict[str, frozenset[str]]) -> dict[str, tuple[int, float, float, float]]:
    """Per intent (and "micro"): support, precision, recall, F1."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for case in cases:
        got = predicted[case.id]
        for intent in INTENTS:
            if intent in got and intent in case.gold:
                tp[intent] += 1
            elif intent in got:
                fp[intent] += 1
            elif intent in case.gold:
                fn[intent] += 1
    out = {}
    for intent in (*INTENTS, "micro"):
        t, f_p, f_n = ((sum(tp.values()), sum(fp.values()), sum(fn.values())) if intent == "micro"
                       else (tp[intent], fp[intent], fn[intent]))
        p = t / (t + f_p) if t + f_p else 0.0
        r = t / (t + f_n) if t + f_n else 0.0
        out[intent] = (t + f_n, p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out


def vader_complaint_recall(cases: list[Case]) -> float:
    """Share of labelled complaints that plain VADER calls negative (compound <= -0.05)."""
    complaints = [c for c in cases if "complaint" in c.gold]
    return sum(score_sentiment(c.mention.text).compound <= -0.05 for c in complaints) / len(complaints)


def markdown(cases: list[Case], predicted: dict[str, frozenset[str]]) -> str:
    """The per-intent table for docs/triage.md."""
    split = {s: scores([c for c in cases if c.split == s], predicted) for s in ("dev", "test")}
    lines = ["| intent | dev n | dev P | dev R | test n | test P | test R | test F1 |",
             "|---|---|---|---|---|---|---|---|"]
    for intent in (*INTENTS, "micro"):
        d, t = split["dev"][intent], split["test"][intent]
        lines.append(f"| {intent} | {d[0]} | {d[1]:.2f} | {d[2]:.2f} | {t[0]} | {t[1]:.2f} | {t[2]:.2f} | {t[3]:.2f} |")
    return "\n".join(lines)


def run(quick: bool = False) -> list[Figure]:
    """Micro F1 and complaint precision/recall on the held-out half; complaint recall against VADER alone."""
    cases = load()
    if quick:
        cases = cases[:80]
    predicted = predict(cases)
    test = [c for c in cases if c.split == "test"]
    result = scores(test, predicted)
    _, cp, cr, _ = result["complaint"]
    vader_recall = vader_complaint_recall(test)
    note = f"{len(test)} held-out labelled mentions of {len(cases)}"
    # As someone evaluating RonR on their own mentions would run `ronr triage`: with the shipped bot.toml.
    shipped = context_from_settings(load_settings(ROOT / "bot.toml"))
    _, _, foreign_recall, _ = scores(test, predict(test, shipped))["complaint"]
    return [
        figure("intents: micro F1, held-out half", result["micro"][3], "", goal=">= 0.75", at_least=0.75, note=note),
        figure("intents: complaint precision, held-out half", cp, "", at_least=0.8, note=note),
        figure("intents: complaint recall vs VADER negative", cr, "", vader_recall, at_least=1.2,
               note="reference: share of labelled complaints with VADER compound <= -0.05"),
        figure("intents: complaint recall with another brand's context", foreign_recall, "", cr, at_least=0.9,
               note="held-out half triaged with the shipped bot.toml (Nimbus Home) instead of each mention's brand, "
                    "against its own brand's recall: off-topic mentions keep the intents found"),
    ]


def errors(split: str) -> None:
    """Print the cases of one split where prediction and label differ."""
    cases = [c for c in load() if c.split == split]
    predicted = predict(cases)
    for case in cases:
        got = predicted[case.id]
        if got != case.gold:
            print(f"{case.id} gold={sorted(case.gold)} got={sorted(got)}\n    {case.mention.text}")


if __name__ == "__main__":
    if "--markdown" in sys.argv:
        all_cases = load()
        print(markdown(all_cases, predict(all_cases)))
    elif "--errors" in sys.argv:
        errors(sys.argv[sys.argv.index("--errors") + 1])
    else:
        sys.exit(main_for(run))
