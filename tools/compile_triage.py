"""Compile triage's hot modules with mypyc, in place: ``python tools/compile_triage.py`` (``make compile``).

mypyc turns these type-annotated modules into C extension modules, built next to their sources
(``bot/triage/<name>.cpython-*.so``, git-ignored); Python then imports them instead of the ``.py``
files. Scores and results are the same; triage runs about 1.3 times as fast (docs/triage.md,
"Performance"). The package works without them, and :mod:`bot.compiled` falls back to the
sources when one is edited after compiling. Run from the repository root; needs a C compiler and
Python's headers, and mypy (the ``test`` extra), which ships mypyc. Writes ``bot/triage/compiled.json``,
the digest of each source compiled.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The modules a mention's triage spends its time in. vader_fast.py stays plain Python: its analyzer
# subclasses vaderSentiment's class, and compiled that way it crashed the package's own analyzer (tried).
MODULES = ("classify", "intents", "lexicon", "matcher", "priority", "sentiment", "signals", "vader_rules")
BUILT = ROOT / "build" / "compiled"
GROUP = "bot.triage.ronr"  # the shared library goes inside the package: bot/triage/ronr__mypyc.*.so


def main() -> int:
    """Build the extension modules in place; returns the exit code."""
    from mypyc.build import mypycify
    from setuptools import setup

    sys.path.insert(0, str(ROOT))  # this checkout's bot/, whatever is installed
    from bot.compiled import MANIFEST, source_digest

    os.chdir(ROOT)
    sources = [f"bot/triage/{name}.py" for name in MODULES]
    setup(name="ronr-triage-compiled", packages=[], py_modules=[],
          ext_modules=mypycify(sources, group_name=GROUP, opt_level="3"),
          script_args=["--quiet", "build_ext", "--build-lib", str(BUILT)])
    # Moved, not copied, into place: a running process (the daemon, a test run) keeps the files it has
    # loaded, where overwriting them in place could crash it.
    triage = ROOT / "bot" / "triage"
    for binary in (BUILT / "bot" / "triage").glob("*.so"):
        os.replace(binary, triage / binary.name)
    # What was compiled, by content: bot.compiled uses a binary only while its source matches.
    manifest = {"sources": {name: source_digest(triage / f"{name}.py") for name in MODULES}}
    (triage / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
