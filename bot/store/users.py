"""Web users, their sessions and API tokens, login throttling and the signing secret.

Only hashes of session ids and API tokens are stored: a copy of the database does not let anyone
sign in. Password hashing itself (argon2) happens in :mod:`bot.web.security`; this module stores
what it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from bot.store.database import iso, parse_time, transaction

ROLES = ("viewer", "manager", "admin")


@dataclass(frozen=True)
class User:
    """A person who signs in to the web UI or calls the API."""

    id: int
    name: str
    role: str
    password_hash: str
    disabled: bool
    created_at: datetime

    @property
    def can_act(self) -> bool:
        """Managers and admins may change the queue; viewers only look."""
        return self.role in ("manager", "admin") and not self.disabled

    @property
    def is_admin(self) -> bool:
        """Admins also manage users."""
        return self.role == "admin" and not self.disabled


def _user(row: dict[str, Any]) -> User:
    return User(id=int(row["id"]), name=row["name"], role=row["role"], password_hash=row["password_hash"],
                disabled=bool(row["disabled"]), created_at=datetime.fromisoformat(row["created_at"]))


class UserStore:
    """Users, sessions, tokens and login failures."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(self, name: str, role: str, password_hash: str, now: datetime) -> User:
        """Create a user (ValueError if the name is taken or the role unknown)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if self.get(name) is not None:
            raise ValueError(f"a user named {name!r} already exists")
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                [name, role, password_hash, iso(now), iso(now)])
        user = self.get(name)
        assert user is not None
        return user

    def get(self, name: str) -> User | None:
        """The user called ``name`` (case-insensitive), or None."""
        rows = list(self.db.query("SELECT * FROM users WHERE name = ?", [name]))
        return _user(rows[0]) if rows else None

    def by_id(self, user_id: int) -> User | None:
        """The user with database id ``user_id``, or None."""
        rows = list(self.db.query("SELECT * FROM users WHERE id = ?", [user_id]))
        return _user(rows[0]) if rows else None

    def all(self) -> list[User]:
        """Every user, by name."""
        return [_user(r) for r in self.db.query("SELECT * FROM users ORDER BY name")]

    def update(self, name: str, now: datetime, *, role: str | None = None, password_hash: str | None = None,
               disabled: bool | None = None) -> User:
        """Change a user's role, password hash or disabled flag; sessions end when they are disabled."""
        user = self.get(name)
        if user is None:
            raise ValueError(f"no user named {name!r}")
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        with transaction(self.db):
            self.db.execute(
                "UPDATE users SET role = ?, password_hash = ?, disabled = ?, updated_at = ? WHERE id = ?",
                [role or user.role, password_hash or user.password_hash,
                 int(user.disabled if disabled is None else disabled), iso(now), user.id])
            if disabled or password_hash:
                self.db.execute("DELETE FROM web_sessions WHERE user_id = ?", [user.id])
        updated = self.get(name)
        assert updated is not None
        return updated

    # sessions
    def start_session(self, user_id: int, token_hash: str, csrf: str, now: datetime, expires: datetime) -> None:
        """Record a signed-in session (expired ones are swept at the same time)."""
        with transaction(self.db):
            self.db.execute("DELETE FROM web_sessions WHERE expires_at <= ?", [iso(now)])
            self.db.execute(
                "INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [token_hash, user_id, csrf, iso(now), iso(expires)])

    def session(self, token_hash: str, now: datetime) -> tuple[User, str] | None:
        """The user and CSRF token of a live session, or None."""
        row = self.db.execute(
            "SELECT user_id, csrf FROM web_sessions WHERE token_hash = ? AND expires_at > ?",
            [token_hash, iso(now)]).fetchone()
        user = self.by_id(int(row[0])) if row else None
        if row is None or user is None or user.disabled:
            return None
        return user, str(row[1])

    def end_session(self, token_hash: str) -> None:
        """Sign out: the session id stops working at once."""
        with transaction(self.db):
            self.db.execute("DELETE FROM web_sessions WHERE token_hash = ?", [token_hash])

    # API tokens
    def add_token(self, user_id: int, token_hash: str, label: str, now: datetime) -> None:
        """Store the hash of a new API token."""
        with transaction(self.db):
            self.db.execute("INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?, ?, ?, ?)",
                            [token_hash, user_id, label, iso(now)])

    def revoke_tokens(self, user_id: int) -> int:
        """Delete every API token of a user; how many there were."""
        with transaction(self.db):
            return int(self.db.execute("DELETE FROM api_tokens WHERE user_id = ?", [user_id]).rowcount)

    def token_user(self, token_hash: str, now: datetime) -> User | None:
        """The user an API token belongs to (None if unknown or the user is disabled)."""
        row = self.db.execute("SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = ?",
                              [token_hash]).fetchone()
        if row is None:
            return None
        last = parse_time(row[2])
        if last is None or (now - last).total_seconds() > 300:  # write at most every 5 minutes
            with transaction(self.db):
                self.db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [iso(now), row[0]])
        user = self.by_id(int(row[1]))
        return user if user is not None and not user.disabled else None

    # throttling
    def record_failure(self, key: str, now: datetime) -> None:
        """Remember a failed sign-in for ``key`` (a user name or a client address)."""
        with transaction(self.db):
            self.db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", [key, iso(now)])

    def failures_since(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failures ``key`` had since ``since``, and the oldest of them."""
        row = self.db.execute("SELECT count(*), min(at) FROM login_failures WHERE key = ? AND at > ?",
                              [key, iso(since)]).fetchone()
        return int(row[0]), parse_time(row[1])

    def clear_failures(self, key: str, before: datetime) -> None:
        """Forget ``key``'s failures (after a successful sign-in) and everyone's older than ``before``."""
        with transaction(self.db):
            self.db.execute("DELETE FROM login_failures WHERE key = ? OR at <= ?", [key, iso(before)])

    def secret(self, name: str, make: Callable[[], str]) -> str:
        """A named secret kept in the database, created with ``make`` the first time it is asked for."""
        with transaction(self.db):
            self.db.execute("INSERT INTO web_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                            [name, make()])
            return str(self.db.execute("SELECT value FROM web_secrets WHERE name = ?", [name]).fetchone()[0])
