"""Compiled triage (``make compile``): stale binaries are never used, and CI runs the compiled code."""

from __future__ import annotations

import importlib.machinery
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot.triage.classify
from bot.triage.compiled import SourcesFirst, compiled_modules, stale_modules

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
IS_COMPILED = isinstance(bot.triage.classify.__loader__, importlib.machinery.ExtensionFileLoader)


def _touch(path: Path, mtime: float) -> None:
    path.write_text("")
    os.utime(path, (mtime, mtime))


def test_a_binary_older_than_its_source_is_stale_and_the_shared_library_is_not_a_module(tmp_path: Path) -> None:
    _touch(tmp_path / "intents.py", 2_000)
    _touch(tmp_path / f"intents{SUFFIX}", 1_000)  # built before the source changed
    _touch(tmp_path / "signals.py", 1_000)
    _touch(tmp_path / f"signals{SUFFIX}", 2_000)
    _touch(tmp_path / f"ronr__mypyc{SUFFIX}", 3_000)
    assert sorted(compiled_modules(tmp_path)) == ["intents", "signals"]
    assert stale_modules(tmp_path) == ["intents"]


def test_sources_first_finds_only_triage_modules_that_have_a_source(tmp_path: Path) -> None:
    _touch(tmp_path / "intents.py", 1_000)
    finder = SourcesFirst(tmp_path)
    spec = finder.find_spec("bot.triage.intents", None)
    assert spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader)
    assert spec.origin == str(tmp_path / "intents.py")
    assert finder.find_spec("bot.triage.missing", None) is None
    assert finder.find_spec("bot.store.intents", None) is None


def test_ci_runs_the_compiled_triage() -> None:
    if not IS_COMPILED and os.environ.get("CI") != "true":
        pytest.skip("triage is not compiled in this checkout: `make compile` builds it (make test does)")
    assert IS_COMPILED, "make test compiles triage before running the tests; bot/triage/*.so is missing or stale"
    assert not stale_modules()


@pytest.mark.skipif(not IS_COMPILED, reason="needs the compiled triage (`make compile`) to make a stale copy of it")
def test_an_edited_source_is_used_instead_of_its_stale_binary(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    edited = tmp_path / "bot" / "triage" / "priority.py"
    edited.write_text(edited.read_text().replace('return 0.0, "P4", "priority P4: spam or off-topic"',
                                                 'return 0.0, "P4", "edited after compiling"'))
    probe = ("import bot.triage.priority as p; from datetime import timedelta; "
             "print(type(p.__loader__).__name__, p.priority_score(('spam',), 0.0, 1, 1.0, timedelta(0), True)[2])")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                          check=True)
    assert done.stdout.split(None, 1) == ["SourceFileLoader", "edited after compiling\n"]
    assert "priority.py changed after `make compile`" in done.stderr
