"""Fake platform servers on 127.0.0.1 speaking each platform's wire format (X API v2, Reddit OAuth API).

Use them in-process (``FakeX().start()`` returns the base URL) or as standalone processes
(``python -m tests.fakes.fake_x --port 0 --state FILE``, which prints the URL) with a
``/_control/`` JSON API: ``POST /_control/seed``, ``GET /_control/posted``, ``GET /_control/requests``,
``GET /_control/state``, ``POST /_control/fault``. Submodules are imported lazily so that ``-m``
runs them cleanly.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"FakeX": "fake_x", "FakeReddit": "fake_reddit", "FakeServer": "_server", "Recorded": "_server",
          "Reply": "_server"}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"tests.fakes.{_WHERE[name]}"), name)
    raise AttributeError(name)
