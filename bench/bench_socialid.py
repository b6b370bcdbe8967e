"""Benchmark: the Social ID of one week reads the week, not the history.

An account with two years of history (1,000,000 closed loops) against one with 10,000, both with
the same ~130 loops in the measured week (bench/generate.py builds them). The two are timed
interleaved in one run; the goal is at most 3x. The query plan must search the
(account, opened_at) index. `python -m bench.bench_socialid` prints the table; `quick=True`
uses 20,000 vs 2,000 loops and finishes in seconds.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import ACCOUNTS, WEEK, build  # noqa: E402
from bench.harness import Figure, figure, side_by_side  # noqa: E402
from bot.cli.table import table  # noqa: E402
from bot.socialid import Options, social_id, week_bounds  # noqa: E402
from bot.store import Store  # noqa: E402

ACCOUNT = ACCOUNTS["x"]
OPTIONS = Options(sla_hours={"P1": 1.0, "P2": 4.0, "P3": 24.0, "P4": 72.0})


def _week_of(store: Store) -> float:
    start, end = week_bounds(WEEK, "UTC")
    result = social_id(ACCOUNT, WEEK, store.relationships.week_records(start, end, ACCOUNT), options=OPTIONS)
    return result.overall or 0.0


def run(quick: bool = False) -> list[Figure]:
    """Social ID of one week with a long history vs a short one, side by side."""
    big, small = (20_000, 2_000) if quick else (1_000_000, 10_000)
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        build(Path(folder) / "big.db", seed=8, loops=big)
        build(Path(folder) / "small.db", seed=8, loops=small)
        built = time.perf_counter() - began
        big_store, small_store = Store(Path(folder) / "big.db"), Store(Path(folder) / "small.db")
        try:
            start, end = week_bounds(WEEK, "UTC")
            plan = big_store.relationships.week_plan(start, end, ACCOUNT)
            indexed = any("USING INDEX loops_account_opened" in step for step in plan)
            loops = len(big_store.relationships.week_records(start, end, ACCOUNT))
            a, b, _ = side_by_side(lambda: _week_of(big_store), lambda: _week_of(small_store), 5 if quick else 9)
        finally:
            big_store.close()
            small_store.close()
    fig = figure(f"Social ID of one week, {big:,} vs {small:,} loops of history", a * 1000, "ms", b * 1000,
                 goal="<= 3x, plan uses (account, opened_at)", at_most=3.0,
                 note=f"{loops} loops in the week; plan: {plan[0] if plan else '?'}; data built in {built:.0f} s")
    if not indexed:
        fig = Figure(fig.name, fig.value, fig.unit, fig.reference, fig.ratio, fig.goal, False,
                     "query plan does not use loops_account_opened: " + "; ".join(plan))
    return [fig]


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    figures = run(quick)
    print(table(["figure", "value", "unit", "reference", "ratio", "goal", "ok", "note"],
                [(f.name, f"{f.value:.1f}", f.unit, f"{f.reference:.1f}" if f.reference else "",
                  f"{f.ratio:.2f}" if f.ratio else "", f.goal, f.ok, f.note) for f in figures], max_width=120))
