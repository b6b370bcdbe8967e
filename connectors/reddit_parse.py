"""Reddit listing JSON -> :class:`bot.models.Mention`, tolerant of malformed children.

Listings are parsed from the JSON praw's session returns (not from praw ``Comment`` objects) so a
child with missing fields costs only itself, unknown fields are kept in the raw payload, and the
rest of the page is never lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.models import Author, Mention, MentionKind

DELETED = "[deleted]"
_CONTEXT_LINK = re.compile(r"/comments/([a-z0-9]+)/")


def id36(fullname: str) -> int:
    """The numeric part of a fullname (``t1_abc`` -> int('abc', 36)); ids grow with time."""
    return int(fullname.partition("_")[2] or fullname, 36)


@dataclass
class Listing:
    """A parsed listing page."""

    mentions: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    children: int = 0
    newest: str | None = None
    after: str | None = None
    reached_since: bool = False
    ours: int = 0


def to_mention(child: dict[str, Any], *, now: datetime, account: str, addresses_us: bool,
               kind: MentionKind = "mention") -> tuple[Mention, list[str]]:
    """Build a mention from one ``{"kind", "data"}`` child; missing fields become problems, not errors."""
    data = child.get("data") if isinstance(child.get("data"), dict) else {}
    assert isinstance(data, dict)
    problems: list[str] = []
    name = str(data.get("name") or f"{child.get('kind', 't1')}_{data.get('id', '')}")
    author_name = data.get("author")
    if not isinstance(author_name, str) or not author_name:
        problems.append(f"{name}: author missing; kept as {DELETED}")
        author_name = DELETED
    if name.startswith("t3_"):
        text = "\n\n".join(str(p) for p in (data.get("title"), data.get("selftext")) if p)
        thread, parent = name, None
    else:
        text = str(data.get("body") or "")
        link = data.get("link_id")
        if not link and isinstance(data.get("context"), str):
            found = _CONTEXT_LINK.search(data["context"])
            link = f"t3_{found.group(1)}" if found else None
        thread, parent = str(link or name), (str(data["parent_id"]) if data.get("parent_id") else None)
    if not text:
        problems.append(f"{name}: no text")
    try:
        created = datetime.fromtimestamp(float(data["created_utc"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        problems.append(f"{name}: no valid created_utc; using poll time")
        created = now
    permalink = data.get("permalink") or data.get("context") or ""
    author = Author(platform="reddit", platform_id=str(data.get("author_fullname") or author_name),
                    handle=author_name)
    mention = Mention(platform="reddit", platform_id=name, author=author, text=str(text), created_at=created,
                      account=account, thread_id=thread, in_reply_to=parent, addresses_us=addresses_us,
                      url=f"https://www.reddit.com{permalink}" if permalink else "",
                      raw=json.dumps(child, sort_keys=True), kind=kind)
    return mention, problems


def parse_listing(body: object, *, since: str | None, now: datetime, account: str, ours: Collection[str],
                  keep: Callable[[str], bool], addresses: Callable[[dict[str, Any], str], bool]) -> Listing:
    """Parse one listing page (newest first), stopping at ``since`` (a fullname already stored).

    ``keep(text)`` decides which items are about us; ``addresses(data, text)`` whether they
    address us. Items by our own accounts are skipped.
    """
    page = Listing()
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        page.problems.append(f"not a listing: {str(body)[:80]!r}")
        return page
    page.after = data.get("after") if isinstance(data.get("after"), str) else None
    floor = id36(since) if since else None
    lowered = {o.lower() for o in ours}
    for child in data["children"]:
        page.children += 1
        item = child.get("data") if isinstance(child, dict) else None
        if not isinstance(item, dict) or not (item.get("name") or item.get("id")):
            page.problems.append(f"listing child without an id skipped: {str(child)[:80]!r}")
            continue
        name = str(item.get("name") or f"{child.get('kind', 't1')}_{item['id']}")
        try:
            number = id36(name)
        except ValueError:
            page.problems.append(f"listing child with a bad id skipped: {name!r}")
            continue
        if page.newest is None:
            page.newest = name
        if floor is not None and number <= floor:
            page.reached_since = True
            continue
        if str(item.get("author", "")).lower() in lowered:
            page.ours += 1
            continue
        text = str(item.get("body") or "\n\n".join(str(p) for p in (item.get("title"), item.get("selftext")) if p))
        if not keep(text):
            continue
        mention, problems = to_mention(child, now=now, account=account, addresses_us=addresses(item, text))
        page.mentions.append(mention)
        page.problems.extend(problems)
    return page


def walk_tree(listing: object) -> list[dict[str, Any]]:
    """Every comment ``data`` in a comment tree listing (``replies`` nested), parents before children."""
    out: list[dict[str, Any]] = []
    stack: list[Any] = [listing]
    while stack:
        node = stack.pop(0)
        data = node.get("data") if isinstance(node, dict) else None
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("children"), list):
            stack.extend(data["children"])
        elif node.get("kind") == "t1":
            out.append(data)
            if isinstance(data.get("replies"), dict):
                stack.append(data["replies"])
    return out
