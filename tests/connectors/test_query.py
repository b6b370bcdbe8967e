"""Brand query building (X syntax, length limit) and local matching (Reddit)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.config.settings import BrandSettings
from connectors.query import X_QUERY_LIMIT, BrandMatcher, build_x_query
from tests.fakes.xquery import compile_query

BRAND = BrandSettings(name="Nimbus", keywords=["nimbus home", "nimbus"], handles=["@nimbushome", "u/NimbusHome"],
                      excluded_phrases=["nimbus 2000"])


def test_x_query_syntax() -> None:
    q = build_x_query(BRAND, "en")
    assert q.text == '(@nimbushome OR "nimbus home" OR nimbus) -"nimbus 2000" -is:retweet lang:en'
    assert q.dropped == ()


def test_x_query_is_understood_by_the_fake() -> None:
    match = compile_query(build_x_query(BRAND).text, {})
    assert match({"text": "I love Nimbus Home", "lang": "en"})
    assert not match({"text": "my nimbus 2000 broom"})
    assert not match({"text": "nimbus", "referenced_tweets": [{"type": "retweeted", "id": "1"}]})


def test_long_query_drops_exclusions_then_last_keywords_and_reports_them() -> None:
    brand = BrandSettings(name="N", keywords=["nimbus"] + [f"keyword number {i}" for i in range(40)],
                          handles=["@nimbushome"], excluded_phrases=[f"not us {i}" for i in range(10)])
    q = build_x_query(brand)
    assert len(q.text) <= X_QUERY_LIMIT
    assert '-"not us 9"' in q.dropped and '"keyword number 39"' in q.dropped
    assert q.text.startswith("(@nimbushome OR nimbus OR")


TERM = r"""(?:[@#]?\w[\w.'-]*|"[^"\\\s](?:[^"\\]*[^"\\\s])?")"""
QUERY = re.compile(rf"(?:{TERM}|\({TERM}(?: OR {TERM})+\))(?: -{TERM})* -is:retweet(?: lang:[a-z]+)?")


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=60),
       st.lists(st.text(min_size=1, max_size=40), max_size=20))
def test_query_never_exceeds_the_limit_and_is_always_valid_syntax(keywords: list[str], excluded: list[str]) -> None:
    brand = BrandSettings(name="N", keywords=keywords, excluded_phrases=excluded)
    try:
        q = build_x_query(brand)
    except ValueError:
        return  # nothing usable, or not even one keyword fits: a clear error, not a bad query
    assert len(q.text) <= X_QUERY_LIMIT
    assert QUERY.fullmatch(q.text), q.text  # no bare -word, empty "", escaped quote or unbalanced group
    compile_query(q.text, {})


def test_terms_that_would_break_the_syntax_are_quoted_or_cleaned() -> None:
    brand = BrandSettings(name="N", keywords=["-nimbus", "nimbus\\", '"', "nimbus  home", "OR"],
                          excluded_phrases=["-x", 'a"b', "  "])
    q = build_x_query(brand)
    assert q.text == '("-nimbus" OR nimbus OR "nimbus home" OR "OR") -"-x" -"a b" -is:retweet'


def test_matcher() -> None:
    m = BrandMatcher(BRAND, {"NimbusHome"})
    assert m.matches("The Nimbus home hub") and m.matches("ask u/NimbusHome")
    assert not m.matches("my nimbus 2000") and not m.matches("cumulonimbusx")
    assert m.addresses("hey u/nimbushome") and m.addresses("@NimbusHome hi") and not m.addresses("nimbus")
