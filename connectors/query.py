"""The brand query: which posts are about us, as an X search query and as a local text matcher.

Both platforms listen for the same thing — the brand's keywords and handles, minus phrases that are
not about us. X evaluates it server-side (:func:`build_x_query`, in X query syntax and within the
512-character limit of recent search); Reddit listings are unfiltered, so :class:`BrandMatcher`
applies the same rules locally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config.settings import BrandSettings

X_QUERY_LIMIT = 512


@dataclass(frozen=True)
class XQuery:
    """A built X query and the terms that had to be left out to fit the length limit."""

    text: str
    dropped: tuple[str, ...] = ()


def _quote(term: str) -> str:
    """A term in X syntax: bare when it is one plain word, else a quoted phrase ("" when nothing is left).

    Quotes and backslashes cannot be escaped inside an X phrase and whitespace runs mean nothing, so
    they are dropped; a leading ``-`` would negate a bare word, so such a term is quoted.
    """
    term = " ".join(term.replace('"', " ").replace("\\", " ").split())
    if not term:
        return ""
    simple = re.fullmatch(r"[@#]?\w[\w.'-]*", term) is not None and term.upper() not in {"OR", "AND"}
    return term if simple else f'"{term}"'


def _bare(handle: str) -> str:
    handle = handle.strip()
    return handle[2:] if handle.lower().startswith("u/") else handle.lstrip("@")


def x_handles(brand: BrandSettings) -> list[str]:
    """The brand's X handles (``u/`` Reddit handles are left out), with ``@``."""
    return ["@" + _bare(h) for h in brand.handles if h.strip() and not h.strip().lower().startswith("u/")]


def _assemble(terms: list[str], excluded: list[str], tail: list[str]) -> str:
    group = " OR ".join(terms)
    if len(terms) > 1:
        group = f"({group})"
    return " ".join([group, *(f"-{p}" for p in excluded), *tail])


def build_x_query(brand: BrandSettings, language: str = "", limit: int = X_QUERY_LIMIT) -> XQuery:
    """Build the recent-search query: ``(kw OR "two words" OR @handle) -"not us" -is:retweet lang:xx``.

    When it is longer than ``limit``, the lowest-value terms go first: excluded phrases from the
    last one listed (they only narrow results, and triage checks them again), then keywords from
    the last one listed. Handles and the first keyword are always kept. The dropped terms are
    returned so the caller can report them.
    """
    terms: list[str] = []
    handles = x_handles(brand)
    for term in [*handles, *(_quote(k) for k in brand.keywords)]:
        if term and term.lower() not in {t.lower() for t in terms}:
            terms.append(term)
    if not terms:
        raise ValueError("the brand has no keywords or handles to search for")
    excluded = [q for q in (_quote(p) for p in brand.excluded_phrases) if q]
    tail = ["-is:retweet"] + ([f"lang:{language}"] if language else [])
    keep_terms = 1 + len(handles) if brand.keywords else len(terms)
    dropped: list[str] = []
    query = _assemble(terms, excluded, tail)
    while len(query) > limit:
        if excluded:
            dropped.append(f"-{excluded.pop()}")
        elif len(terms) > keep_terms:
            dropped.append(terms.pop())
        else:
            raise ValueError(f"the brand query cannot fit in {limit} characters even with one keyword: {query!r}")
        query = _assemble(terms, excluded, tail)
    return XQuery(query, tuple(dropped))


class BrandMatcher:
    """Decide locally whether a text is about the brand (same rules as :func:`build_x_query`)."""

    def __init__(self, brand: BrandSettings, our_handles: set[str] | None = None) -> None:
        handles = {_bare(h).lower() for h in brand.handles} | {_bare(h).lower() for h in (our_handles or set())}
        words = [k for k in brand.keywords if k.strip()] + [f"{p}{h}" for h in handles for p in ("u/", "@")]
        self._include = [self._pattern(w) for w in words]
        self._exclude = [self._pattern(p) for p in brand.excluded_phrases if p.strip()]
        self._handles = handles

    @staticmethod
    def _pattern(phrase: str) -> re.Pattern[str]:
        body = r"\s+".join(re.escape(part) for part in phrase.strip().split())
        return re.compile(r"(?<![\w@/])" + body + r"(?!\w)", re.IGNORECASE)

    def matches(self, text: str) -> bool:
        """True when ``text`` names a keyword or handle and none of the excluded phrases."""
        if not any(p.search(text) for p in self._include):
            return False
        return not any(p.search(text) for p in self._exclude)

    def addresses(self, text: str) -> bool:
        """True when ``text`` @-mentions or u/-mentions one of our handles."""
        lowered = text.lower()
        return any(re.search(rf"(?<![\w])(?:u/|@){re.escape(h)}(?!\w)", lowered) for h in self._handles)
