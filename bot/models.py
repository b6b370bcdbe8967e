"""Frozen value objects shared by every stage of the RonR loop.

Platform objects (tweepy ``Tweet``, praw ``Comment``) never leave their connector module: each
connector turns them into these types, keeping the raw payload as JSON text in ``Mention.raw``.
All datetimes are timezone-aware and in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

SentimentLabel = Literal["positive", "negative", "neutral"]
Priority = Literal["P1", "P2", "P3", "P4"]
MentionKind = Literal["mention", "answer"]


def written_handle(platform: str, handle: str) -> str:
    """A handle as people write it on ``platform``: u/name on Reddit, @name elsewhere (whatever prefix it had)."""
    bare = handle.strip().removeprefix("u/").lstrip("@")
    return ("u/" if platform == "reddit" else "@") + bare


@dataclass(frozen=True)
class Author:
    """A person (or bot) on a platform, as the platform describes them."""

    platform: str
    platform_id: str
    handle: str
    name: str = ""
    followers: int = 0
    verified: bool = False


@dataclass(frozen=True)
class Mention:
    """One post that concerns the brand: a mention found by a connector or an author's answer.

    ``thread_id`` groups a conversation (X conversation id, Reddit submission fullname);
    ``in_reply_to`` is the platform id of the parent post, if any. ``addresses_us`` is true when
    the author addressed one of our accounts (an @-mention, a reply to us, our subreddit).
    ``account`` names which of our accounts the mention concerns.
    """

    platform: str
    platform_id: str
    author: Author
    text: str
    created_at: datetime
    account: str
    thread_id: str = ""
    in_reply_to: str | None = None
    addresses_us: bool = False
    lang: str | None = None
    url: str = ""
    raw: str = "{}"
    kind: MentionKind = "mention"


@dataclass(frozen=True)
class Cursor:
    """Where a connector stopped reading: opaque to everyone but the connector (JSON text)."""

    value: str


@dataclass(frozen=True)
class Batch:
    """The result of one poll: new mentions, the cursor after them, and what the poll cost.

    ``pause_until`` asks the scheduler not to poll this connector again before that time (a rate
    limit); ``problems`` lists payload issues that were logged but did not stop the poll.
    """

    mentions: tuple[Mention, ...]
    cursor: Cursor | None
    calls: int = 0
    pause_until: datetime | None = None
    pause_reason: str = ""
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Posted:
    """A reply that exists on the platform."""

    platform_id: str
    posted_at: datetime
    url: str = ""


@dataclass(frozen=True)
class Sentiment:
    """VADER scores for a text; ``segments`` > 1 when a long text was scored in parts."""

    compound: float
    pos: float
    neu: float
    neg: float
    label: SentimentLabel
    segments: int = 1


@dataclass(frozen=True)
class Triage:
    """Everything the triage stage concluded about a mention, with the reasons for each call."""

    sentiment: Sentiment
    intents: tuple[str, ...]
    relevance: float
    language: str
    spam: bool
    priority: Priority
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """What the policy engine proposes for a mention; a human decides.

    ``action`` is "reply" (a public reply with optional follow-up question), "escalate" (a person
    must handle it; ``text`` may be empty) or "ignore" (recorded, never queued).
    """

    rule_id: str
    action: Literal["reply", "escalate", "ignore"]
    text: str = ""
    follow_up: str = ""
    follow_up_after_hours: float = 24.0
    escalate_to: str = ""
    note: str = ""
    why: tuple[str, ...] = ()
    blocked_by: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class LoopFacts:
    """What Social ID needs to know about one conversation loop (read from the store)."""

    account: str
    priority: str
    opened_at: datetime
    sla_due: datetime | None
    mention_text: str
    mention_compound: float
    close_reason: str
    replied_at: datetime | None = None
    reply_text: str = ""
    suggested_text: str = ""
    answered_at: datetime | None = None
    answer_compound: float | None = None
