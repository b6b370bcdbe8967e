"""The one small interface every platform connector implements.

A connector is the only place that knows a platform's client library. It turns platform objects
into :class:`bot.models.Mention` and back into posts, and never sleeps: a rate limit is reported as
``Batch.pause_until`` (or :class:`RateLimited`) for the scheduler to honour.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.models import Batch, Cursor, Mention, Posted


class ConnectorError(Exception):
    """A connector could not do what was asked; ``transient`` says whether a retry may help.

    ``retry_at`` is the connector's advice for when to try again (capped, jittered backoff), if any.
    """

    def __init__(self, connector: str, message: str, *, transient: bool = False,
                 retry_at: datetime | None = None) -> None:
        super().__init__(f"{connector}: {message}")
        self.connector = connector
        self.transient = transient
        self.retry_at = retry_at


class CredentialError(ConnectorError):
    """The platform rejected our credentials (401/403) or they are missing."""


class RateLimited(ConnectorError):
    """The platform asked us to wait until ``until``."""

    def __init__(self, connector: str, until: datetime, reason: str) -> None:
        super().__init__(connector, f"rate limited until {until.isoformat()} ({reason})", transient=True)
        self.until = until


@runtime_checkable
class Connector(Protocol):
    """Poll mentions, post replies, find our reply after a crash, and read the author's answers."""

    name: str

    def poll(self, cursor: Cursor | None, now: datetime) -> Batch:
        """Return mentions newer than ``cursor`` (never the same one twice across a stored cursor)."""
        ...

    def post_reply(self, to: Mention, text: str, key: str, now: datetime) -> Posted:
        """Post ``text`` as a public reply to ``to``; ``key`` is the idempotency key of the outbox item."""
        ...

    def find_reply(self, to: Mention, key: str, now: datetime) -> Posted | None:
        """Return our reply to ``to`` if it already exists on the platform (reconciliation)."""
        ...

    def thread_since(self, root: Mention, since: datetime, now: datetime) -> list[Mention]:
        """Return the author's posts replying in ``root``'s thread after ``since``, oldest first."""
        ...
