"""`python -m bench [--quick] [--only NAME] [--write-docs]`: run every bench module, print one table.

Modules are ``bench/bench_*.py``; each ``run(quick)`` returns Figures. A module that raises
becomes an error row and the others still run. ``--write-docs`` rewrites the figures
section of docs/benchmarks.md (between the ``<!-- figures -->`` markers).
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from bench.harness import Figure, machine, render

BENCH_DIR = Path(__file__).resolve().parent
DOCS = BENCH_DIR.parent / "docs" / "benchmarks.md"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


def modules(only: str | None = None) -> list[str]:
    """Names of the bench modules (``bench_vader``...), filtered by ``only`` (with or without prefix)."""
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if only:
        wanted = only if only.startswith("bench_") else f"bench_{only}"
        names = [n for n in names if n == wanted]
    return names


def run_module(name: str, quick: bool) -> tuple[list[Figure], float]:
    """Figures of one module and its wall time; an exception becomes one error Figure."""
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.{name}")
        figures = list(module.run(quick))
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        last = str(exc).strip().splitlines()[-1:] or [""]
        figures = [Figure(f"{name}: ERROR", math.nan, "", None, None, "", False,
                          note=f"{type(exc).__name__}: {last[0]}")]
    return figures, time.perf_counter() - start


def docs_section(figures: Sequence[Figure], command: str, seconds: float) -> str:
    """The markdown that goes between the figure markers of docs/benchmarks.md."""
    m = machine()
    lines = [
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), {m['os']}, "
        f"Python {m['python']}, SQLite {m['sqlite']}; the whole run took {seconds:.0f} s.",
        "",
        f"Reproduce with `{command}`.",
        "",
        "```",
        render(figures),
        "```",
    ]
    notes = [f"- **{f.name}**: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "Notes (what each figure measures and, where it missed, what limited it):", "", *notes]
    return "\n".join(lines)


def write_docs(section: str, path: Path = DOCS) -> None:
    """Replace the figures section of ``path`` (create the file or the markers as needed)."""
    block = f"{BEGIN}\n{section}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n## Latest figures\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the modules, print the table; exit 1 when a module errored, 2 for an unknown --only."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds in all (smoke test)")
    parser.add_argument("--only", metavar="NAME", help="run one module, e.g. pipeline or bench_pipeline")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the figures in docs/benchmarks.md")
    args = parser.parse_args(argv)
    names = modules(args.only)
    if not names:
        print(f"no bench module named {args.only!r} in {BENCH_DIR}; have: "
              f"{', '.join(n.removeprefix('bench_') for n in modules())}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    figures: list[Figure] = []
    for name in names:
        print(f"running {name}...", file=sys.stderr, flush=True)
        got, seconds = run_module(name, args.quick)
        print(f"  {name}: {len(got)} figure(s) in {seconds:.1f} s", file=sys.stderr, flush=True)
        figures += got
    total = time.perf_counter() - start
    print(render(figures))
    for f in figures:
        if f.note:
            print(f"- {f.name}: {f.note}")
    if args.write_docs:
        command = "make bench" if not args.quick and not args.only else "python -m bench " + " ".join(
            a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write-docs")
        write_docs(docs_section(figures, command.strip(), total))
        print(f"wrote {DOCS}", file=sys.stderr)
    return 1 if any(f.name.endswith(": ERROR") for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
