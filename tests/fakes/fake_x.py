"""A fake X API v2 on 127.0.0.1 that speaks the wire format tweepy's ``Client`` expects.

Endpoints: ``GET /2/tweets/search/recent``, ``GET /2/users/:id/mentions``, ``GET /2/users/me``,
``GET /2/users/by/username/:username``, ``POST /2/tweets``. Responses carry ``data`` /
``includes.users`` / ``errors`` / ``meta`` (``result_count``, ``newest_id``, ``oldest_id``,
``next_token``) and ``x-rate-limit-limit/remaining/reset`` headers; results are newest first and
honour ``since_id``, ``start_time``, ``max_results`` and ``next_token`` / ``pagination_token``.

Run standalone: ``python -m tests.fakes.fake_x --port 0 --state /tmp/x.json`` (prints its URL).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes._server import FakeServer, Json, Reply, main
from tests.fakes.xquery import QuerySyntaxError, compile_query

FIRST_ID = 1_800_000_000_000_000_000
BEARER = "test-bearer"
CONSUMER_KEY = "test-consumer-key"
ACCESS_TOKEN = "test-access-token"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeX(FakeServer):
    """In-memory X: users, tweets, the authenticated account (``me``) and rate-limit windows."""

    def __init__(self, state_file: str | None = None, me: str = "nimbushome") -> None:
        super().__init__(state_file)
        self.users: dict[str, dict[str, Any]] = {}
        self.tweets: dict[int, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []
        self.next_id = FIRST_ID
        self.rate_limit = 100_000
        self.rate_window = 900
        self.used: dict[str, int] = {}
        self.window_start = time.time()
        self.me_id = self.add_user(me, name=me.title())

    # -- seeding --------------------------------------------------------------------------------
    def add_user(self, username: str, *, name: str = "", followers: int = 0, verified: bool = False) -> str:
        """Create a user; return its id."""
        with self.lock:
            uid = str(1000 + len(self.users) + 1)
            self.users[uid] = {"id": uid, "username": username, "name": name or username,
                               "verified": verified, "public_metrics": {"followers_count": followers},
                               "created_at": "2015-03-01T10:00:00.000Z"}
            return uid

    def user_id(self, username: str) -> str:
        """The id of ``username`` (created on first use)."""
        for uid, user in self.users.items():
            if user["username"].lower() == username.lower():
                return uid
        return self.add_user(username)

    def add_tweet(self, author: str, text: str, *, created_at: datetime | None = None,
                  reply_to: int | str | None = None, lang: str = "en", retweet_of: int | str | None = None) -> str:
        """Publish a tweet by ``author`` (a username); return its id."""
        with self.lock:
            self.next_id += 1
            tid = self.next_id
            tweet: dict[str, Any] = {
                "id": str(tid), "text": text, "author_id": self.user_id(author), "lang": lang,
                "created_at": _iso(created_at or datetime.now(UTC)), "conversation_id": str(tid),
                "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
                "edit_history_tweet_ids": [str(tid)],
            }
            if reply_to is not None:
                parent = self.tweets[int(reply_to)]
                tweet["conversation_id"] = parent["conversation_id"]
                tweet["in_reply_to_user_id"] = parent["author_id"]
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent["id"]}]
            if retweet_of is not None:
                tweet["referenced_tweets"] = [{"type": "retweeted", "id": str(retweet_of)}]
            self.tweets[tid] = tweet
            return str(tid)

    def delete_user(self, username: str) -> None:
        """Remove a user (their tweets stay, as with suspended or deleted accounts mid-window)."""
        with self.lock:
            self.users.pop(self.user_id(username), None)

    def seed(self, payload: Json) -> Json:
        """Control API: ``{"users": [{"username": ...}], "tweets": [{"author", "text", "reply_to"?}]}``."""
        for user in payload.get("users", []):
            self.add_user(user["username"], name=user.get("name", ""), followers=user.get("followers", 0))
        ids = []
        for t in payload.get("tweets", []):
            created = datetime.fromisoformat(t["created_at"]) if t.get("created_at") else None
            ids.append(self.add_tweet(t["author"], t["text"], created_at=created, reply_to=t.get("reply_to"),
                                      lang=t.get("lang", "en")))
        return {"ids": ids}

    def posted(self) -> list[Json]:
        """Tweets created through ``POST /2/tweets``."""
        return list(self.created)

    def error_body(self, status: int) -> Json:
        """X's problem-details error shape."""
        return {"title": "Service Unavailable" if status >= 500 else "Error", "detail": f"HTTP {status}",
                "type": "about:blank", "status": status}

    def dump(self) -> Json:
        return {"users": self.users, "tweets": list(self.tweets.values()), "created": self.created,
                "next_id": self.next_id, "me_id": self.me_id}

    def load(self, state: Json) -> None:
        self.users = state["users"]
        self.tweets = {int(t["id"]): t for t in state["tweets"]}
        self.created, self.next_id, self.me_id = state["created"], state["next_id"], state["me_id"]

    def set_rate_limit(self, limit: int, *, used: int = 0, window: int = 900) -> None:
        """Allow ``limit`` requests per endpoint per ``window`` seconds (``used`` already spent)."""
        with self.lock:
            self.rate_limit, self.rate_window = limit, window
            self.used = {k: used for k in ("search", "mentions", "users", "post")}
            self.window_start = time.time()

    # -- HTTP -----------------------------------------------------------------------------------
    def route(self, method: str, path: str, query: dict[str, str], body: str, headers: dict[str, str],
              partial: bool) -> Reply:
        auth = headers.get("authorization", "")
        user_ctx = auth.startswith("OAuth ")
        if not (auth == f"Bearer {BEARER}" or (user_ctx and CONSUMER_KEY in auth and ACCESS_TOKEN in auth)):
            return Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
        family = ("search" if path.startswith("/2/tweets/search") else "mentions" if path.endswith("/mentions")
                  else "post" if method == "POST" else "users")
        reset = int(self.window_start + self.rate_window)
        if time.time() >= reset:
            self.used, self.window_start = {}, time.time()
            reset = int(self.window_start + self.rate_window)
        self.used[family] = self.used.get(family, 0) + 1
        remaining = self.rate_limit - self.used[family]
        limits = {"x-rate-limit-limit": str(self.rate_limit), "x-rate-limit-remaining": str(max(remaining, 0)),
                  "x-rate-limit-reset": str(reset)}
        if remaining < 0:
            return Reply(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}, limits)
        reply = self._answer(method, path, query, body, user_ctx, partial)
        reply.headers.update(limits)
        return reply

    def _answer(self, method: str, path: str, query: dict[str, str], body: str, user_ctx: bool,
                partial: bool) -> Reply:
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/2/tweets":
            if not user_ctx:
                return Reply(403, {"title": "Unsupported Authentication", "status": 403,
                                   "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden"})
            return self._create(json.loads(body or "{}"))
        if path == "/2/users/me":
            return Reply(200, {"data": self._user(self.me_id)}) if user_ctx else Reply(403, {"title": "Forbidden"})
        if parts[:3] == ["2", "users", "by"] and len(parts) == 5:
            for uid, user in self.users.items():
                if user["username"].lower() == parts[4].lower():
                    return Reply(200, {"data": self._user(uid)})
            return Reply(200, {"errors": [{"value": parts[4], "detail": f"Could not find user with username: "
                                           f"[{parts[4]}].", "title": "Not Found Error", "resource_type": "user"}]})
        if path == "/2/tweets/search/recent":
            try:
                match = compile_query(query.get("query", ""), self.users)
            except QuerySyntaxError as exc:
                return Reply(400, {"errors": [{"message": str(exc)}], "title": "Invalid Request", "status": 400})
            if len(query.get("query", "")) > 512:
                return Reply(400, {"errors": [{"message": "query too long"}], "title": "Invalid Request"})
            week_ago = datetime.now(UTC) - timedelta(days=7)  # recent search reaches back 7 days, no further
            return self._timeline([t for t in self.tweets.values() if match(t)
                                   and datetime.fromisoformat(t["created_at"]) >= week_ago], query, 10, "next_token",
                                  partial)
        if len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "tweets":
            if parts[2] not in self.users:
                return Reply(404, {"title": "Not Found Error", "detail": "user not found"})
            found = [t for t in self.tweets.values() if t["author_id"] == parts[2]]
            return self._timeline(found, query, 5, "pagination_token", partial)
        if len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "mentions":
            user = self.users.get(parts[2])
            if user is None:
                return Reply(404, {"title": "Not Found Error", "detail": "user not found"})
            handle = "@" + user["username"].lower()
            found = [t for t in self.tweets.values() if handle in t["text"].lower() and t["author_id"] != parts[2]]
            return self._timeline(found, query, 5, "pagination_token", partial)
        return Reply(404, {"title": "Not Found Error", "detail": f"no route {method} {path}"})

    def _user(self, uid: str) -> dict[str, Any]:
        return dict(self.users[uid])

    def _create(self, payload: dict[str, Any]) -> Reply:
        reply_to = payload.get("reply", {}).get("in_reply_to_tweet_id")
        if reply_to is not None and int(reply_to) not in self.tweets:
            return Reply(400, {"errors": [{"message": "in_reply_to_tweet_id not found"}], "title": "Invalid Request"})
        me = self.users[self.me_id]["username"]
        tid = self.add_tweet(me, payload.get("text", ""), reply_to=reply_to)
        self.created.append(dict(self.tweets[int(tid)]))
        return Reply(201, {"data": {"id": tid, "text": payload.get("text", ""), "edit_history_tweet_ids": [tid]}})

    def _timeline(self, found: list[dict[str, Any]], query: dict[str, str], minimum: int, token_name: str,
                  partial: bool) -> Reply:
        size = int(query.get("max_results", "10"))
        if not minimum <= size <= 100:
            return Reply(400, {"errors": [{"parameters": {"max_results": [str(size)]},
                                           "message": f"max_results must be between {minimum} and 100"}],
                               "title": "Invalid Request", "status": 400})
        since = int(query.get("since_id", "0"))
        start = datetime.fromisoformat(query["start_time"]) if query.get("start_time") else None
        token = query.get(token_name)
        below = int(token[1:], 16) if token else None
        rows = sorted((t for t in found if int(t["id"]) > since and (below is None or int(t["id"]) < below)
                       and (start is None or datetime.fromisoformat(t["created_at"]) >= start)),
                      key=lambda t: -int(t["id"]))
        page, more = rows[:size], len(rows) > size
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        fields = set(query.get("tweet.fields", "").split(","))
        expand = "author_id" in query.get("expansions", "")
        data = []
        for t in page:
            keep = {"id", "text", "edit_history_tweet_ids"} | fields | ({"author_id"} if expand else set())
            data.append({k: v for k, v in t.items() if k in keep})
        out: dict[str, Any] = {"data": data}
        if partial:  # fields this client has never heard of, as X adds them over time
            data[0]["surprise_field"] = {"new": True}
            out["surprise_section"] = ["unknown"]
        errors = []
        if expand:
            users, seen = [], set()
            for t in page:
                uid = t["author_id"]
                if uid in self.users and uid not in seen:
                    seen.add(uid)
                    wanted = set(query.get("user.fields", "").split(",")) | {"id", "name", "username"}
                    users.append({k: v for k, v in self.users[uid].items() if k in wanted})
                elif uid not in self.users:
                    errors.append({"value": uid, "detail": f"Could not find user with id: [{uid}].",
                                   "title": "Not Found Error", "resource_type": "user", "parameter": "author_id",
                                   "resource_id": uid, "type": "https://api.twitter.com/2/problems/resource-not-found"})
            if partial and users:
                dropped = users.pop()
                errors.append({"value": dropped["id"], "detail": "Could not find user", "title": "Not Found Error",
                               "resource_type": "user", "parameter": "author_id", "resource_id": dropped["id"]})
            if users:
                out["includes"] = {"users": users}
        if errors:
            out["errors"] = errors
        meta: dict[str, Any] = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if more:
            meta["next_token"] = "p" + format(int(page[-1]["id"]), "x")
        out["meta"] = meta
        return Reply(200, out)


if __name__ == "__main__":
    main(lambda state: FakeX(state))
