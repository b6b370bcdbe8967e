"""The Reddit connector: praw (a "script" app) behind the RonR connector interface.

Listening walks three listings newest-first with ``after`` tokens: new comments and new
submissions of the configured subreddits (one ``r/a+b+c`` request each, matched locally against
the brand) and the account's username mentions. Cursors hold, per listing, the newest fullname
stored (ids grow with time) and any unfinished walk; see :mod:`connectors.walk`.

prawcore sleeps in two places — its rate limiter paces requests and its retry strategy waits
between retries. RonR never sleeps in library code, so :func:`_never_sleep` swaps in a limiter that
raises :class:`_Throttled` when Reddit says the window is spent, and a retry strategy that retries
at once (a bounded number of times) without waiting. prawcore offers no public hook for either, so
this touches its private attributes; the versions are pinned and a change fails loudly at start-up.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import praw
import prawcore
import requests
from prawcore.rate_limit import RateLimiter
from prawcore.sessions import FiniteRetryStrategy

from bot.config.settings import BrandSettings, RedditSettings
from bot.models import Batch, Cursor, Mention, Posted
from connectors.base import ConnectorError, CredentialError, RateLimited, Unreachable, unreachable
from connectors.limits import backoff, read_allowance, reset_from_headers
from connectors.query import BrandMatcher
from connectors.reddit_parse import parse_listing, to_mention, walk_tree
from connectors.walk import Budget, Fetch, PageResult, PollState, run_walks

T = TypeVar("T")


@dataclass(frozen=True)
class RedditCredentials:
    """A script app's id and secret and the account it acts as, read from the environment."""

    client_id: str
    client_secret: str
    username: str
    password: str


class _Throttled(Exception):
    """Reddit's rate-limit window is spent; ``seconds`` until it resets."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate-limit window spent; resets in {seconds:.0f} s")
        self.seconds = seconds


class _NoSleepLimiter(RateLimiter):
    """prawcore's limiter without pacing: refuse (raise) instead of sleeping when the window is spent."""

    def delay(self) -> None:
        if self.remaining is not None and self.remaining <= 0 and self.next_request_timestamp_ns is not None:
            wait = (self.next_request_timestamp_ns - time.monotonic_ns()) / 1e9
            if wait > 0:
                raise _Throttled(wait)


@dataclass(frozen=True)
class _RetryAtOnce(FiniteRetryStrategy):
    """prawcore's bounded retries (5xx, connection errors, expired token), without the waits."""

    def _sleep_seconds(self) -> float | None:
        return None


class PrawcoreChanged(RuntimeError):
    """praw/prawcore no longer have the internals :func:`_never_sleep` replaces (see the module docstring)."""


def _never_sleep(reddit: Any) -> None:
    """Swap prawcore's sleeping limiter and retry strategy for ours, on every session praw made.

    There is no public hook for either: ``requestor_class``/``requestor_kwargs`` (and a custom
    ``requests.Session`` through them) sit below prawcore's ``Session``, which paces with
    ``RateLimiter.delay`` and retries 5xx, connection errors and an expired token (401) with
    ``FiniteRetryStrategy.sleep`` before and after the requestor is called. So this reaches into
    ``praw.Reddit._read_only_core/_authorized_core`` and ``prawcore.Session._rate_limiter/
    _retry_strategy_class``, verified on prawcore 4.0 and pinned in pyproject.toml (``prawcore>=4.0,<5``);
    if a release moves them, this raises at start-up instead of letting prawcore sleep.
    """
    cores = [getattr(reddit, name, None) for name in ("_read_only_core", "_authorized_core")]
    changed = [name for name, ok in (
        ("praw.Reddit._read_only_core", cores[0] is not None),
        ("prawcore.Session._rate_limiter", all(isinstance(getattr(c, "_rate_limiter", None), RateLimiter)
                                              for c in cores if c is not None)),
        ("prawcore.Session._retry_strategy_class", all(getattr(c, "_retry_strategy_class", None) is not None
                                                      for c in cores if c is not None)),
        ("prawcore.RateLimiter.next_request_timestamp_ns", hasattr(RateLimiter(window_size=600),
                                                                   "next_request_timestamp_ns")),
        ("prawcore.FiniteRetryStrategy._sleep_seconds", callable(getattr(FiniteRetryStrategy, "_sleep_seconds",
                                                                         None))),
    ) if not ok]
    if changed:
        raise PrawcoreChanged(f"prawcore {prawcore.__version__} changed what RonR relies on to never sleep "
                              f"({', '.join(changed)}); install prawcore>=4.0,<5 (pyproject.toml)")
    for core in cores:
        if core is not None:
            core._rate_limiter = _NoSleepLimiter(window_size=core._rate_limiter.window_size)
            core._retry_strategy_class = _RetryAtOnce


