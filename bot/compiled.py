"""Compiled triage modules are used only while they match their sources.

``make compile`` (tools/compile_triage.py) builds triage's hot modules with mypyc into extension
modules next to their sources, ``bot/triage/<name>.cpython-*.so``, and writes ``compiled.json``: the
SHA-256 of each source it compiled. Python imports a binary before the ``.py``, so a source edited
(or updated by ``git pull``) after compiling would be ignored without a word; and the compiled
modules call one another directly, not through Python's import, so one stale module cannot be
swapped for its source alone. :func:`prefer_sources_if_stale` therefore loads every module of
``bot.triage`` from its source when any compiled one no longer matches its source, and says so once.
Contents are compared, not times: copies (``pip install``, a release tarball) keep the contents.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE = "bot.triage"
FOLDER = Path(__file__).resolve().parent / "triage"
MANIFEST = "compiled.json"
_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)


def source_digest(path: Path) -> str:
    """The SHA-256 of a source file's bytes, as hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compiled_modules(folder: Path = FOLDER) -> dict[str, Path]:
    """The compiled modules in ``folder``, by module name (the shared mypyc library is not one)."""
    found = {}
    for path in folder.iterdir():
        suffix = next((s for s in _SUFFIXES if path.name.endswith(s)), "")
        if suffix and not path.name.endswith("__mypyc" + suffix):
            found[path.name[: -len(suffix)]] = path
    return found


def stale_modules(folder: Path = FOLDER) -> list[str]:
    """Names of the compiled modules whose source is not the one they were built from, sorted."""
    modules = compiled_modules(folder)
    if not modules:
        return []
    try:
        built = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        built = {}  # no record of what was compiled: nothing can be trusted
    stale = []
    for name in modules:
        source = folder / f"{name}.py"
        if source.exists() and built.get(name) != source_digest(source):
            stale.append(name)
    return sorted(stale)


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
