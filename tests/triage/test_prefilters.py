"""The pre-filters that make intent matching fast never change a result.

``reference_intents`` is intent detection as it was before any pre-filter (every candidate phrase
through its regex, every pattern behind its gate only, every cue phrase tried in order); the fast
:func:`detect_intents` must agree with it on every text, reasons included.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.triage.intents import WEAK_BELOW, IntentResult, detect_intents, is_negated
from bot.triage.lexicon import (
    INTENTS,
    TOKEN,
    IntentLexicon,
    LiteralFinder,
    describe,
    normalise,
    phrase_regex,
    words_of,
)
from bot.triage.matcher import IntentMatcher, brand_matcher, builtin_matcher
from tests.conftest import REPO

MATCHER = builtin_matcher()
LABELLED = [normalise(json.loads(line)["text"])
            for line in (REPO / "tests/data/intents_labelled.jsonl").read_text(encoding="utf-8").splitlines()]
# Words of the lexicons and cues, so random texts hit phrases, patterns, negation and sarcasm often.
VOCAB = sorted({w for lex in (*MATCHER.lexicons.values(), MATCHER.cues.sarcasm, MATCHER.cues.rhetorical)
                for p in (*lex.phrases, *lex.unless, *lex.weak) for w in p.split()} | set(MATCHER.cues.negators))
PIECES = st.sampled_from(VOCAB + ["?", "!", ",", ".", "'", "x'", "3 days", "#tag", "@acme", "again", "so", "🙃"])


def _cue(text: str, lex: IntentLexicon) -> str:
    for phrase in lex.phrases:
        if phrase in text and (not phrase[:1].isalnum() or phrase_regex(phrase).search(text)):
            return f'phrase "{phrase}"'
    for pattern in lex.patterns:
        match = pattern.search(text)
        if match:
            return describe(match)
    return ""


def reference_intents(text: str, matcher: IntentMatcher, compound: float = 0.0) -> IntentResult:
    """Intent detection without pre-filters (the algorithm the fast version must reproduce)."""
    lexicons, negators = matcher.lexicons, matcher.cues.negators
    tokens = dict.fromkeys(TOKEN.findall(text))
    views = dict.fromkeys(lexicons, text)
    hits = [h for token in tokens for h in matcher.unless_by_word.get(token, ())] + matcher.unless_by_word.get("", [])
    for intent, phrase in hits:
        views[intent] = phrase_regex(phrase).sub(lambda m: " " * len(m.group()), views[intent])
    found: dict[str, str] = {}
    negated: dict[str, str] = {}
    praise_words: list[str] = []
    candidates = [e for token in tokens for e in matcher.by_word.get(token, ())]
    for entry in candidates + [e for e in matcher.loose if e.phrase in text]:
        lex, view = lexicons[entry.intent], views[entry.intent]
        if entry.intent in found and not (lex.negatable and entry.intent == "praise"):
            continue
        starts = [m.start() for m in phrase_regex(entry.phrase).finditer(view)]
        free = [s for s in starts if not (lex.negatable and is_negated(view, s, negators))]
        if starts and not free:
            negated.setdefault(entry.intent, entry.phrase)
        elif free:
            found.setdefault(entry.intent, f'{entry.intent}: phrase "{entry.phrase}"')
            praise_words += [entry.phrase] if entry.intent == "praise" else []
    for name, lex in lexicons.items():
        match = next((m for p in lex.patterns if (m := p.search(views[name]))), None)
        if name not in found and match:
            found[name] = f"{name}: {describe(match)}"
    for name in matcher.weak_words if compound < WEAK_BELOW else ():
        view = views[name]
        cues = [t for t in tokens if t in matcher.weak_words[name]]
        cues += [p for p in matcher.weak_phrases[name] if p in view]
        cue = next((c for c in cues if any(not is_negated(view, m.start(), negators)
                                           for m in phrase_regex(c).finditer(view))), "")
        if name not in found and cue:
            found[name] = f'{name}: "{cue}" in a text that is not positive ({compound:+.2f})'
    for name, phrase in negated.items():
        becomes = lexicons[name].negated_becomes
        if name not in found and becomes:
            found.setdefault(becomes, f'{becomes}: negated {name} "{phrase}"')
    extra: list[str] = []
    sarcasm, rhetorical = _cue(text, matcher.cues.sarcasm), _cue(text, matcher.cues.rhetorical)
    if sarcasm:
        found.setdefault("complaint", f"complaint: sarcasm cue {sarcasm}")
        extra += [f"praise dropped: sarcasm cue {sarcasm}"] if found.pop("praise", None) else []
    if rhetorical:
        found.setdefault("complaint", f"complaint: rhetorical question {rhetorical}")
        extra += [f"question dropped: rhetorical {rhetorical}"] if found.pop("question", None) else []
    others = [i for i in ("question", "complaint", "bug_report", "feature_request") if i in found]
    if "praise" in found and all(w in matcher.cues.courtesy for w in praise_words) and others:
        found.pop("praise")
        extra.append(f"praise dropped: only courtesy ({', '.join(dict.fromkeys(praise_words))}) in a {others[0]}")
    intents = [i for i in INTENTS if i in found]
    return IntentResult(intents, [found[i] for i in intents] + extra)


def test_fast_matching_agrees_with_the_reference_on_the_labelled_texts() -> None:
    for text in [*LABELLED, "such an abuse of power", "this deal is fire 🔥", "what a day, is anyone there?!?"]:
        for compound in (-0.6, 0.0, 0.5):
            assert detect_intents(text, MATCHER, compound) == reference_intents(text, MATCHER, compound), text


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=25).map(" ".join), st.sampled_from([-0.6, 0.0, 0.5]))
def test_fast_matching_agrees_with_the_reference_on_any_text(text: str, compound: float) -> None:
    assert detect_intents(text, MATCHER, compound) == reference_intents(text, MATCHER, compound)


@given(st.lists(st.sampled_from(["ab", "b", "abc", " a", "ca", "x y", "?", "b'c", "c'", "1b", "'"]), min_size=1,
                max_size=6), st.text(alphabet="abcxy ?'1_", max_size=40))
def test_the_literal_finder_finds_exactly_the_literals_in_a_text(literals: list[str], text: str) -> None:
    finder, expected = LiteralFinder(literals), {w for w in literals if w in text}
    assert finder.present(text) == expected


ALL_PATTERNS = [p for lex in (*MATCHER.lexicons.values(), MATCHER.cues.sarcasm, MATCHER.cues.rhetorical)
                for p in lex.patterns]


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=25).map(" ".join))
def test_every_match_contains_a_literal_of_each_required_part(text: str) -> None:
    for pattern in ALL_PATTERNS:
        match = pattern.regex.search(text)
        if match:
            for literals in (pattern.gates, *pattern.also):
                assert not literals or any(w in match.group() for w in literals), (pattern.regex.pattern, text)


# Blanking an ``unless`` phrase writes spaces, which can make a phrase with a space appear that the text
# does not hold ("blip!blop" reads "blip blop" once "!" is blanked): such phrases are always tried.
BLANKING = brand_matcher({"complaint": {"phrases": ["fire sale", "so  slow", " meh", "sigh "], "unless": ["🔥", "!"],
                                        "weak": ["blip blop", "not again"]},
                          "purchase_intent": {"phrases": ["zorp"], "unless": ["!", " blip zorp"]},
                          "praise": {"phrases": ["so good"], "unless": ["so good!", " not so", "good  "]}}, "test")
BLANKING_PIECES = st.sampled_from(["fire", "sale", "🔥", "!", "so", "slow", "meh", "sigh", "good", "not", "again",
                                   "blip", "blop", "zorp", "", " "])


@pytest.mark.parametrize("text", ["!blip zorp", "blip!blop", "fire🔥sale", "so!!slow", "!meh", "sigh!"])
def test_phrases_that_blanking_makes_appear_count(text: str) -> None:
    for compound in (-0.6, 0.5):
        assert detect_intents(text, BLANKING, compound) == reference_intents(text, BLANKING, compound), text


@settings(max_examples=300, deadline=None)
@given(st.lists(BLANKING_PIECES, max_size=12).map("".join), st.lists(BLANKING_PIECES, max_size=12).map(" ".join),
       st.sampled_from([-0.6, 0.5]))
def test_blanking_never_changes_what_the_fast_matcher_finds(glued: str, spaced: str, compound: float) -> None:
    for text in (glued, spaced, glued + " " + spaced):
        assert detect_intents(text, BLANKING, compound) == reference_intents(text, BLANKING, compound), text


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60) | st.text(max_size=30))
def test_words_of_is_exactly_the_token_regex(text: str) -> None:
    assert words_of(text) == TOKEN.findall(text)


@given(st.sampled_from(["ab", "a b", "a'b", "b!", "!a", "é", "_a", "a_", "1"]),
       st.text(alphabet="ab !'é_1\n", max_size=30))
def test_phrase_regex_matches_whole_words_as_a_leading_look_behind_would(phrase: str, text: str) -> None:
    start = r"(?<![^\W_])" if phrase[:1].isalnum() else ""
    end = r"(?![^\W_])" if phrase[-1:].isalnum() else ""
    plain = re.compile(start + re.escape(phrase) + end)
    assert [m.span() for m in phrase_regex(phrase).finditer(text)] == [m.span() for m in plain.finditer(text)]
