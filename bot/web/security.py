"""Passwords, tokens, signed cookies, login throttling, safe redirects and security headers.

Passwords are hashed with argon2id. A session cookie carries a random session id signed with a
secret (``RONR_WEB_SECRET``, or one kept in the database); the server stores only the id's hash,
so signing out ends the session at once. API tokens are random and stored as hashes too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.store import Store, User

SESSION_HOURS = 12
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is right for ``user`` (takes as long when the user does not exist)."""
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A random, URL-safe secret."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps instead of a session id or API token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def signing_secret(store: Store) -> str:
    """``RONR_WEB_SECRET`` if set, else a random secret created once and kept in the database."""
    return os.environ.get("RONR_WEB_SECRET") or store.users.secret("session", lambda: secrets.token_urlsafe(48))


class Signer:
    """Signs and checks cookie values (session id, flash message) with one secret."""

    def __init__(self, secret: str) -> None:
        self._session = URLSafeTimedSerializer(secret, salt="ronr-session")
        self._flash = URLSafeTimedSerializer(secret, salt="ronr-flash")

    def session(self, session_id: str) -> str:
        """The cookie value for a session id."""
        return str(self._session.dumps(session_id))

    def session_id(self, cookie: str | None) -> str | None:
        """The session id in a cookie, or None if it is missing, forged or too old."""
        if not cookie:
            return None
        try:
            value = self._session.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def flash(self, kind: str, text: str) -> str:
        """The cookie value for a one-time message shown on the next page."""
        return str(self._flash.dumps([kind, text[:500]]))

    def read_flash(self, cookie: str | None) -> tuple[str, str] | None:
        """The (kind, text) of a flash cookie, or None."""
        if not cookie:
            return None
        try:
            value = self._flash.loads(cookie, max_age=300)
        except BadSignature:
            return None
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            return value[0], value[1]
        return None


def throttled(store: Store, name: str, address: str, now: datetime) -> timedelta | None:
    """How long sign-in is refused for this user name or client address (None when allowed)."""
    since = now - THROTTLE_WINDOW
    for key, limit in ((f"user:{name.lower()}", MAX_FAILURES_PER_USER), (f"addr:{address}", MAX_FAILURES_PER_ADDRESS)):
        count, oldest = store.users.failures_since(key, since)
        if count >= limit and oldest is not None:
            return oldest + THROTTLE_WINDOW - now
    return None


def record_failure(store: Store, name: str, address: str, now: datetime) -> None:
    """Count a failed sign-in against both the user name and the client address."""
    store.users.record_failure(f"user:{name.lower()}", now)
    store.users.record_failure(f"addr:{address}", now)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return "/queue"
    return target


class SecurityHeaders:
    """ASGI middleware adding CSP, frame-ancestors, nosniff and no-store to every response (and HSTS over https)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin")]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                if https:  # only over https: on plain http the header is ignored and would mislead
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
