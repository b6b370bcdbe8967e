"""Compiled triage (``make compile``): stale binaries are never used, CI runs the compiled code, it installs."""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import bot.triage.classify
from bot.compiled import MANIFEST, SourcesFirst, compiled_modules, source_digest, stale_modules

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
IS_COMPILED = isinstance(bot.triage.classify.__loader__, importlib.machinery.ExtensionFileLoader)
needs_compiled = pytest.mark.skipif(not IS_COMPILED, reason="needs the compiled triage: `make compile` builds it")


def _built(folder: Path, **sources: str) -> None:
    """A folder as `make compile` leaves it: sources, their binaries, the shared library, the record."""
    for name, text in sources.items():
        (folder / f"{name}.py").write_text(text)
        (folder / f"{name}{SUFFIX}").write_bytes(b"")
    (folder / f"ronr__mypyc{SUFFIX}").write_bytes(b"")
    record = {"sources": {name: source_digest(folder / f"{name}.py") for name in sources}}
    (folder / MANIFEST).write_text(json.dumps(record))


def test_a_binary_is_stale_once_its_source_differs_from_the_one_compiled(tmp_path: Path) -> None:
    _built(tmp_path, intents="A = 1\n", signals="B = 2\n")
    assert sorted(compiled_modules(tmp_path)) == ["intents", "signals"]  # the shared library is not a module
    assert stale_modules(tmp_path) == []
    (tmp_path / "intents.py").write_text("A = 3\n")
    assert stale_modules(tmp_path) == ["intents"]
    os.utime(tmp_path / "signals.py", (1, 1))  # a time alone (git checkout, a copy) changes nothing
    assert stale_modules(tmp_path) == ["intents"]


def test_without_the_record_of_the_build_no_binary_is_trusted(tmp_path: Path) -> None:
    _built(tmp_path, intents="A = 1\n")
    (tmp_path / MANIFEST).write_text("{not json")
    assert stale_modules(tmp_path) == ["intents"]
    (tmp_path / MANIFEST).unlink()
    assert stale_modules(tmp_path) == ["intents"]


def test_a_folder_without_binaries_has_nothing_stale(tmp_path: Path) -> None:
    (tmp_path / "intents.py").write_text("A = 1\n")
    assert compiled_modules(tmp_path) == {} and stale_modules(tmp_path) == []


def test_sources_first_finds_only_triage_modules_that_have_a_source(tmp_path: Path) -> None:
    (tmp_path / "intents.py").write_text("A = 1\n")
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


def _probe(where: Path) -> subprocess.CompletedProcess[str]:
    """Import triage from ``where`` (ahead of this checkout) and print priority's loader and one reason."""
    probe = ("import bot.triage.priority as p; from datetime import timedelta; "
             "print(type(p.__loader__).__name__, p.priority_score(('spam',), 0.0, 1, 1.0, timedelta(0), True)[2])")
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([sys.executable, "-c", probe], cwd=where, env=env, capture_output=True, text=True,
                          check=True)


@needs_compiled
def test_an_edited_source_is_used_instead_of_its_stale_binary(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    edited = tmp_path / "bot" / "triage" / "priority.py"
    edited.write_text(edited.read_text().replace('return 0.0, "P4", "priority P4: spam or off-topic"',
                                                 'return 0.0, "P4", "edited after compiling"'))
    done = _probe(tmp_path)
    assert done.stdout.split(None, 1) == ["SourceFileLoader", "edited after compiling\n"]
    assert "priority.py changed after `make compile`" in done.stderr


@needs_compiled
@pytest.mark.slow
def test_pip_install_carries_the_compiled_triage(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "wheel"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "wheel").glob("ronr-*.whl"))
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")  # what pip install puts in site-packages
    done = _probe(tmp_path / "site")
    assert done.stdout == "ExtensionFileLoader priority P4: spam or off-topic\n"
    assert done.stderr == ""
