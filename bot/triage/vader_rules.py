"""VADER's rules evaluated on a token list: the hot path of :class:`bot.triage.vader_fast.FastVader`.

Pure functions of the lexicon and the text, kept apart from the analyzer class so that they can be
compiled with mypyc (``make compile``; see docs/triage.md, "Performance") while the class, a subclass
of the package's analyzer, stays plain Python. Every rule and quirk is described in
:mod:`bot.triage.vader_fast`; floating-point operations run in the package's order.
"""

from __future__ import annotations

import math
import string
from heapq import heappop, heappush
from typing import Final

from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped, unused-ignore]
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
)

_BOOSTERS: Final[dict[str, float]] = dict(BOOSTER_DICT)
_SPECIAL: Final[dict[str, float]] = dict(SPECIAL_CASES)
_NEGATIONS: Final[frozenset[str]] = frozenset(NEGATE)
# Every phrase the idiom rule builds starts with one of four tokens; when none of them
# can start a known phrase the rule cannot fire, so the string building is skipped.
_PHRASE_STARTS: Final[frozenset[str]] = frozenset(
    k.split(" ")[0] for k in (*_SPECIAL, *_BOOSTERS)
)
_SPECIAL_STARTS: Final[frozenset[str]] = frozenset(k.split(" ")[0] for k in _SPECIAL)
_BOOSTER_PHRASE_STARTS: Final[frozenset[str]] = frozenset(k.split(" ")[0] for k in _BOOSTERS if " " in k)
_SO_THIS = ("so", "this")
_OR_NOR = ("or", "nor")
_PUNCT: Final = string.punctuation
_EMPTY = (0.0, 0.0, 0.0, 0.0)
_NEUTRAL = (0.0, 1.0, 0.0, 0.0)
# neg, neu, pos, compound: the package's scores, in the order of its result dict.
Scores = tuple[float, float, float, float]


def _booster(word: str, lowered: str, valence: float, cap_diff: bool) -> float:
    """Scalar that a booster/dampener `word` adds to a following word of `valence`."""
    scalar = _BOOSTERS.get(lowered)
    if scalar is None:
        return 0.0
    if valence < 0:
        scalar *= -1
    if cap_diff and word.isupper():
        scalar = scalar + C_INCR if valence > 0 else scalar - C_INCR
    return scalar


def _idioms(valence: float, low: list[str], i: int) -> float:
    """The package's idiom and booster-bigram rule for the lexicon word at `i` > 2.

    Only called when one of the words `i - 3` .. `i` is in `_PHRASE_STARTS`: otherwise no phrase the
    rule builds can be known, and the valence stays as it is.
    """
    w3, w2, w1, w0 = low[i - 3], low[i - 2], low[i - 1], low[i]
    # A phrase is only built when its first word starts a known one: the same first match, less formatting.
    special, starts = _SPECIAL, _SPECIAL_STARTS
    if w1 in starts and f"{w1} {w0}" in special:
        valence = special[f"{w1} {w0}"]
    elif w2 in starts and f"{w2} {w1} {w0}" in special:
        valence = special[f"{w2} {w1} {w0}"]
    elif w2 in starts and f"{w2} {w1}" in special:
        valence = special[f"{w2} {w1}"]
    elif w3 in starts and f"{w3} {w2} {w1}" in special:
        valence = special[f"{w3} {w2} {w1}"]
    elif w3 in starts and f"{w3} {w2}" in special:
        valence = special[f"{w3} {w2}"]
    if w0 in starts:
        last = len(low) - 1
        if last > i:
            seq = f"{w0} {low[i + 1]}"
            if seq in special:
                valence = special[seq]
        if last > i + 1:
            seq = f"{w0} {low[i + 1]} {low[i + 2]}"
            if seq in special:
                valence = special[seq]
    if w3 in _BOOSTER_PHRASE_STARTS:
        for seq in (f"{w3} {w2} {w1}", f"{w3} {w2}"):
            if seq in _BOOSTERS:
                valence = valence + _BOOSTERS[seq]
    if w2 in _BOOSTER_PHRASE_STARTS and f"{w2} {w1}" in _BOOSTERS:
        valence = valence + _BOOSTERS[f"{w2} {w1}"]
    return valence


def _rescale_around_but(sentiments: list[float], bi: int) -> None:
    """Apply the package's "but" rule in place, quirk included, in O(n log n).

    The package walks the list and, for each value v, rescales the first position
    holding a value equal to v (x0.5 before the first "but", x1.5 after it). That
    first position is never later than the current one, so a min-heap of positions
    per value, covering only the positions visited so far, answers the same question
    as `list.index`.
    """
    heaps: dict[float, list[int]] = {}
    for k in range(len(sentiments)):
        value = sentiments[k]
        heap = heaps.get(value)
        if heap is None:
            heap = heaps[value] = []
        heappush(heap, k)
        first = heap[0]
        if first < bi:
            new = value * 0.5
        elif first > bi:
            new = value * 1.5
        else:
            continue
        sentiments[first] = new
        heappop(heap)
        target = heaps.get(new)
        if target is None:
            target = heaps[new] = []
        heappush(target, first)


