"""The audit trail: every state change, who made it and when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.store.database import iso, transaction

RECORD_SQL = "INSERT INTO audit (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)"


def detail_json(detail: dict[str, Any]) -> str:
    """An entry's detail as stored (JSON, non-ASCII kept as is)."""
    return json.dumps(detail, ensure_ascii=False)


class AuditStore:
    """Append-only record of actions."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record(self, actor: str, action: str, entity: str, entity_id: int | None, detail: dict[str, Any],
               now: datetime) -> None:
        """Append one entry."""
        with transaction(self.db):
            self.db.execute(RECORD_SQL, [iso(now), actor, action, entity, entity_id, detail_json(detail)])

    def recent(self, limit: int = 100, entity: str | None = None, entity_id: int | None = None,
               before: int | None = None, after: int | None = None) -> list[dict[str, Any]]:
        """Newest entries first, optionally for one entity; ``before``/``after`` an entry id give the ``limit``
        entries just older/newer than it (keyset paging: any page of a long history costs the same)."""
        conditions: list[str] = []
        params: list[Any] = []
        if entity is not None:
            conditions.append("entity = ? AND entity_id = ?")
            params += [entity, entity_id]
        if before is not None:
            conditions.append("id < ?")
            params.append(before)
        if after is not None:
            conditions.append("id > ?")
            params.append(after)
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        order = "ASC" if after is not None and before is None else "DESC"
        rows = list(self.db.query(f"SELECT * FROM audit{where} ORDER BY id {order} LIMIT ?", [*params, limit]))
        if order == "ASC":
            rows.reverse()
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]
