"""X API v2 JSON -> :class:`bot.models.Mention`, tolerant of partial and malformed payloads.

The connector asks tweepy for the raw JSON rather than ``Tweet`` objects so that one malformed
tweet costs only itself (never the rest of the page) and the payload can be kept verbatim. Every
oddity — a missing user expansion, a deleted author, ``errors`` in a 200, a tweet without a date —
becomes a line in ``problems`` and the tweet is kept as far as it can be.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.models import Author, Mention, MentionKind

UNKNOWN_AUTHOR = "[unknown]"


@dataclass
class Page:
    """One parsed response page: mentions, what went wrong, and the paging ``meta``."""

    mentions: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    ours: int = 0


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _author(user: dict[str, Any] | None, author_id: str) -> Author:
    if not user:
        return Author(platform="x", platform_id=author_id, handle=UNKNOWN_AUTHOR)
    metrics = _as_dict(user.get("public_metrics"))
    return Author(platform="x", platform_id=str(user.get("id", author_id)), handle=str(user.get("username", "")),
                  name=str(user.get("name", "")), followers=int(metrics.get("followers_count") or 0),
                  verified=bool(user.get("verified", False)))


def parse_time(text: object) -> datetime | None:
    """Parse X's ``2025-01-01T10:00:00.000Z`` (None when missing or malformed)."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def parse_page(payload: object, *, now: datetime, account: str, our_ids: Collection[str],
               our_handles: Collection[str], kind: MentionKind = "mention") -> Page:
    """Turn one ``data``/``includes``/``errors``/``meta`` response into mentions.

    ``our_ids``/``our_handles`` are our own accounts: their tweets are skipped (counted in
    ``Page.ours``) and a tweet replying to or @-mentioning them ``addresses_us``. ``account`` is the
    account the query listened for (the handle mentioned wins when there is one).
    """
    page = Page()
    body = _as_dict(payload)
    if not body:
        page.problems.append(f"response is not a JSON object: {str(payload)[:80]!r}")
        return page
    page.meta = _as_dict(body.get("meta"))
    users: dict[str, dict[str, Any]] = {}
    for user in _as_dict(body.get("includes")).get("users") or []:
        if isinstance(user, dict) and "id" in user:
            users[str(user["id"])] = user
    for error in body.get("errors") or []:
        err = _as_dict(error)
        page.problems.append(f"X reported: {err.get('title', 'error')}: {err.get('detail') or err.get('message', '')}"
                             .strip())
    data = body.get("data") or []
    if not isinstance(data, list):
        page.problems.append("'data' is not a list; page skipped")
        return page
    handles = {h.lower() for h in our_handles}
    for item in data:
        tweet = _as_dict(item)
        tid = str(tweet.get("id", "")).strip()
        if not tid.isdigit():
            page.problems.append(f"tweet without a usable id skipped: {str(item)[:80]!r}")
            continue
        author_id = str(tweet.get("author_id", ""))
        if author_id in our_ids:
            page.ours += 1
            continue
        user = users.get(author_id)
        if user is None:
            page.problems.append(f"tweet {tid}: author {author_id or '?'} missing from includes "
                                 "(deleted, suspended or expansion not returned); kept with an unknown author")
        created = parse_time(tweet.get("created_at"))
        if created is None:
            page.problems.append(f"tweet {tid}: no valid created_at; using poll time")
            created = now
        text = tweet.get("text")
        if not isinstance(text, str):
            page.problems.append(f"tweet {tid}: text missing")
            text = ""
        replied_to = next((str(r.get("id")) for r in tweet.get("referenced_tweets") or []
                           if isinstance(r, dict) and r.get("type") == "replied_to"), None)
        lowered = text.lower()
        mentioned = next((h for h in sorted(handles) if f"@{h}" in lowered), None)
        addresses = str(tweet.get("in_reply_to_user_id", "")) in our_ids or mentioned is not None
        author = _author(user, author_id)
        handle = author.handle if author.handle != UNKNOWN_AUTHOR else "i"
        page.mentions.append(Mention(
            platform="x", platform_id=tid, author=author, text=text, created_at=created,
            account=mentioned or account, thread_id=str(tweet.get("conversation_id") or tid),
            in_reply_to=replied_to, addresses_us=addresses, lang=tweet.get("lang") or None,
            url=f"https://x.com/{handle}/status/{tid}", kind=kind,
            raw=json.dumps({"tweet": tweet, "author": user}, sort_keys=True),
        ))
    return page
