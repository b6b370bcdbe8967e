"""Every bench module runs in quick mode and returns well-formed figures; the runner prints one table.

No timing is asserted: figures are measured, not judged, here.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import pytest

from bench.__main__ import BEGIN, END, docs_section, main, modules, write_docs
from bench.harness import Figure, figure, percentile, render, rss_mb


def _well_formed(f: Figure) -> None:
    assert isinstance(f, Figure) and f.name and isinstance(f.unit, str) and isinstance(f.goal, str)
    assert math.isfinite(f.value), f
    if f.reference is not None:
        assert math.isfinite(f.reference), f
    if f.ratio is not None:
        assert math.isfinite(f.ratio), f
        assert f.reference not in (None, 0), f"{f.name}: a ratio needs a reference"
        assert f.ratio == pytest.approx(f.value / f.reference, rel=0.02), f"{f.name}: ratio is not value/reference"
    if f.ok is not None:
        assert f.goal, f"{f.name}: judged without a goal"


@pytest.mark.parametrize("name", modules())
def test_module_quick_run_gives_well_formed_figures(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    figures = module.run(True)
    assert figures, f"{name} returned no figures"
    for f in figures:
        _well_formed(f)


def test_runner_reports_a_failing_module_as_an_error_row(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import bench.bench_vader as vader

    def broken(quick: bool = False) -> list[Figure]:
        raise RuntimeError("gold tweets went missing")

    monkeypatch.setattr(vader, "run", broken)
    assert main(["--quick", "--only", "vader"]) == 1
    out = capsys.readouterr().out
    assert "bench_vader: ERROR" in out and "RuntimeError: gold tweets went missing" in out


def test_unknown_module_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--only", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no bench module named 'nope'" in err[0] and "vader" in err[0]


def test_docs_section_is_replaced_between_markers_and_nothing_else(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# B\n\nintro stays\n\n{BEGIN}\nold figures\n{END}\n\n## After\nkept\n", encoding="utf-8")
    figs = [figure("x per second", 200.0, "ops/s", 100.0, at_least=0.8, note="limited by the disk")]
    write_docs(docs_section(figs, "make bench", 12.0), doc)
    text = doc.read_text(encoding="utf-8")
    assert "intro stays" in text and "## After\nkept" in text and "old figures" not in text
    assert "Reproduce with `make bench`" in text and "x per second" in text and "limited by the disk" in text
    assert text.count(BEGIN) == 1 and text.count(END) == 1


def test_figure_helpers() -> None:
    f = figure("a", 3.0, "s", 2.0, at_most=1.5)
    assert f.ratio == 1.5 and f.ok is True and f.goal == "<= 1.5"
    assert figure("b", 3.0, "s", 2.0, at_most=1.4).ok is False
    assert figure("c", 1.0, "MB").ok is None and figure("c", 1.0, "MB").ratio is None
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0 and percentile([1.0, 2.0], 95) == 2.0
    assert rss_mb() > 1
    table = render([f]).splitlines()
    assert table[0].split() == ["figure", "value", "reference", "ratio", "goal", "ok"] and "yes" in table[2]
