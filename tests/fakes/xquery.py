"""A small evaluator for the subset of X's search query language the fake X server understands.

Supported: bare words, "quoted phrases", @handles, #hashtags, ``OR``, parentheses, ``-`` negation,
``is:retweet``, ``is:reply``, ``lang:xx``, ``from:user``, ``to:user``, ``conversation_id:N``. Terms
next to each other are AND-ed, as on X. Matching is case-insensitive on word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Tweet = dict[str, Any]
Predicate = Callable[[Tweet], bool]

_TOKEN = re.compile(r'\s*(?:(\()|(\))|(-?)"([^"]*)"|(-?)([^\s()"]+))')


class QuerySyntaxError(ValueError):
    """The query does not parse."""


def _tokens(query: str) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise QuerySyntaxError(f"cannot parse query at {pos}: {query[pos:pos + 20]!r}")
        pos = m.end()
        if m.group(1):
            out.append(("(", "", False))
        elif m.group(2):
            out.append((")", "", False))
        elif m.group(4) is not None:
            out.append(("phrase", m.group(4), bool(m.group(3))))
        else:
            out.append(("word", m.group(6), bool(m.group(5))))
    return out


def _contains(text: str, needle: str) -> bool:
    return re.search(r"(?<![\w@#])" + re.escape(needle.lower()) + r"(?!\w)", text.lower()) is not None


def _atom(kind: str, value: str, users: dict[str, dict[str, Any]]) -> Predicate:
    if kind == "phrase":
        return lambda t: _contains(t["text"], value)
    op, _, arg = value.partition(":")
    if arg and op in {"is", "lang", "from", "to", "conversation_id"}:
        if op == "is" and arg == "retweet":
            return lambda t: any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
        if op == "is" and arg == "reply":
            return lambda t: any(r["type"] == "replied_to" for r in t.get("referenced_tweets", []))
        if op == "lang":
            return lambda t: t.get("lang") == arg
        if op == "conversation_id":
            return lambda t: str(t.get("conversation_id")) == arg

        def by_user(t: Tweet) -> bool:
            uid = t.get("author_id") if op == "from" else t.get("in_reply_to_user_id")
            user = users.get(str(uid))
            return user is not None and user["username"].lower() == arg.lower().lstrip("@")
        return by_user
    return lambda t: _contains(t["text"], value)


def compile_query(query: str, users: dict[str, dict[str, Any]]) -> Predicate:
    """Turn ``query`` into a predicate over fake tweets (``users`` resolves from:/to:)."""
    tokens = _tokens(query)
    pos = 0

    def parse_or() -> Predicate:
        nonlocal pos
        options = [parse_and()]
        while pos < len(tokens) and tokens[pos] == ("word", "OR", False):
            pos += 1
            options.append(parse_and())
        return lambda t: any(p(t) for p in options)

    def parse_and() -> Predicate:
        nonlocal pos
        parts: list[Predicate] = []
        while pos < len(tokens) and tokens[pos][0] != ")" and tokens[pos] != ("word", "OR", False):
            kind, value, negated = tokens[pos]
            pos += 1
            if kind == "(":
                inner = parse_or()
                if pos >= len(tokens) or tokens[pos][0] != ")":
                    raise QuerySyntaxError("unbalanced parentheses")
                pos += 1
                pred = inner
            else:
                pred = _atom(kind, value, users)
            parts.append((lambda p: lambda t: not p(t))(pred) if negated else pred)
        if not parts:
            raise QuerySyntaxError("empty clause")
        return lambda t: all(p(t) for p in parts)

    result = parse_or()
    if pos != len(tokens):
        raise QuerySyntaxError("unexpected ')'")
    return result
