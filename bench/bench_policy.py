"""Benchmark: what the policy engine and the guardrails cost next to triage, per mention.

Run `python -m bench.bench_policy`. Uses the sample data set's mention texts (data/sample/) and
the shipped rules. Three contenders run interleaved over the same mentions: triage alone (the
reference), the engine (`suggest`, pure), and the pure guardrail checks on the suggested reply.
A fourth pair measures `gate.propose` (engine + guardrails + the store reads they need, on real
SQLite with the sample polled in) against the pure engine.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import Figure, interleaved  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.models import Author, Mention  # noqa: E402
from bot.policy import History, load_rules, suggest  # noqa: E402
from bot.policy.gate import facts, limits, offline_runtime, propose  # noqa: E402
from bot.policy.guardrails import check  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from bot.triage import triage  # noqa: E402

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _mentions(limit: int) -> list[Mention]:
    path = ROOT / "data" / "sample" / "mentions.jsonl"
    found = []
    for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
        r = json.loads(line)
        a = r["author"]
        found.append(Mention(platform=r["platform"], platform_id=str(r["platform_id"]), text=r["text"],
                             author=Author(r["platform"], str(a["id"]), a["handle"], a.get("name", ""),
                                           int(a.get("followers", 0))), created_at=NOW, account=r["account"],
                             thread_id=str(r.get("thread_id") or r["platform_id"]),
                             addresses_us=bool(r.get("addresses_us"))))
    return found


def run(quick: bool = False) -> list[Figure]:
    """Per-mention cost of the engine and the guardrails, as ratios to triage measured side by side."""
    settings = load_settings(ROOT / "bot.toml")
    rules, _ = load_rules(ROOT / "policies")
    rt = offline_runtime(settings, rules)
    ctx, brand, lim = rt.triage_context, rt.brand, limits(settings)
    mentions = _mentions(60 if quick else 400)
    triaged = [(m, triage(m, ctx, NOW)) for m in mentions]
    replies = [(m, s.text) for m, t in triaged for s in [suggest(m, t, rules, History(), brand, NOW)] if s and s.text]
    none = facts(None, settings, None, mentions[0], NOW, "post")
    reps = 3 if quick else 9
    times = interleaved({
        "triage": lambda: [triage(m, ctx, NOW) for m in mentions],
        "engine": lambda: [suggest(m, t, rules, History(), brand, NOW) for m, t in triaged],
        "guardrails": lambda: [check(m, text, none, lim, NOW) for m, text in replies],
    }, reps)
    per = {k: v / len(mentions) * 1e6 for k, v in times.items()}
    per["guardrails"] = times["guardrails"] / max(1, len(replies)) * 1e6
    with tempfile.TemporaryDirectory() as tmp:
        store_rt = build_runtime(settings, database=Path(tmp) / "b.db", connectors={})
        try:
            ids = store_rt.store.mentions.insert("bench", mentions, NOW)
            stored = [(i, m, t) for i, (m, t) in zip(ids, triaged, strict=True)]
            with_store = interleaved({
                "engine": lambda: [suggest(m, t, rules, History(), brand, NOW) for _, m, t in stored],
                "propose": lambda: [propose(store_rt, i, m, t, NOW) for i, m, t in stored],
            }, reps)
        finally:
            store_rt.close()
    gate_ratio = with_store["propose"] / with_store["engine"]
    n = f"{len(mentions)} sample mentions, {reps} interleaved reps"
    return [
        Figure("policy engine per mention", per["engine"], "µs", per["triage"], per["engine"] / per["triage"],
               "<= 0.5x triage", per["engine"] / per["triage"] <= 0.5, n),
        Figure("guardrail checks per reply (pure)", per["guardrails"], "µs", per["triage"],
               per["guardrails"] / per["triage"], "<= 0.5x triage", per["guardrails"] / per["triage"] <= 0.5,
               f"{len(replies)} replies"),
        Figure("engine + guardrails + store reads per mention", with_store["propose"] / len(mentions) * 1e6, "µs",
               with_store["engine"] / len(mentions) * 1e6, gate_ratio, "informational", None,
               "gate.propose vs suggest on real SQLite"),
    ]


if __name__ == "__main__":
    for fig in run(quick="--quick" in sys.argv):
        ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else ""
        print(f"{fig.name:48} {fig.value:10.1f} {fig.unit:3} ref {fig.reference or 0:10.1f}  {ratio:8} "
              f"{fig.goal:16} {fig.ok}  {fig.note}")
