"""Platform guardrails: pure checks of one reply against the rules of the road.

:func:`check` takes the reply, the mention it answers, what the store knows (:class:`Facts`), the
configured :class:`Limits` and ``now``, and returns one :class:`Verdict` per guardrail. It runs
twice: when a suggestion is made (``stage="suggest"``) and right before posting (``stage="post"``).
Quiet hours and daily caps only apply when posting, and they *hold* a post (``until``) rather than
block it; every other guardrail blocks. See docs/policies.md#guardrails.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.models import Mention, written_handle

Stage = Literal["suggest", "post"]

GUARDRAILS = {
    "addressed": "reply only to posts that address or mention the brand (keyword-search finds on X need opt-in)",
    "own_account": "never reply to our own accounts",
    "brand_bot": "never reply to known brand bots",
    "do_not_contact": "never reply to a person on the do-not-contact list",
    "one_per_thread": "at most one reply to a person per thread until they answer",
    "identical_text": "never send the same words to the same person within the window",
    "length": "fit the platform's length limit (X: 280 weighted characters; Reddit: 10,000)",
    "daily_cap": "at most this many replies per platform per local day (holds, posting only)",
    "quiet_hours": "no posting during quiet hours in the configured timezone (holds, posting only)",
}
MAX_LENGTH = {"x": 280, "reddit": 10_000}
DEFAULT_MAX_LENGTH = 10_000


@dataclass(frozen=True)
class Verdict:
    """One guardrail's answer: ok, or the reason it stopped the reply (and when a hold lifts)."""

    guardrail: str
    ok: bool
    reason: str
    until: datetime | None = None

    def __str__(self) -> str:
        return f"{self.guardrail}: {self.reason}"


@dataclass(frozen=True)
class Facts:
    """What the store knows that the guardrails need, gathered by the caller."""

    do_not_contact: str | None = None  # the reason, when the author is listed
    unanswered_in_thread: int = 0  # our replies to this person in this thread they have not answered yet
    replies_today: int = 0  # our replies on this platform since local midnight
    recent_texts: tuple[str, ...] = ()  # our replies to this person within the identical-text window


@dataclass(frozen=True)
class Limits:
    """The configured guardrails, in the shape the checks use."""

    our_handles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    brand_bots: Mapping[str, frozenset[str]] = field(default_factory=dict)
    brand_words: tuple[str, ...] = ()
    daily_caps: Mapping[str, int] = field(default_factory=dict)
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = "UTC"
    identical_text_days: int = 30
    x_keyword_replies: bool = False


def handle_key(handle: str) -> str:
    """A handle as stored and compared: lower case, without @ or u/."""
    h = handle.strip().lower()
    return h[2:] if h.startswith("u/") else h.lstrip("@")


def shown_handle(mention: Mention) -> str:
    """The author's handle as people write it on the mention's platform: u/name on Reddit, @name elsewhere."""
    return written_handle(mention.platform, mention.author.handle)


# X's weighted length (twitter-text v3): code points in these ranges weigh 1, all others 2; a URL
# weighs 23 whatever its length; an emoji sequence (with modifiers and joiners) weighs 2.
_HEAVY = re.compile("[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
                  r"(?:com|org|net|io|co|uk|de|fr|es|it|nl|eu|us|ca|au|app|dev|ly|me|info|biz)\b(?:/\S*)?",
                  re.IGNORECASE)
_URL_TAIL = re.compile(r"[.,!?;:)\]'\"]+$")
_PICTO = "\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23e9-\u23fa\u24c2\u25aa-\u25fe\u2600-\u27bf" \
         "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
_MOD = "[\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]*"
_EMOJI = re.compile(f"[\U0001f1e6-\U0001f1ff]{{2}}|[#*0-9]\ufe0f?\u20e3|[{_PICTO}]{_MOD}(?:\u200d[{_PICTO}]{_MOD})*")
X_URL_WEIGHT = 23


def _plain(text: str) -> int:
    return len(text) + len(_HEAVY.findall(text))


def _weight(segment: str) -> int:
    total, pos = 0, 0
    for emoji in _EMOJI.finditer(segment):
        total += _plain(segment[pos:emoji.start()]) + 2
        pos = emoji.end()
    return total + _plain(segment[pos:])