def _score(sentiments: list[float], text: str) -> Scores:
    """The package's `score_valence` (neg, neu, pos, compound), same operations in the same order."""
    if not sentiments:
        return _EMPTY
    if not any(sentiments):  # no word with a valence: what the steps below give (punctuation only scales a sum)
        return _NEUTRAL
    ep_count = min(text.count("!"), 4)
    qm_count = text.count("?")
    qm_amplifier = 0.0  # the package starts from the int 0; adding either to a float gives the same value
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    punct = ep_count * 0.292 + qm_amplifier

    sum_s = float(sum(sentiments))
    if sum_s > 0:
        sum_s += punct
    elif sum_s < 0:
        sum_s -= punct
    compound = sum_s / math.sqrt((sum_s * sum_s) + 15)
    if compound > 1.0:  # the package's max(-1.0, min(compound, 1.0)), without two calls
        compound = 1.0
    elif compound < -1.0:
        compound = -1.0

    pos_sum = 0.0
    neg_sum = 0.0
    neu_count = sentiments.count(0)
    for s in filter(None, sentiments):  # the zeros only count as neutral; the others are floats already
        if s > 0:
            pos_sum += s + 1
        else:
            neg_sum += s - 1
    fabs = math.fabs
    if pos_sum > fabs(neg_sum):
        pos_sum += punct
    elif pos_sum < fabs(neg_sum):
        neg_sum -= punct
    total = pos_sum + fabs(neg_sum) + neu_count
    return (
        round(fabs(neg_sum / total), 3),
        round(fabs(neu_count / total), 3),
        round(fabs(pos_sum / total), 3),
        round(compound, 4),
    )




def scores_of(lex: dict[str, float], text: str) -> Scores:
    """(neg, neu, pos, compound) of a stripped text whose emoji are already described, with lexicon ``lex``."""
    # The package's words are its tokens with punctuation stripped unless that leaves two characters
    # or fewer. Stripping removes no letter, so a word is upper-case exactly when its token is: the
    # tokens stand in for the words wherever only that is asked (the capitals rules, boosters).
    tokens = text.split()
    n = len(tokens)
    low: list[str] = []
    if text.isascii():  # lower-casing keeps every length and the split: lower the text once
        for t in text.lower().split():
            w = t.strip(_PUNCT)
            low.append(t if len(w) <= 2 else w)
    else:
        for t in tokens:
            w = t.strip(_PUNCT)
            low.append((t if len(w) <= 2 else w).lower())
    n_caps = 0
    for t in tokens:
        if t.isupper():
            n_caps += 1
    cap_diff = 0 < n - n_caps < n

    # Words outside the lexicon score 0 (an int, as in the package); only lexicon words need rules.
    sentiments: list[float] = [0] * n
    for i in range(n):
        lw = low[i]
        if lw in lex and not (lw in _BOOSTERS or (lw == "kind" and i < n - 1 and low[i + 1] == "of")):
            sentiments[i] = word_valence(lex, i, tokens, low, cap_diff)

    if "but" in low:
        _rescale_around_but(sentiments, low.index("but"))
    return _score(sentiments, text)


def word_valence(lex: dict[str, float], i: int, words: list[str], low: list[str], cap_diff: bool) -> float:
    """Valence of the lexicon word at `i` after the package's modifier rules."""
    lw = low[i]
    valence = lex[lw]
    if lw == "no" and i != len(low) - 1 and low[i + 1] in lex:
        valence = 0.0
    if (
        (i > 0 and low[i - 1] == "no")
        or (i > 1 and low[i - 2] == "no")
        or (i > 2 and low[i - 3] == "no" and low[i - 1] in _OR_NOR)
    ):
        valence = lex[lw] * N_SCALAR
    if cap_diff and words[i].isupper():
        valence = valence + C_INCR if valence > 0 else valence - C_INCR

    # Boosters and negations are looked up before calling anything: most words before a lexicon
    # word are neither. Adding 0.0 where the package adds a zero booster scalar keeps -0.0 as it does;
    # a booster's scalar is never zero, so scaling it unconditionally is the package's "if s != 0".
    if i > 0:
        w1 = low[i - 1]
        if w1 not in lex:
            valence = valence + (_booster(words[i - 1], w1, valence, cap_diff) if w1 in _BOOSTERS else 0.0)
            if w1 in _NEGATIONS or "n't" in w1:
                valence = valence * N_SCALAR
    if i > 1:
        w2 = low[i - 2]
        if w2 not in lex:
            valence = valence + (_booster(words[i - 2], w2, valence, cap_diff) * 0.95 if w2 in _BOOSTERS else 0.0)
            if w2 == "never" and low[i - 1] in _SO_THIS:
                valence = valence * 1.25
            elif not (w2 == "without" and low[i - 1] == "doubt") and (w2 in _NEGATIONS or "n't" in w2):
                valence = valence * N_SCALAR
    if i > 2:
        w3 = low[i - 3]
        if w3 not in lex:
            valence = valence + (_booster(words[i - 3], w3, valence, cap_diff) * 0.9 if w3 in _BOOSTERS else 0.0)
            # Precedence quirk kept: "(never and (so or this)) or (so or this)".
            if (w3 == "never" and low[i - 2] in _SO_THIS) or low[i - 1] in _SO_THIS:
                valence = valence * 1.25
            elif not (w3 == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt")) and (
                w3 in _NEGATIONS or "n't" in w3
            ):
                valence = valence * N_SCALAR
            if (w3 in _PHRASE_STARTS or low[i - 2] in _PHRASE_STARTS or low[i - 1] in _PHRASE_STARTS
                    or low[i] in _PHRASE_STARTS):
                valence = _idioms(valence, low, i)

    # "least" negates unless it reads "at least" / "very least" (and only while
    # "least" is not a lexicon word).
    if (
        i > 0
        and low[i - 1] == "least"
        and "least" not in lex
        and (i == 1 or (low[i - 2] != "at" and low[i - 2] != "very"))
    ):
        valence = valence * N_SCALAR
    return valence
