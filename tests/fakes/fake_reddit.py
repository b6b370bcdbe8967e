"""A fake Reddit (OAuth API) on 127.0.0.1 that speaks the wire format praw/prawcore expect.

Endpoints: ``POST /api/v1/access_token`` (password grant; a bad password answers 200 with
``{"error": "invalid_grant"}`` like Reddit), ``GET /api/v1/me``, ``GET /r/{a+b}/comments``,
``GET /r/{a+b}/new``, ``GET /message/mentions``, ``GET /api/info``, ``GET /comments/{id}[/_/{cid}]``,
``POST /api/comment``. Listings are ``{"kind": "Listing", "data": {"children", "after", "before"}}``,
newest first, paged with ``after`` / ``before`` / ``limit`` (max 100). Every API answer carries
``x-ratelimit-remaining/used/reset``.

Run standalone: ``python -m tests.fakes.fake_reddit --port 0 --state /tmp/r.json`` (prints its URL).
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from tests.fakes._server import FakeServer, Json, Reply, main

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
PASSWORD = "test-password"
FIRST_ID = 36 ** 5  # ids are base36 and grow, like Reddit's


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rem = divmod(number, 36)
        out = digits[rem] + out
    return out or "0"


class FakeReddit(FakeServer):
    """In-memory Reddit: submissions (t3), comments (t1), one script account (``me``), tokens."""

    def __init__(self, state_file: str | None = None, me: str = "NimbusHome") -> None:
        super().__init__(state_file)
        self.me = me
        self.things: dict[str, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []
        self.tokens: set[str] = set()
        self.next_id = FIRST_ID
        self.remaining = 996.0
        self.reset_seconds = 600
        self.tree_limit = 200  # replies shown per level of a comment tree; the rest sit behind a "more" stub

    # -- seeding --------------------------------------------------------------------------------
    def _new_id(self) -> str:
        self.next_id += 1
        return _b36(self.next_id)

    def add_submission(self, author: str, title: str, body: str = "", *, subreddit: str = "smarthome",
                       created_at: datetime | None = None) -> str:
        """Create a self post; return its fullname (``t3_...``)."""
        with self.lock:
            sid = self._new_id()
            self.things[f"t3_{sid}"] = {
                "id": sid, "name": f"t3_{sid}", "title": title, "selftext": body, "author": author,
                "subreddit": subreddit, "created_utc": (created_at or datetime.now(UTC)).timestamp(),
                "permalink": f"/r/{subreddit}/comments/{sid}/post/", "is_self": True, "num_comments": 0,
                "score": 1, "url": f"https://www.reddit.com/r/{subreddit}/comments/{sid}/post/",
            }
            return f"t3_{sid}"

    def add_comment(self, author: str, body: str, *, parent: str, created_at: datetime | None = None) -> str:
        """Create a comment under ``parent`` (a fullname); return its fullname (``t1_...``)."""
        with self.lock:
            up = self.things[parent]
            link = parent if parent.startswith("t3_") else up["link_id"]
            sub = self.things[link]["subreddit"]
            cid = self._new_id()
            self.things[f"t1_{cid}"] = {
                "id": cid, "name": f"t1_{cid}", "body": body, "author": author, "subreddit": sub,
                "link_id": link, "parent_id": parent, "created_utc": (created_at or datetime.now(UTC)).timestamp(),
                "permalink": f"/r/{sub}/comments/{link[3:]}/post/{cid}/", "score": 1, "replies": "",
                "link_title": self.things[link]["title"],
            }
            self.things[link]["num_comments"] += 1
            return f"t1_{cid}"

    def seed(self, payload: Json) -> Json:
        """Control API: ``{"submissions": [{"author", "title", "body"?, "subreddit"?}],
        "comments": [{"author", "body", "parent"}]}``."""
        made = [self.add_submission(s["author"], s["title"], s.get("body", ""),
                                    subreddit=s.get("subreddit", "smarthome"))
                for s in payload.get("submissions", [])]
        made += [self.add_comment(c["author"], c["body"], parent=c["parent"]) for c in payload.get("comments", [])]
        return {"ids": made}

    def posted(self) -> list[Json]:
        """Comments created through ``POST /api/comment``."""
        return list(self.created)

    def error_body(self, status: int) -> Json:
        """Reddit's error shape."""
        return {"message": "error", "error": status}

    def dump(self) -> Json:
        return {"things": self.things, "created": self.created, "next_id": self.next_id, "tokens": sorted(self.tokens)}

    def load(self, state: Json) -> None:
        self.things, self.created, self.next_id = state["things"], state["created"], state["next_id"]
        self.tokens = set(state["tokens"])

    def revoke_tokens(self) -> None:
        """Invalidate every issued access token (the next API call gets 401, then praw re-authenticates)."""
        with self.lock:
            self.tokens.clear()

    # -- HTTP -----------------------------------------------------------------------------------
    def route(self, method: str, path: str, query: dict[str, str], body: str, headers: dict[str, str],
              partial: bool) -> Reply:
        if path == "/api/v1/access_token":
            return self._token(body, headers)
        token = headers.get("authorization", "")[len("bearer "):]
        if token not in self.tokens:
            return Reply(401, {"message": "Unauthorized", "error": 401},
                         {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'})
        self.remaining -= 1
        used = int(996 - self.remaining) if self.remaining < 996 else 0
        limits = {"x-ratelimit-remaining": f"{max(self.remaining, 0):.1f}", "x-ratelimit-used": str(used),
                  "x-ratelimit-reset": str(self.reset_seconds)}
        if self.remaining < 0:
            return Reply(429, {"message": "Too Many Requests", "error": 429}, limits)
        reply = self._answer(method, path, query, body, partial)
        reply.headers.update(limits)
        return reply

    def _token(self, body: str, headers: dict[str, str]) -> Reply:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if headers.get("authorization") != expected:
            return Reply(401, {"message": "Unauthorized", "error": 401})
        form = {k: v[-1] for k, v in parse_qs(body).items()}
        if form.get("grant_type") != "password" or form.get("password") != PASSWORD \
                or form.get("username", "").lower() != self.me.lower():
            return Reply(200, {"error": "invalid_grant"})
        token = f"tok-{len(self.tokens) + 1}-{time.monotonic_ns()}"
        self.tokens.add(token)
        return Reply(200, {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"})

    def _answer(self, method: str, path: str, query: dict[str, str], body: str, partial: bool) -> Reply:
        path = path.rstrip("/") or "/"
        parts = path.strip("/").split("/")
        if path == "/api/v1/me":
            return Reply(200, {"name": self.me, "id": "me1", "created_utc": 1.4e9, "link_karma": 1, "comment_karma": 1})
        if method == "POST" and path == "/api/comment":
            return self._comment({k: v[-1] for k, v in parse_qs(body).items()})
        if len(parts) == 3 and parts[0] == "r" and parts[2] in {"comments", "new"}:
            subs = {s.lower() for s in parts[1].split("+")}
            kind = "t1_" if parts[2] == "comments" else "t3_"
            found = [t for n, t in self.things.items() if n.startswith(kind) and t["subreddit"].lower() in subs]
            return self._listing(found, query, partial)
        if path == "/message/mentions":
            needle = f"u/{self.me.lower()}"
            found = [dict(t, was_comment=True, new=True, type="username_mention", context=t["permalink"] + "?context=3")
                     for n, t in self.things.items() if n.startswith("t1_") and needle in t["body"].lower()
                     and t["author"].lower() != self.me.lower()]
            return self._listing(found, query, partial)
        if path == "/api/info":
            wanted = [i for i in query.get("id", "").split(",") if i in self.things]
            return Reply(200, self._wrap([self.things[i] for i in wanted], None))
        if parts[0] == "comments" and len(parts) >= 2:
            return self._comment_tree(parts, query.get("sort", ""))
        if len(parts) == 3 and parts[0] == "user" and parts[2] == "comments":
            mine = [t for n, t in self.things.items()
                    if n.startswith("t1_") and t["author"].lower() == parts[1].lower()]
            return self._listing(mine, query, partial)
        return Reply(404, {"message": "Not Found", "error": 404})

    def _comment(self, form: dict[str, str]) -> Reply:
        parent = form.get("thing_id", "")
        if parent not in self.things:
            return Reply(200, {"json": {"errors": [["NO_THING_ID", "that comment doesn't exist", "parent"]]}})
        name = self.add_comment(self.me, form.get("text", ""), parent=parent)
        self.created.append(dict(self.things[name]))
        return Reply(200, {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": self.things[name]}]}}})

    def _comment_tree(self, parts: list[str], sort: str) -> Reply:
        link = f"t3_{parts[1]}"
        if link not in self.things:
            return Reply(404, {"message": "Not Found", "error": 404})
        focus = f"t1_{parts[-1]}" if len(parts) >= 4 and parts[-2] == "_" else None
        if focus in self.things:
            trees = [self._tree(str(focus), sort)]
        else:
            trees = self._shown([n for n, t in self.things.items() if n.startswith("t1_") and t["parent_id"] == link],
                                link, sort)
        return Reply(200, [self._wrap([self.things[link]], None), {"kind": "Listing", "data": {
            "children": trees, "after": None, "before": None}}])

    def _tree(self, name: str, sort: str = "") -> dict[str, Any]:
        kids = self._shown([n for n, t in self.things.items() if n.startswith("t1_") and t["parent_id"] == name],
                           name, sort)
        data = dict(self.things[name])
        data["replies"] = {"kind": "Listing", "data": {"children": kids, "after": None, "before": None}} if kids else ""
        return {"kind": "t1", "data": data}

    def _shown(self, names: list[str], parent: str, sort: str = "") -> list[dict[str, Any]]:
        """Replies as Reddit shows them: best first (score, then oldest; newest first for ``sort=new``), at
        most ``tree_limit``, the rest behind one ``more`` stub, so by default a brand-new reply with one
        point is the first to be hidden."""
        if sort == "new":
            ranked = sorted(names, key=lambda n: -int(n[3:], 36))
        else:
            ranked = sorted(names, key=lambda n: (-self.things[n]["score"], int(n[3:], 36)))
        shown = [self._tree(n, sort) for n in ranked[:self.tree_limit]]
        hidden = ranked[self.tree_limit:]
        if hidden:
            shown.append({"kind": "more", "data": {"count": len(hidden), "name": f"t1__{parent}", "id": "_",
                                                   "parent_id": parent, "depth": 0,
                                                   "children": [n[3:] for n in hidden]}})
        return shown

    @staticmethod
    def _wrap(items: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
        children = [{"kind": t["name"][:2], "data": t} for t in items]
        return {"kind": "Listing",
                "data": {"children": children, "after": after, "before": None, "dist": len(children)}}

    def _listing(self, found: list[dict[str, Any]], query: dict[str, str], partial: bool) -> Reply:
        limit = max(1, min(int(query.get("limit", "25")), 100))
        rows = sorted(found, key=lambda t: -int(t["id"], 36))
        if query.get("after"):
            bound = int(query["after"][3:], 36)
            rows = [t for t in rows if int(t["id"], 36) < bound]
        if query.get("before"):
            bound = int(query["before"][3:], 36)
            rows = [t for t in rows if int(t["id"], 36) > bound][-limit:]
        page = rows[:limit]
        after = page[-1]["name"] if len(rows) > limit else None
        listing = self._wrap(page, after)
        if partial and listing["data"]["children"]:
            broken = dict(listing["data"]["children"][0]["data"])
            for key in ("author", "body", "title", "created_utc"):
                broken.pop(key, None)
            broken["surprise_field"] = {"new": True}
            listing["data"]["children"][0] = {"kind": broken["name"][:2], "data": broken}
        return Reply(200, listing)


if __name__ == "__main__":
    main(lambda state: FakeReddit(state))
