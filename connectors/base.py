"""The one small interface every platform connector implements.

A connector is the only place that knows a platform's client library. It turns platform objects
into :class:`bot.models.Mention` and back into posts, and never sleeps: a rate limit is reported as
``Batch.pause_until`` (or :class:`RateLimited`) for the scheduler to honour.
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

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
    """The platform rejected our credentials (401/403) or they are missing.

    ``kind`` says which, for ``ronr connectors check``: ``"missing"`` (an environment variable is
    not set), ``"rejected"`` (401: a wrong or revoked token or password) or ``"scope"`` (403: the
    keys are valid but lack a scope or the API access level the call needs).
    """

    KINDS = ("missing", "rejected", "scope")

    def __init__(self, connector: str, message: str, *, kind: str = "rejected") -> None:
        super().__init__(connector, message)
        if kind not in self.KINDS:
            raise ValueError(f"unknown credential error kind {kind!r}")
        self.kind = kind


def unreachable(exc: BaseException, fallback_url: str, setting: str) -> str:
    """``cannot reach <scheme://host> (<reason>); check <setting> and the network`` for a failed call."""
    url = str(getattr(getattr(exc, "request", None), "url", None) or fallback_url)
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else url
    return f"cannot reach {origin} ({network_failure(exc)}); check {setting} and the network"


def network_failure(exc: BaseException) -> str:
    """A short reason for a failed HTTP call, without the URL-laden chain requests prints.

    ``connection refused``, ``host name not found``, ``timed out`` or the innermost exception's type.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    innermost = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        innermost = current
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, socket.gaierror):
            return "host name not found"
        if isinstance(current, TimeoutError) or "timed out" in str(current).lower():
            return "timed out"
        if "name or service not known" in str(current).lower() or "failed to resolve" in str(current).lower():
            return "host name not found"
        if "connection refused" in str(current).lower():
            return "connection refused"
        nested = [a for a in (getattr(current, "reason", None), *getattr(current, "args", ()))
                  if isinstance(a, BaseException)]
        current = nested[0] if nested else current.__cause__ or current.__context__
    return type(innermost).__name__


class Unreachable(ConnectorError):
    """The platform could not be reached (refused, timed out, name not found); always transient."""

    def __init__(self, connector: str, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(connector, message, transient=True, retry_at=retry_at)


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
