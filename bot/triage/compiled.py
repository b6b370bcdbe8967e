"""Compiled triage modules are used only while they match their sources.

``make compile`` (tools/compile_triage.py) builds triage's hot modules with mypyc into extension
modules next to their sources, ``bot/triage/<name>.cpython-*.so``, and Python imports such a file
before the ``.py``. A source edited after compiling would then be ignored without a word, and the
compiled modules call one another directly, not through Python's import, so one stale module cannot
be swapped for its source alone. :func:`prefer_sources_if_stale` therefore loads every module of
``bot.triage`` from its source when any compiled one is older than its source, and says so once.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE = "bot.triage"
FOLDER = Path(__file__).resolve().parent
_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def _binaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(_SUFFIXES)]


def compiled_modules(folder: Path = FOLDER) -> dict[str, Path]:
    """The compiled modules in ``folder``, by module name (the shared mypyc library is not one)."""
    found = {}
    for path in _binaries(folder):
        suffix = next(s for s in _SUFFIXES if path.name.endswith(s))
        if not path.name.endswith("__mypyc" + suffix):
            found[path.name[: -len(suffix)]] = path
    return found


def stale_modules(folder: Path = FOLDER) -> list[str]:
    """Names of the compiled modules whose source changed after the build, sorted.

    Compared with the oldest binary: a module's own file is a small stub that a rebuild may leave
    untouched, while its code lives in the shared library.
    """
    modules = compiled_modules(folder)
    if not modules:
        return []
    built = min(p.stat().st_mtime for p in _binaries(folder))
    return sorted(name for name in modules
                  if (folder / f"{name}.py").exists() and (folder / f"{name}.py").stat().st_mtime > built)


class SourcesFirst(importlib.abc.MetaPathFinder):
    """Finds the modules of ``bot.triage`` that have a source file as that source, never as a binary."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        """The source-file spec for ``bot.triage.<name>`` when ``<name>.py`` exists; else None (the usual search)."""
        package, _, name = fullname.rpartition(".")
        source = self.folder / f"{name}.py"
        if package != PACKAGE or not source.exists():
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def prefer_sources_if_stale(folder: Path = FOLDER) -> bool:
    """Load ``bot.triage`` from its sources if a compiled module is stale; True when that is so."""
    stale = stale_modules(folder)
    if not stale or any(isinstance(f, SourcesFirst) for f in sys.meta_path):
        return bool(stale)
    sys.meta_path.insert(0, SourcesFirst(folder))
    logging.getLogger("ronr.triage").warning(
        "bot/triage: %s changed after `make compile`; triage runs from the sources (slower) until "
        "`make compile` runs again", ", ".join(f"{n}.py" for n in stale))
    return True
