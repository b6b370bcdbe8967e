"""Fake platform servers on 127.0.0.1 speaking each platform's wire format (X API v2, Reddit OAuth API).

Use them in-process (``FakeX().start()`` returns the base URL) or as standalone processes
(``python -m tests.fakes.fake_x --port 0 --state FILE``) with a ``/_control/`` JSON API.
"""

from tests.fakes._server import FakeServer, Recorded, Reply
from tests.fakes.fake_reddit import FakeReddit
from tests.fakes.fake_x import FakeX

__all__ = ["FakeReddit", "FakeServer", "FakeX", "Recorded", "Reply"]
