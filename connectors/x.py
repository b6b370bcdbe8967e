"""The X connector: tweepy's API v2 ``Client`` behind the RonR connector interface.

Listening runs one recent-search query for the brand and one mentions timeline per account of
ours. Each is walked newest-first with ``since_id`` and ``next_token`` / ``pagination_token``; the
cursor (JSON) remembers, per query, the ``since_id`` and — when a walk is cut short by a rate
limit, a fault or the read budget — where the walk stopped, so the next poll resumes there and
nothing is fetched twice or skipped. The cursor also counts this month's reads for the budget.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import requests
import tweepy

from bot.config.settings import BrandSettings, XSettings
from bot.models import Batch, Cursor, Mention, Posted
from connectors.base import ConnectorError, CredentialError, RateLimited, Unreachable, unreachable
from connectors.limits import ReadLedger, backoff, month_bounds, month_key, read_allowance, reset_from_headers
from connectors.query import build_x_query
from connectors.walk import Budget, Fetch, PageResult, PollState, run_walks
from connectors.x_parse import parse_page, parse_time

TWEET_FIELDS = ["created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang",
                "public_metrics", "author_id"]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
TRANSIENT = (tweepy.errors.TwitterServerError, requests.ConnectionError, requests.Timeout)
IMMEDIATE_RETRIES = 2
MIN_SEARCH_PAGE = 10
MIN_MENTIONS_PAGE = 5
THREAD_PAGES = 5


@dataclass(frozen=True)
class XCredentials:
    """Secrets read from the environment: app-only bearer for reading, OAuth 1.0a user keys for posting."""

    bearer_token: str
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None
    missing_user_keys: tuple[str, ...] = ()


class _RebasedSession(requests.Session):
    """Send tweepy's fixed ``https://api.twitter.com`` calls to the configured base URL.

    The URL is rewritten in ``request`` — before requests prepares the request and applies OAuth
    1.0a — so the signature covers the host actually called. Also sets a default timeout, which
    tweepy does not.
    """

    HOSTS = ("https://api.twitter.com", "https://api.x.com")

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        target = url.decode() if isinstance(url, bytes) else url
        for host in self.HOSTS:
            if target.startswith(host):
                target = self.base_url + target[len(host):]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, target, *args, **kwargs)


def translate(exc: Exception, now: datetime, rng: random.Random, attempt: int = 1) -> ConnectorError:
    """Turn a tweepy/requests failure into the connector error the scheduler understands."""
    if isinstance(exc, tweepy.errors.TooManyRequests):
        until, why = reset_from_headers(exc.response.headers, now)
        return RateLimited("x", until, f"HTTP 429 ({why})")
    if isinstance(exc, tweepy.errors.Unauthorized):
        detail = "; ".join(exc.api_messages) or str(exc)
        return CredentialError("x", f"token rejected (HTTP 401: {detail}); check the X keys in the environment "
                               "(bearer token for reading, OAuth 1.0a keys for posting)")
    if isinstance(exc, tweepy.errors.Forbidden):
        detail = "; ".join(exc.api_messages) or str(exc)
        return CredentialError("x", f"not allowed (HTTP 403: {detail}); the app lacks the access level or the "
                               "Read and Write permission this call needs (docs/connectors.md)", kind="scope")
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return Unreachable("x", unreachable(exc, "the X API", "[connectors.x].base_url"),
                           retry_at=now + timedelta(seconds=backoff(attempt, rng)))
    if isinstance(exc, TRANSIENT):
        return ConnectorError("x", f"transient failure: {exc}", transient=True,
                              retry_at=now + timedelta(seconds=backoff(attempt, rng)))
    return ConnectorError("x", f"request failed: {exc}")


class XConnector:
    """Listen on X (recent search + mentions), post replies, reconcile and follow threads."""

    name = "x"

    def __init__(self, settings: XSettings, brand: BrandSettings, accounts: list[str], credentials: XCredentials,
                 *, rng: random.Random | None = None) -> None:
        self.settings = settings
        self.accounts = [a.lstrip("@") for a in accounts]
        self.query = build_x_query(brand, settings.language)
        self.credentials = credentials
        self.rng = rng or random.Random()
        self.failures = 0
        self.client = tweepy.Client(
            bearer_token=credentials.bearer_token, consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret, access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret, return_type=requests.Response,
            wait_on_rate_limit=False)
        self.client.session = _RebasedSession(settings.base_url, settings.timeout_seconds)
        self._me: dict[str, Any] | None = None
        self.known_ids: set[str] = set()
        self.ledger: ReadLedger | None = None  # reads outside polls; the runtime attaches the store's

    def spent_outside_polls(self, now: datetime) -> int:
        """Posts read this month by reconciliation and follow-up searches (0 without a ledger)."""
        return self.ledger.spent(self.name, month_key(now)) if self.ledger else 0

    # -- low level ------------------------------------------------------------------------------
    def call(self, fn: Callable[..., Any], now: datetime, *args: Any, retry: bool = True, **kwargs: Any) -> Any:
        """Run one tweepy call, retrying transient failures immediately (never sleeping) a few times."""
        for attempt in range(IMMEDIATE_RETRIES + 1 if retry else 1):
            try:
                response = fn(*args, **kwargs)
                self.failures = 0
                return response
            except TRANSIENT as exc:
                if attempt == (IMMEDIATE_RETRIES if retry else 0):
                    self.failures += 1
                    raise translate(exc, now, self.rng, self.failures) from exc
            except tweepy.errors.TweepyException as exc:
                raise translate(exc, now, self.rng) from exc
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                # tweepy chokes on error bodies it does not expect (gateways, proxies): never crash a poll
                self.failures += 1
                raise ConnectorError("x", f"unexpected answer ({type(exc).__name__}: {exc})", transient=True,
                                     retry_at=now + timedelta(seconds=backoff(self.failures, self.rng))) from exc
        raise AssertionError("unreachable")

    def user_ids(self, state: dict[str, Any], now: datetime) -> dict[str, str]:
        """Our accounts' user ids, looked up once and kept in the cursor."""
        ids: dict[str, str] = state.setdefault("users", {})
        for handle in self.accounts:
            if handle.lower() not in ids:
                body = self.call(self.client.get_user, now, username=handle).json()
                uid = (body.get("data") or {}).get("id")
                if uid is None:
                    raise ConnectorError("x", f"our account @{handle} was not found on X; fix [accounts].x in bot.toml")
                ids[handle.lower()] = str(uid)
        self.known_ids = set(ids.values())
        return ids

    def me(self, now: datetime) -> dict[str, Any]:
        """The account the OAuth 1.0a keys post as (``GET /2/users/me``)."""
        if self.credentials.missing_user_keys:
            missing = ", ".join(self.credentials.missing_user_keys)
            raise CredentialError("x", f"posting needs OAuth 1.0a user keys; set {missing}", kind="missing")
        if self._me is None:
            self._me = dict(self.call(self.client.get_me, now, user_auth=True).json().get("data") or {})
        return self._me

    # -- listening ------------------------------------------------------------------------------
    def poll(self, cursor: Cursor | None, now: datetime) -> Batch:
        """Fetch everything new for every listening query, within rate limits and the read budget."""
        state = PollState.load(cursor, now)
        allowance = read_allowance(self.settings.monthly_read_budget, state.reads + self.spent_outside_polls(now),
                                   now, minimum=MIN_SEARCH_PAGE)
        if not allowance.may_poll:
            return Batch(mentions=(), cursor=cursor, calls=0, pause_until=allowance.next_at,
                         pause_reason=f"read budget: {allowance.reason}")
        try:
            ours = self.user_ids(state.extra, now)
        except RateLimited as exc:
            return Batch(mentions=(), cursor=cursor, calls=1, pause_until=exc.until, pause_reason=str(exc))
        handles = list(self.accounts)
        walks: list[tuple[str, Fetch, int | None]] = [("search", self._fetcher(
            self.client.search_recent_tweets, self.query.text, "next_token", handles[0] if handles else "", ours,
            now), MIN_SEARCH_PAGE)]
        for handle in handles:
            walks.append((f"mentions:{handle.lower()}", self._fetcher(
                self.client.get_users_mentions, ours[handle.lower()], "pagination_token", handle, ours, now),
                MIN_MENTIONS_PAGE))
        batch = run_walks("x", state, walks, Budget(allowance.reads, minimum=MIN_SEARCH_PAGE), now)
        if self.query.dropped:
            dropped = ", ".join(self.query.dropped)
            return replace(batch, problems=(f"query over 512 characters; left out: {dropped}", *batch.problems))
        return batch

    def _fetcher(self, method: Callable[..., Any], first: str, token_name: str, account: str,
                 ours: dict[str, str], now: datetime) -> Fetch:
        def fetch(since: str | None, token: str | None, size: int) -> PageResult:
            paging: dict[str, Any] = {token_name: token}
            response = self.call(method, now, first, since_id=since, max_results=size, expansions=["author_id"],
                                 tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS, **paging)
            try:
                body = response.json()
            except ValueError:
                body = None
            page = parse_page(body, now=now, account=account, our_ids=set(ours.values()),
                              our_handles=set(ours))
            if body is None:
                raise ConnectorError("x", f"non-JSON answer from {response.url}", transient=True)
            meta = page.meta
            newest = str(meta["newest_id"]) if meta.get("newest_id") else None
            token_out = meta.get("next_token")
            return PageResult(page.mentions, page.problems, int(meta.get("result_count") or len(page.mentions)),
                              newest, str(token_out) if token_out else None)
        return fetch

    # -- posting and threads --------------------------------------------------------------------
    def post_reply(self, to: Mention, text: str, key: str, now: datetime) -> Posted:
        """Reply publicly to ``to`` as our OAuth 1.0a account; never retried here (the outbox reconciles)."""
        me = self.me(now)
        body = self.call(self.client.create_tweet, now, text=text, in_reply_to_tweet_id=to.platform_id,
                         user_auth=True, retry=False).json()
        tid = str((body.get("data") or {}).get("id", ""))
        if not tid:
            raise ConnectorError("x", f"create_tweet answered without an id: {str(body)[:120]}", transient=True)
        return Posted(platform_id=tid, posted_at=now, url=f"https://x.com/{me.get('username', 'i')}/status/{tid}")

    def _search(self, query: str, now: datetime, since: datetime | None = None) -> list[tuple[dict[str, Any], Any]]:
        """A conversation search outside the polls: its reads are counted and stay within the monthly budget."""
        out: list[tuple[dict[str, Any], Any]] = []
        token = None
        for _ in range(THREAD_PAGES):
            spent = self.spent_outside_polls(now) + self._poll_reads(now)
            left = self.settings.monthly_read_budget - spent
            if left < MIN_SEARCH_PAGE:
                raise RateLimited("x", month_bounds(now)[1], f"monthly read budget spent ({spent}/"
                                  f"{self.settings.monthly_read_budget}); conversation searches resume next month")
            body = self.call(self.client.search_recent_tweets, now, query, max_results=min(100, left),
                             next_token=token, start_time=since, expansions=["author_id"], tweet_fields=TWEET_FIELDS,
                             user_fields=USER_FIELDS).json()
            meta = body.get("meta") or {}
            if self.ledger is not None:
                self.ledger.add(self.name, month_key(now), int(meta.get("result_count") or len(body.get("data") or [])))
            out.append((body, meta))
            token = meta.get("next_token")
            if not token:
                break
        return out

    def _poll_reads(self, now: datetime) -> int:
        """This month's poll reads, as the stored cursor counts them (0 without a ledger to read it through)."""
        return PollState.load(self.ledger.cursor(self.name), now).reads if self.ledger else 0

    def find_reply(self, to: Mention, key: str, now: datetime) -> Posted | None:
        """Our reply to ``to``, if it exists: our tweets in its conversation replying to it.

        Recent search reaches back only 7 days; a daemon down longer than that (or a restored old
        backup) would not find a reply it made, so our own newest tweets are read as well.
        """
        me = self.me(now)
        query = f"conversation_id:{to.thread_id or to.platform_id} from:{me['username']}"
        pages = [body for body, _ in self._search(query, now)]
        if not any(self._reply_in(body, to, me, now) for body in pages):
            pages.append(self._own_timeline(me, now))
        return next((found for body in pages if (found := self._reply_in(body, to, me, now)) is not None), None)

    @staticmethod
    def _reply_in(body: dict[str, Any], to: Mention, me: dict[str, Any], now: datetime) -> Posted | None:
        for tweet in body.get("data") or []:
            refs = tweet.get("referenced_tweets") or []
            if any(r.get("type") == "replied_to" and str(r.get("id")) == to.platform_id for r in refs):
                return Posted(platform_id=str(tweet["id"]), posted_at=parse_time(tweet.get("created_at")) or now,
                              url=f"https://x.com/{me['username']}/status/{tweet['id']}")
        return None

    def _own_timeline(self, me: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Our newest 100 tweets (``GET /2/users/:id/tweets``), counted against the read budget."""
        left = self.settings.monthly_read_budget - self.spent_outside_polls(now) - self._poll_reads(now)
        if left < MIN_MENTIONS_PAGE:
            raise RateLimited("x", month_bounds(now)[1], "monthly read budget spent; reconciliation resumes next month")
        body: dict[str, Any] = self.call(self.client.get_users_tweets, now, me["id"], max_results=min(100, left),
                                         tweet_fields=TWEET_FIELDS, user_auth=True).json()
        if self.ledger is not None:
            self.ledger.add(self.name, month_key(now), int((body.get("meta") or {}).get("result_count") or 0))
        return body

    def thread_since(self, root: Mention, since: datetime, now: datetime) -> list[Mention]:
        """The root author's tweets in the conversation after ``since``, oldest first."""
        if not root.author.handle or root.author.handle.startswith("["):
            return []
        query = f"conversation_id:{root.thread_id or root.platform_id} from:{root.author.handle}"
        found: dict[str, Mention] = {}
        for body, _ in self._search(query, now, since=since):
            page = parse_page(body, now=now, account=root.account, our_ids=self.known_ids,
                              our_handles=self.accounts, kind="answer")
            for mention in page.mentions:
                if mention.platform_id != root.platform_id and mention.created_at > since:
                    found[mention.platform_id] = mention
        return sorted(found.values(), key=lambda m: (m.created_at, int(m.platform_id)))

    def describe(self, cursor: Cursor | None, now: datetime) -> dict[str, Any]:
        """What the cursor says, for ``ronr connectors status``."""
        state = PollState.load(cursor, now)
        spent = state.reads + self.spent_outside_polls(now)
        allowance = read_allowance(self.settings.monthly_read_budget, spent, now, minimum=MIN_SEARCH_PAGE)
        return {"unit": "posts read", "spent": spent, "budget": self.settings.monthly_read_budget,
                "allowance": allowance.reason, "queries": state.queries, "query": self.query.text,
                "dropped": list(self.query.dropped)}
