"""Relevance, language, spam signals and reach: each returns the reason for its call."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.triage.lexicon import LiteralFinder
from bot.triage.signals import _HASHTAG, _MENTION, RelevanceRules, language, reach, relevance, spam_signals
from tests.triage.test_intents import run

KEYWORDS = ["apple", "iphone", "apple watch"]


@pytest.mark.parametrize(("text", "score", "why"), [
    ("my iphone screen cracked", 0.6, 'keyword "iphone"'),
    ("the apple watch strap broke", 0.9, 'keyword "apple watch"'),
    ("$apple up 3% today", 0.9, 'tag "$apple"'),
    ("grandma's apple pie is the best", 0.05, 'excluded phrase "apple pie"'),
    ("nothing to see here", 0.1, "no brand keyword"),
    ("ask @applesupport about it", 1.0, 'names our account "@applesupport"'),
])
def test_relevance_scores_with_reasons(text: str, score: float, why: str) -> None:
    got, reason = relevance(text, KEYWORDS, ["applesupport"], ["apple pie"], [], False)
    assert got == score and why in reason and reason.startswith(f"relevance {score}")


def test_ambiguous_keywords_need_context_words() -> None:
    context = ["macbook", "ios", "store"]
    alone = relevance("an apple a day", ["apple"], [], [], context, False, ambiguous=["apple"])
    with_context = relevance("apple store queue and ios 18 bugs", ["apple"], [], [], context, False, ["apple"])
    assert alone[0] == 0.2 and "ambiguous" in alone[1]
    assert with_context[0] == 0.6 and '"store"' in with_context[1] and '"ios"' in with_context[1]


def test_addressed_to_us_is_fully_relevant() -> None:
    expected = (1.0, "relevance 1.0: addressed to our account")
    assert relevance("no keyword at all", KEYWORDS, [], [], [], True) == expected


@pytest.mark.parametrize(("text", "code"), [
    ("my order never arrived and nobody answers", "en"),
    ("mi pedido todavía no ha llegado", "es"),
    ("meine Bestellung ist immer noch nicht da", "de"),
    ("ma commande n'est toujours pas arrivée", "fr"),
    ("meu pedido ainda não chegou", "pt"),
    ("il mio ordine non è ancora arrivato", "it"),
    ("mijn bestelling is nog steeds niet binnen", "nl"),
    ("注文した商品がまだ届きません", "ja"),
    ("заказ до сих пор не пришёл", "ru"),
    ("주문한 물건이 아직 안 왔어요", "ko"),
])
def test_language_of_short_texts(text: str, code: str) -> None:
    assert language(text, None)[0] == code


def test_language_falls_back_to_the_platform_tag_then_und() -> None:
    assert language("@acme 👍", "fr") == ("fr", "language fr: platform tag")
    assert language("@acme 👍", None)[0] == "und"


@pytest.mark.parametrize(("text", "copies", "signal"), [
    ("https://spam.example/x", 1, "link-only"),
    ("#a #b #c #d #e #f buy now", 1, "hashtag stuffing"),
    ("win " + " ".join(f"@u{i}" for i in range(9)), 1, "mention stuffing"),
    ("great product, get yours", 4, "same text from 4 authors"),
])
def test_spam_signals(text: str, copies: int, signal: str) -> None:
    assert any(signal in r for r in spam_signals(text, copies))


def test_ordinary_posts_have_no_spam_signal() -> None:
    assert spam_signals("my order https://shop.example/o/1 never arrived, any news? #help", 2) == []


def test_a_link_with_a_short_caption_that_says_something_is_not_link_only_spam() -> None:
    photo = "@acmehelp broken again https://t.co/abc123"
    assert spam_signals(photo, 1) == ["spam: link-only post"]
    assert spam_signals(photo, 1, says_something=True) == []
    intents, reasons = run(photo)  # triage passes what the caption says: a complaint with a photo
    assert intents == ("complaint",) and not any(r.startswith("spam:") for r in reasons)
    assert run("@acmehelp https://t.co/abc123")[0] == ("spam",)


def test_reach_tiers() -> None:
    assert reach(12) == "reach low: 12 followers"
    assert reach(250_000, verified=True) == "reach very high: 250,000 followers, verified"


@given(st.text(alphabet="a@#_ é1'-x\n", max_size=30))
def test_tag_and_handle_regexes_are_the_look_behind_ones(text: str) -> None:
    # Written literal-first for speed: the same matches as "a # or @ not preceded by a word character".
    for fast, symbol in ((_HASHTAG, "#"), (_MENTION, "@")):
        assert fast.findall(text) == re.findall(rf"(?<!\w){symbol}\w+", text)


PIECES = ["apple", "app", "le", " ", "pie", "#", "$", "@", "iphone", "watch", "phone", "apple pie", "@applesupport",
          "support", "x"]


@given(st.lists(st.sampled_from(PIECES), max_size=10).map("".join))
def test_relevance_pre_filter_never_changes_the_score(text: str) -> None:
    rules = RelevanceRules(KEYWORDS, ["applesupport"], ["apple pie"], ["phone"], ["apple"])
    unfiltered = RelevanceRules(KEYWORDS, ["applesupport"], ["apple pie"], ["phone"], ["apple"])
    # A finder of every character these texts are made of lets every non-empty one through.
    unfiltered.finder = LiteralFinder(set("".join(PIECES)))
    assert rules.score(text, False) == unfiltered.score(text, False)
