"""The relationship ledger: what each author's history with the brand adds up to (pure functions).

An author's contacts (their mentions and answers, with sentiment and intents) and their loops
(our replies and how they ended) become one :class:`Relationship`: how often and since when we
have talked, how their mood moved, whether we turned a complaint around (recovered), whether
they later spoke well of us unprompted (advocacy) and what suggests they may leave (churn).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.models import written_handle
from bot.socialid import NEGATIVE, POSITIVE, recovered

RECOMMENDS = re.compile(r"\b(recommend\w*|you should (get|try|buy)|check out|go with|can't fault|5 stars|"
                        r"best (purchase|thing|buy)|switch(ed)? to (nimbus|them))\b", re.IGNORECASE)
SPARK = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Contact:
    """One post by the author about or to the brand."""

    at: datetime
    kind: str  # "mention" (they spoke up) or "answer" (they answered our reply)
    compound: float | None
    intents: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class AuthorLoop:
    """One conversation with the author, as Social ID sees it."""

    opened_at: datetime
    mention_compound: float
    replied_at: datetime | None
    answer_compound: float | None
    close_reason: str


@dataclass(frozen=True)
class Relationship:
    """One author's ledger line."""

    author_id: int
    platform: str
    handle: str
    name: str
    interactions: int
    mentions: int
    replies: int
    first_contact: datetime
    last_contact: datetime
    sentiment: tuple[float, ...]
    recovered: int
    advocacy: int
    recommendations: int
    churn_signals: tuple[str, ...]

    @property
    def shown_handle(self) -> str:
        """The handle as people write it on the author's platform (u/name, @name)."""
        return written_handle(self.platform, self.handle)

    @property
    def trend(self) -> float:
        """Mean sentiment of the last three contacts minus that of the first three."""
        if len(self.sentiment) < 2:
            return 0.0
        k = min(3, len(self.sentiment) // 2)
        return round(statistics.fmean(self.sentiment[-k:]) - statistics.fmean(self.sentiment[:k]), 2)

    @property
    def status(self) -> str:
        """One word for a manager: advocate, recovered, at risk, or steady."""
        if self.churn_signals:
            return "at risk"
        if self.advocacy:
            return "advocate"
        return "recovered" if self.recovered else "steady"

    @property
    def score(self) -> float:
        """How much this relationship is worth nurturing now: ranks the top of the ledger."""
        return self.interactions + 3 * self.advocacy + 2 * self.recommendations + 3 * self.recovered \
            + 2 * len(self.churn_signals)

    @property
    def spark(self) -> str:
        """Sentiment over time as a line of block characters (low = negative)."""
        return "".join(SPARK[min(7, int((c + 1) / 2 * 8))] for c in self.sentiment[-12:])


def churn_signals(contacts: Sequence[Contact], loops: Sequence[AuthorLoop], now: datetime) -> tuple[str, ...]:
    """Reasons to think the author may leave, newest first; empty when none apply."""
    found = []
    recent = [c for c in contacts if now - c.at <= timedelta(days=30)]
    if any("churn_risk" in c.intents for c in recent):
        found.append("said they may leave")
    scored = [c for c in contacts if c.compound is not None]
    if scored and (scored[-1].compound or 0.0) <= NEGATIVE:
        found.append("last message negative")
    if loops and loops[-1].close_reason == "missed":
        found.append("we never replied")
    elif loops and loops[-1].close_reason == "timeout" and loops[-1].mention_compound <= NEGATIVE:
        found.append("went quiet after a complaint")
    return tuple(found)


def ledger_entry(author_id: int, platform: str, handle: str, name: str, contacts: Sequence[Contact],
                 loops: Sequence[AuthorLoop], now: datetime) -> Relationship:
    """Sum up one author's contacts (oldest first) and loops (oldest first) as seen at ``now``."""
    replies = [lp.replied_at for lp in loops if lp.replied_at is not None]
    first_reply = min(replies) if replies else None
    later_praise = [c for c in contacts if c.kind == "mention" and first_reply is not None and c.at > first_reply
                    and (c.compound or 0.0) >= POSITIVE and "churn_risk" not in c.intents]
    moments = [c.at for c in contacts] + replies
    return Relationship(
        author_id=author_id, platform=platform, handle=handle, name=name,
        interactions=len(contacts) + len(replies), mentions=sum(c.kind == "mention" for c in contacts),
        replies=len(replies), first_contact=min(moments, default=now), last_contact=max(moments, default=now),
        sentiment=tuple(c.compound for c in contacts if c.compound is not None),
        recovered=sum(recovered(lp.mention_compound, lp.answer_compound) for lp in loops),
        advocacy=len(later_praise), recommendations=sum(bool(RECOMMENDS.search(c.text)) for c in later_praise),
        churn_signals=churn_signals(contacts, loops, now),
    )


def rank(entries: Sequence[Relationship], top: int) -> list[Relationship]:
    """The ``top`` relationships by score, then most recent contact."""
    return sorted(entries, key=lambda r: (-r.score, -r.last_contact.timestamp(), r.handle))[:top]
