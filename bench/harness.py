"""The contract every bench module plugs into, and the helpers they share.

A module ``bench/bench_<topic>.py`` defines ``run(quick: bool = False) -> list[Figure]``.
Ratios are measured side by side in one run: repetitions of the measured thing (A) and
its reference (B) are interleaved, order alternating, and medians compared, so drift in
machine load hits both sides alike.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.cli.table import table


@dataclass(frozen=True)
class Figure:
    """One measured figure against its reference.

    ``ratio`` is ``value / reference`` when both exist; ``goal`` is human text such as
    ">= 0.8" or "<= 1.5x"; ``ok`` is None when the figure has no goal.
    """

    name: str
    value: float
    unit: str
    reference: float | None
    ratio: float | None
    goal: str
    ok: bool | None
    note: str = ""


def figure(name: str, value: float, unit: str, reference: float | None = None, *,
           goal: str = "", at_least: float | None = None, at_most: float | None = None,
           note: str = "") -> Figure:
    """A Figure with ``ratio = value / reference`` and ``ok`` judged from ``at_least``/``at_most``.

    The bound applies to the ratio when there is a reference, otherwise to the value.
    ``goal`` defaults to ">= at_least" / "<= at_most".
    """
    ratio = value / reference if reference not in (None, 0) else None
    judged = ratio if reference is not None else value
    ok: bool | None = None
    if judged is not None and (at_least is not None or at_most is not None):
        ok = (at_least is None or judged >= at_least) and (at_most is None or judged <= at_most)
    if not goal:
        goal = " and ".join(part for part in (
            f">= {at_least:g}" if at_least is not None else "",
            f"<= {at_most:g}" if at_most is not None else "") if part)
    return Figure(name, value, unit, reference, ratio, goal, ok, note)


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(contenders: dict[str, Callable[[], object]], reps: int) -> dict[str, float]:
    """Median wall time in seconds of each contender over ``reps`` interleaved runs.

    Even repetitions run the contenders in the given order, odd ones in reverse.
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for rep in range(reps):
        for name in names if rep % 2 == 0 else list(reversed(names)):
            times[name].append(timed(contenders[name]))
    return {name: statistics.median(ts) for name, ts in times.items()}


def side_by_side(a: Callable[[], object], b: Callable[[], object], reps: int) -> tuple[float, float, float]:
    """Median seconds of ``a`` and ``b`` (interleaved) and the ratio a/b."""
    medians = interleaved({"a": a, "b": b}, reps)
    return medians["a"], medians["b"], medians["a"] / medians["b"]


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) of ``values``, nearest-rank."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def rss_mb(pid: int | None = None) -> float:
    """Resident memory in MiB of ``pid`` (default: this process), from /proc; ru_maxrss elsewhere."""
    status = f"/proc/{pid or os.getpid()}/status"
    try:
        with open(status, encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        if pid is not None:
            raise
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    return {
        "cores": str(os.cpu_count() or "?"),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def fmt(value: float | None) -> str:
    """A number shown with about three significant digits; blank for None."""
    if value is None:
        return ""
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


HEADERS = ("figure", "value", "reference", "ratio", "goal", "ok")


def rows(figures: Sequence[Figure]) -> list[list[str]]:
    """Table rows for ``figures``: value and reference carry the unit."""
    out = []
    for f in figures:
        ok = "" if f.ok is None else ("yes" if f.ok else "NO")
        reference = f"{fmt(f.reference)} {f.unit}" if f.reference is not None else ""
        out.append([f.name, f"{fmt(f.value)} {f.unit}".strip(), reference.strip(), fmt(f.ratio), f.goal, ok])
    return out


def render(figures: Sequence[Figure]) -> str:
    """The one table of figures."""
    return table(HEADERS, rows(figures), max_width=70)


def main_for(run: Callable[[bool], list[Figure]], argv: Sequence[str] | None = None) -> int:
    """Standalone ``__main__`` for a bench module: ``python -m bench.bench_x [--quick]``."""
    args = sys.argv[1:] if argv is None else list(argv)
    figures = run("--quick" in args)
    print(render(figures))
    for f in figures:
        if f.note:
            print(f"- {f.name}: {f.note}")
    return 0
