"""The versioned schema: one module per migration in ``bot/store/migrations/``, applied in order.

A migration module is named ``mNNN_what_it_does.py`` and holds one ``SQL`` script; ``NNN`` is its
version. ``PRAGMA user_version`` holds the highest version applied. Migrations are never edited
once released: to change the schema, add a module with a higher number. A database created by any
earlier version upgrades in place and keeps its rows.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from bot.store import migrations as _package


@cache
def migrations() -> tuple[tuple[int, str], ...]:
    """(version, SQL) of every migration, in order."""
    found = []
    for info in pkgutil.iter_modules(_package.__path__):
        match = re.fullmatch(r"m(\d{3})_\w+", info.name)
        if match:
            module = importlib.import_module(f"{_package.__name__}.{info.name}")
            found.append((int(match.group(1)), str(module.SQL)))
    versions = [v for v, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a version number: {sorted(versions)}")
    return tuple(sorted(found))


def latest() -> int:
    """The schema version this RonR creates."""
    return migrations()[-1][0]
