"""The only place that knows SQL and SQLite.

:class:`Store` groups one repository per concern; the rest of RonR talks to these methods, so a
PostgreSQL backend can implement the same surface without touching triage, policy, queue or web.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from bot.store.audit import AuditStore
from bot.store.contacts import BlockedContact, ContactStore
from bot.store.daemon_state import DaemonStateStore
from bot.store.database import StoreError, connect, iso, parse_time, schema_version, transaction
from bot.store.followups import FollowUpDue, FollowUpStore
from bot.store.ingest import IngestStore
from bot.store.loops import Loop, LoopStore
from bot.store.mentions import CursorState, MentionStore
from bot.store.outbox import OutboxItem, OutboxStore
from bot.store.relationships import RelationshipStore
from bot.store.reports import ReportStore
from bot.store.suggestions import Decision, QueueItem, SuggestionStore
from bot.store.users import User, UserStore


class Store:
    """An open RonR database: ``mentions``, ``suggestions``, ``outbox``, ``loops``, ``audit``."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.db = connect(path)
        self.mentions = MentionStore(self.db)
        self.suggestions = SuggestionStore(self.db)
        self.outbox = OutboxStore(self.db)
        self.loops = LoopStore(self.db)
        self.audit = AuditStore(self.db)
        self.relationships = RelationshipStore(self.db)
        self.reports = ReportStore(self.db)
        self.daemon = DaemonStateStore(self.db)
        self.users = UserStore(self.db)
        self.contacts = ContactStore(self.db)
        self.follow_ups = FollowUpStore(self.db)
        self.ingest = IngestStore(self.db)

    @property
    def version(self) -> int:
        """The schema version of the open database."""
        return schema_version(self.db)

    def atomic(self) -> AbstractContextManager[object]:
        """Group several store calls into one transaction (all or nothing)."""
        return transaction(self.db)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()


__all__ = [
    "AuditStore", "BlockedContact", "ContactStore", "CursorState", "DaemonStateStore",
    "Decision", "FollowUpDue", "FollowUpStore", "Loop", "LoopStore", "MentionStore", "OutboxItem", "OutboxStore",
    "QueueItem", "Store", "StoreError", "SuggestionStore", "User", "UserStore", "connect", "iso", "parse_time",
    "transaction",
]