class RedditConnector:
    """Listen on Reddit (subreddits + username mentions), post replies, reconcile and follow threads."""

    name = "reddit"

    def __init__(self, settings: RedditSettings, brand: BrandSettings, accounts: list[str],
                 credentials: RedditCredentials, *, rng: random.Random | None = None) -> None:
        self.settings = settings
        self.accounts = [a.removeprefix("u/") for a in accounts] or [credentials.username]
        self.ours = {a.lower() for a in self.accounts} | {credentials.username.lower()}
        self.username = credentials.username  # the account replies are posted as
        self.matcher = BrandMatcher(brand, set(self.accounts))
        self.rng = rng or random.Random()
        self.failures = 0
        self.reddit = praw.Reddit(
            client_id=credentials.client_id, client_secret=credentials.client_secret,
            username=credentials.username, password=credentials.password, user_agent=settings.user_agent,
            oauth_url=settings.base_url.rstrip("/"), reddit_url=settings.auth_url.rstrip("/"),
            requestor_kwargs={"session": requests.Session(), "timeout": settings.timeout_seconds},
            check_for_updates=False, check_for_async=False, ratelimit_seconds=-1)
        _never_sleep(self.reddit)

    def call(self, fn: Callable[[], T], now: datetime) -> T:
        """Run one praw operation and translate its failures into connector errors."""
        try:
            result = fn()
        except _Throttled as exc:
            raise RateLimited("reddit", now + timedelta(seconds=exc.seconds), str(exc)) from exc
        except prawcore.exceptions.TooManyRequests as exc:
            until, why = reset_from_headers(exc.response.headers, now)
            raise RateLimited("reddit", until, f"HTTP 429 ({why})") from exc
        except (prawcore.exceptions.OAuthException, prawcore.exceptions.InvalidToken) as exc:
            raise CredentialError("reddit", f"token rejected ({type(exc).__name__}: {exc}); check the Reddit app "
                                  "id/secret, username and password in the environment") from exc
        except (prawcore.exceptions.Forbidden, prawcore.exceptions.InsufficientScope) as exc:
            raise CredentialError("reddit", f"not allowed ({type(exc).__name__}: {exc}); the app must be a "
                                  "\"script\" app of this account, and the account allowed where it reads or "
                                  "posts (docs/connectors.md)", kind="scope") from exc
        except prawcore.exceptions.ResponseException as exc:
            transient = exc.response.status_code >= 500
            where = urlsplit(str(exc.response.url or "")).path or "?"
            hint = "; check [connectors.reddit].subreddits" if exc.response.status_code == 404 else ""
            raise self._failure(f"HTTP {exc.response.status_code} from Reddit for {where}{hint}", now,
                                transient) from exc
        except prawcore.exceptions.RequestException as exc:
            self.failures += 1
            raise Unreachable("reddit", unreachable(exc.original_exception, self.settings.base_url,
                                                    "[connectors.reddit].base_url / auth_url"),
                              retry_at=now + timedelta(seconds=backoff(self.failures, self.rng))) from exc
        except praw.exceptions.RedditAPIException as exc:
            raise ConnectorError("reddit", f"Reddit refused: {exc}") from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # praw/prawcore choke on answers they do not expect (gateways, proxies): never crash a poll
            raise self._failure(f"unexpected answer ({type(exc).__name__}: {exc})", now, True) from exc
        self.failures = 0
        return result

    def _failure(self, message: str, now: datetime, transient: bool) -> ConnectorError:
        if not transient:
            return ConnectorError("reddit", message)
        self.failures += 1
        return ConnectorError("reddit", message, transient=True,
                              retry_at=now + timedelta(seconds=backoff(self.failures, self.rng)))

    def get(self, path: str, params: dict[str, Any], now: datetime) -> Any:
        """GET a path through praw's authenticated session; the JSON, unparsed."""
        return self.call(lambda: self.reddit.request(method="GET", path=path, params=params), now)

    # -- listening ------------------------------------------------------------------------------
    def poll(self, cursor: Cursor | None, now: datetime) -> Batch:
        """Fetch new subreddit comments/submissions about the brand and new username mentions."""
        state = PollState.load(cursor, now)
        allowance = read_allowance(self.settings.monthly_read_budget, state.requests, now, minimum=1, burst=10,
                                   unit="requests")
        if not allowance.may_poll:
            return Batch(mentions=(), cursor=cursor, calls=0, pause_until=allowance.next_at,
                         pause_reason=f"request budget: {allowance.reason}")
        walks: list[tuple[str, Fetch, int | None]] = []
        if self.settings.subreddits:
            subs = "+".join(s.strip().strip("/").removeprefix("r/") for s in self.settings.subreddits)
            walks.append(("comments", self._fetcher(f"r/{subs}/comments", True, now), None))
            walks.append(("submissions", self._fetcher(f"r/{subs}/new", True, now), None))
        walks.append(("mentions", self._fetcher("message/mentions", False, now), None))
        return run_walks("reddit", state, walks, Budget(allowance.reads, per_request=True), now)

    def _fetcher(self, path: str, match: bool, now: datetime) -> Fetch:
        own_subs = {a.lower() for a in self.accounts}

        def addresses(item: dict[str, Any], text: str) -> bool:
            return not match or self.matcher.addresses(text) or str(item.get("subreddit", "")).lower() in own_subs

        def fetch(since: str | None, token: str | None, size: int) -> PageResult:
            body = self.get(path, {"limit": size, "after": token}, now)
            page = parse_listing(body, since=since, now=now, account=self.accounts[0], ours=self.ours,
                                 keep=self.matcher.matches if match else (lambda _t: True), addresses=addresses)
            return PageResult(page.mentions, page.problems, page.children, page.newest, page.after,
                              page.reached_since)
        return fetch

    # -- posting and threads --------------------------------------------------------------------
    def _thing(self, fullname: str) -> Any:
        kind, _, ident = fullname.partition("_")
        return self.reddit.submission(id=ident) if kind == "t3" else self.reddit.comment(id=ident)

    def post_reply(self, to: Mention, text: str, key: str, now: datetime) -> Posted:
        """Reply to the comment or submission ``to``; not retried here (the outbox reconciles)."""
        made = self.call(lambda: self._thing(to.platform_id).reply(body=text), now)
        if made is None:
            raise ConnectorError("reddit", f"Reddit accepted the reply to {to.platform_id} but returned no comment")
        return Posted(platform_id=f"t1_{made.id}", posted_at=now, url=f"https://www.reddit.com{made.permalink}")

    def find_reply(self, to: Mention, key: str, now: datetime) -> Posted | None:
        """Our comment among the direct replies of ``to``, if any (reconciliation after a crash).

        A busy thread shows only its best few hundred replies and hides the rest behind "load more",
        where a new reply with one point lands first; so when ours is not among those shown, our
        account's newest comments are read too (a reply being reconciled is among them).
        """

        def replies() -> list[Any]:
            thing = self._thing(to.platform_id)
            if to.platform_id.startswith("t3_"):
                return list(thing.comments)
            return list(thing.refresh().replies)
        for reply in self.call(replies, now):
            author = getattr(reply, "author", None)
            if author is not None and getattr(author, "name", "").lower() in self.ours:
                return Posted(platform_id=f"t1_{reply.id}", posted_at=datetime.fromtimestamp(reply.created_utc, UTC),
                              url=f"https://www.reddit.com{reply.permalink}")
        body = self.get(f"user/{self.username}/comments", {"limit": 100, "sort": "new"}, now)
        children = body.get("data", {}).get("children", []) if isinstance(body, dict) else []
        for child in children if isinstance(children, list) else []:
            data = child.get("data") if isinstance(child, dict) else None
            if isinstance(data, dict) and data.get("parent_id") == to.platform_id and data.get("id"):
                posted_at = datetime.fromtimestamp(float(data.get("created_utc") or now.timestamp()), UTC)
                return Posted(platform_id=f"t1_{data['id']}", posted_at=posted_at,
                              url=f"https://www.reddit.com{data.get('permalink', '')}")
        return None

    def thread_since(self, root: Mention, since: datetime, now: datetime) -> list[Mention]:
        """The root author's comments answering one of ours in the thread, after ``since``, oldest first."""
        link = root.thread_id if root.thread_id.startswith("t3_") else root.platform_id
        body = self.get(f"comments/{link[3:]}", {"limit": 500, "sort": "new"}, now)
        comments = walk_tree(body[1]) if isinstance(body, list) and len(body) > 1 else []
        by_name = {str(c.get("name")): c for c in comments}
        found: list[Mention] = []
        for data in comments:
            parent = by_name.get(str(data.get("parent_id")))
            if (str(data.get("author", "")).lower() == root.author.handle.lower() and parent is not None
                    and str(parent.get("author", "")).lower() in self.ours
                    and float(data.get("created_utc") or 0) > since.timestamp()):
                mention, _ = to_mention({"kind": "t1", "data": data}, now=now, account=root.account,
                                        addresses_us=True, kind="answer")
                found.append(mention)
        return sorted(found, key=lambda m: m.created_at)

    def me(self, now: datetime) -> str:
        """The account name the credentials act as (``GET /api/v1/me``)."""
        return str(self.call(lambda: getattr(self.reddit.user.me(), "name", ""), now))

    def describe(self, cursor: Cursor | None, now: datetime) -> dict[str, Any]:
        """What the cursor says, for ``ronr connectors status``."""
        state = PollState.load(cursor, now)
        allowance = read_allowance(self.settings.monthly_read_budget, state.requests, now, minimum=1, burst=10,
                                   unit="requests")
        return {"unit": "requests", "spent": state.requests, "budget": self.settings.monthly_read_budget,
                "allowance": allowance.reason, "queries": json.loads(json.dumps(state.queries))}