def x_weighted_length(text: str) -> int:
    """The length X counts against its 280 limit (NFC; CJK and emoji weigh 2; every URL 23)."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for url in _URL.finditer(text):
        end = url.start() + len(_URL_TAIL.sub("", url.group(0)))
        total += _weight(text[pos:url.start()]) + X_URL_WEIGHT
        pos = end
    return total + _weight(text[pos:])


def reply_length(platform: str, text: str) -> tuple[int, int]:
    """(length as the platform counts it, the platform's limit)."""
    if platform == "x":
        return x_weighted_length(text), MAX_LENGTH["x"]
    return len(text), MAX_LENGTH.get(platform, DEFAULT_MAX_LENGTH)


def quiet_until(limits: Limits, now: datetime) -> datetime | None:
    """When the current quiet hours end (UTC), or None when it is not quiet now."""
    start, end = limits.quiet_start, limits.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(limits.timezone)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    quiet = start <= clock < end if start < end else (clock >= start or clock < end)
    if not quiet:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(now.tzinfo)


def next_local_midnight(limits: Limits, now: datetime) -> datetime:
    """The start of the next local day, in ``now``'s timezone."""
    zone = ZoneInfo(limits.timezone)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=zone).astimezone(now.tzinfo)


def _addressed(mention: Mention, allow_keyword_posts: bool, limits: Limits) -> Verdict:
    lowered = mention.text.lower()
    handles = limits.our_handles.get(mention.platform, frozenset())
    if mention.addresses_us or any(f"@{h}" in lowered or f"u/{h}" in lowered for h in handles):
        return Verdict("addressed", True, "the post addresses us")
    if mention.platform == "x":
        if limits.x_keyword_replies and allow_keyword_posts:
            return Verdict("addressed", True, "keyword-search post; allowed by guardrails.x_keyword_replies and "
                                              "the rule's allow_keyword_posts")
        return Verdict("addressed", False, "on X we only reply to posts that @-mention or reply to us; this one "
                                           "was found by keyword search (needs guardrails.x_keyword_replies and a "
                                           "rule with allow_keyword_posts = true)")
    if any(w in lowered for w in limits.brand_words):
        return Verdict("addressed", True, "the post mentions the brand")
    return Verdict("addressed", False, "the post neither addresses nor mentions the brand")


def check(mention: Mention, text: str, facts: Facts, limits: Limits, now: datetime, *, stage: Stage = "post",
          kind: str = "reply", allow_keyword_posts: bool = False) -> list[Verdict]:
    """Every guardrail's verdict on posting ``text`` in reply to ``mention``."""
    handle = handle_key(mention.author.handle)
    verdicts = [_addressed(mention, allow_keyword_posts, limits)]
    own = handle in limits.our_handles.get(mention.platform, frozenset())
    verdicts.append(Verdict("own_account", not own, f"@{handle} is one of our own accounts" if own else "not ours"))
    bot = handle in limits.brand_bots.get(mention.platform, frozenset())
    verdicts.append(Verdict("brand_bot", not bot, f"@{handle} is a known brand bot" if bot else "not a known bot"))
    dnc = facts.do_not_contact
    verdicts.append(Verdict("do_not_contact", dnc is None,
                            "not listed" if dnc is None else f"@{handle} is on the do-not-contact list ({dnc})"))
    # A follow-up question after silence is the one allowed second reply in a thread (docs/policies.md).
    allowed = 1 if kind == "follow_up" else 0
    waiting = facts.unanswered_in_thread
    verdicts.append(Verdict("one_per_thread", waiting <= allowed,
                            f"we already replied to @{handle} in this thread ({waiting} unanswered) and they have "
                            "not answered yet" if waiting > allowed else "no unanswered reply to them in this thread"))
    same = any(" ".join(text.casefold().split()) == " ".join(t.casefold().split()) for t in facts.recent_texts)
    verdicts.append(Verdict("identical_text", not same,
                            f"we sent @{handle} these exact words within {limits.identical_text_days} days; "
                            "pick another wording" if same else "new words for this person"))
    length, limit = reply_length(mention.platform, text)
    verdicts.append(Verdict("length", length <= limit, f"{length} of {limit} characters as {mention.platform} "
                                                       "counts them" + ("; shorten it" if length > limit else "")))
    if stage == "post":
        cap = limits.daily_caps.get(mention.platform)
        over = cap is not None and facts.replies_today >= cap
        verdicts.append(Verdict("daily_cap", not over,
                                f"{facts.replies_today} replies on {mention.platform} today, cap {cap}",
                                next_local_midnight(limits, now) if over else None))
        lifted = quiet_until(limits, now)
        verdicts.append(Verdict("quiet_hours", lifted is None,
                                "outside quiet hours" if lifted is None else
                                f"quiet hours {limits.quiet_start:%H:%M}-{limits.quiet_end:%H:%M} {limits.timezone}",
                                lifted))
    return verdicts


def stopped(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The verdicts that stop the reply."""
    return [v for v in verdicts if not v.ok]
