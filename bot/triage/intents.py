"""Multi-label intent detection from the lexicons, with negation, sarcasm and rhetorical questions.

Every intent found carries the lexicon entry that decided it, so the queue can show why. The steps
(documented in docs/triage.md):

1. phrases (whole words) and patterns of each intent are looked up in the normalised text, after
   blanking that intent's ``unless`` phrases;
2. a hit of a ``negatable`` intent (praise) that follows a negator within three words does not count;
   if every hit was negated the mention gets ``negated_becomes`` instead ("not impressed": complaint);
3. a sarcasm cue ("thanks for nothing", "love how it never ...") adds complaint and drops praise;
4. a rhetorical question ("how hard is it to ...") adds complaint and drops question;
5. a complaint found only through problem words in a positive text that praises and says how the
   problem was put right is dropped ("lost my passport .. the crew found it, thank you!");
6. praise that is only courtesy ("thanks") is dropped when the mention also asks or complains.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final, TypeVar

from bot.triage.lexicon import (
    INTENTS,
    cue_lists,
    describe,
    phrase_regex,
    runs_of,
    words_of,
)
from bot.triage.matcher import Candidate, CueIndex, IntentMatcher, at_risk

_CLAUSE_END: Final = re.compile(r"[.,!?;:\n]")
WEAK_BELOW: Final = 0.4  # weak cues count only in texts VADER does not find clearly positive
_NEGATION_WINDOW: Final = 30  # characters before a hit that may hold its negator (about three words)
_H = TypeVar("_H", bound=tuple[Any, ...])
_ORDER: Final = {intent: i for i, intent in enumerate(INTENTS)}
RESOLVED_FROM: Final = 0.05  # a problem put right is read only in a text VADER calls positive


@dataclass
class IntentResult:
    """The intents found, in vocabulary order, and one reason per decision."""

    intents: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _ranked(hits: list[_H], tokens: dict[str, None]) -> list[_H]:
    """Hits ``(first word, place under it, ...)`` in the order a walk over the text's words meets them."""
    if len(hits) > 1:
        order = list(tokens).index
        hits.sort(key=lambda hit: (order(hit[0]), hit[1]))
    return hits


def _views(text: str, tokens: dict[str, None], present: set[str], matcher: IntentMatcher) -> dict[str, str]:
    """Per intent, the text with that intent's ``unless`` phrases blanked (only intents that have one there).

    An ``unless`` phrase is blanked when its first word is one of the text's words, in the order of
    those words, then the loose ones; only phrases the literal pass found (or that blanking itself could
    make appear: :meth:`IntentMatcher._risk`) can be in the text at all.
    """
    views: dict[str, str] = {}
    if (present.isdisjoint(matcher.unless_literals) and not matcher.unless_loose_blind
            and matcher.unless_always_words.isdisjoint(tokens)):
        return views
    by_phrase = matcher.unless_hits
    hits = [hit for literal in present if literal in by_phrase for hit in by_phrase[literal] if hit[0] in tokens]
    risky = matcher.unless_risky
    hits += [hit for word in risky.keys() & tokens for hit, risk in risky[word]
             if hit[3] in present or at_risk(risk, present)]
    for _, _, intent, phrase in _ranked(hits, tokens):
        _blank(views, text, intent, phrase)
    for (intent, phrase), risk in zip(matcher.unless_loose, matcher.unless_loose_risk, strict=True):
        if phrase in present or at_risk(risk, present):
            _blank(views, text, intent, phrase)
    return views


def _candidates(tokens: dict[str, None], present: set[str], views: dict[str, str],
                matcher: IntentMatcher) -> list[Candidate]:
    """The phrases to check, in the order of the text's words (then the loose phrases, in lexicon order).

    A word-led phrase is a candidate when its first word is one of the text's words and the phrase
    occurs in the text the intent reads (its view when it has one); a loose one when it occurs in the text.
    """
    by_phrase = matcher.phrase_hits
    hits = [hit for literal in by_phrase.keys() & present for hit in by_phrase[literal]
            if hit[0] in tokens and hit[2][0] not in views]
    for intent, view in views.items():
        hits += [hit for literal in by_phrase.keys() & matcher.finder.present(view)
                 for hit in by_phrase[literal] if hit[2][0] == intent and hit[0] in tokens]
    found = [hit[2] for hit in _ranked(hits, tokens)]
    loose = matcher.loose_hits
    in_text = loose.keys() & present
    if in_text:
        found += [c for _, c in sorted((hit for literal in in_text for hit in loose[literal]), key=_first)]
    return found


def _first(hit: tuple[int, Candidate]) -> int:
    return hit[0]


def spaces(match: re.Match[str]) -> str:
    """As many spaces as the match is long (blanking keeps every other offset in place)."""
    return " " * len(match.group())


def _blank(views: dict[str, str], text: str, intent: str, phrase: str) -> None:
    view = views.get(intent, text)
    if phrase in view:
        views[intent] = phrase_regex(phrase).sub(spaces, view)


def alternation(phrases: Collection[str], patterns: Collection[str] = ()) -> str:
    """One regex source for any of the phrases (whole words, any spacing between them) or patterns."""
    parts = [r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True)]
    return "(?:" + "|".join([*parts, *[f"(?:{p})" for p in patterns]]) + ")"


@cache
def _resolution() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """How a problem was put right (one regex) and the problem words that may be outweighed (cues.toml)."""
    lists = cue_lists("resolution")
    fixed = re.compile(r"(?<![^\W_])" + alternation(lists["phrases"], lists.get("patterns", ())) + r"(?![^\W_])")
    return fixed, lists["problems"]


def _put_right(text: str, matcher: IntentMatcher, compound: float) -> str:
    """How the problem was put right, when the complaint rests only on problem words ("" otherwise).

    Rare (a positive text with praise and a complaint), so exactness wins over speed here: every
    problem word is blanked and the text read again; any complaint left (a service failure, another
    weak cue, a sarcasm or rhetorical cue, negated praise) keeps the complaint. Weak cues are not
    blanked as a whole: some ("nobody", "days") are parts of service failures ("nobody answers").
    """
    fixed, problems = _resolution()
    negators = matcher.cues.negators
    how = next((m for m in fixed.finditer(text) if not is_negated(text, m.start(), negators)), None)
    if how is None:  # nothing put right, or only "never found it", "haven't replaced it"
        return ""
    blanked = text
    for word in problems:
        if word in blanked:
            blanked = phrase_regex(word).sub(spaces, blanked)
    if blanked is text or "complaint" in detect_intents(blanked, matcher, compound, resolve=False).intents:
        return ""
    return how.group()


def is_negated(text: str, start: int, negators: frozenset[str]) -> bool:
    """Whether the words just before ``start`` (same clause, three words at most) hold a negator."""
    before = text[max(0, start - _NEGATION_WINDOW) : start]
    clause = _CLAUSE_END.split(before)[-1]
    words = words_of(clause)[-3:]
    if not negators.isdisjoint(words):
        return True
    if "n't" in clause:
        for word in words:
            if word.endswith("n't"):
                return True
    return any(phrase in clause for phrase in _phrases(negators))


@cache
def _phrases(negators: frozenset[str]) -> tuple[str, ...]:
    return tuple(n for n in negators if " " in n)


def _phrase_hits(text: str, regex: re.Pattern[str], negatable: bool, negators: frozenset[str]) -> tuple[bool, bool]:
    """(found, found only negated) for one phrase of one intent."""
    if not negatable:
        return regex.search(text) is not None, False
    negated_only = False
    for match in regex.finditer(text):
        if not is_negated(text, match.start(), negators):
            return True, False
        negated_only = True
    return negated_only, negated_only


def _runs(text: str, tokens: dict[str, None]) -> Collection[str]:
    """The text's runs of letters and digits (:func:`runs_of`); without apostrophes, its words are its runs."""
    return runs_of(tokens) if "'" in text else tokens


def _cue(text: str, tokens: dict[str, None], index: CueIndex, present: set[str]) -> str:
    """The first phrase, else pattern, of a cue lexicon in the text ("" if none), as a reason."""
    if present.isdisjoint(index.literals) and not index.ungated:
        return ""
    phrases = index.lex.phrases
    for i in index.candidates(present, _runs(text, tokens) if index.by_phrase.keys() & present else ()):
        phrase = phrases[i]
        if not phrase[:1].isalnum() or phrase_regex(phrase).search(text):
            return f'phrase "{phrase}"'
    for i in index.runnable(present):
        regex, _, also = index.patterns[i]
        if also and any(present.isdisjoint(alts) for alts in also):
            continue
        match = regex.search(text)
        if match:
            return describe(match)
    return ""


def _weak(view: str, text: str, tokens: dict[str, None], present: set[str], matcher: IntentMatcher,
          intent: str) -> str:
    """The first weak cue of ``intent`` in the text that is not negated ("nothing missing").

    A weak phrase can only count where it occurs as whole words, so only phrases the literal pass found
    (``present``) whose first run of letters is in the text are looked for.
    """
    words = matcher.weak_words.get(intent, frozenset())
    cues = [] if words.isdisjoint(tokens) else [t for t in tokens if t in words]
    risky = [i for i, risk in matcher.weak_risky.get(intent, ()) if at_risk(risk, present)]
    if not (cues or risky) and present.isdisjoint(matcher.weak_literals.get(intent, ())):
        return ""
    places = matcher.weak_hits.get(intent, {})
    found = [places[literal] for literal in present if literal in places]
    found += risky
    if found:
        phrases = matcher.weak_runs[intent]
        runs = _runs(text, tokens)
        for i in sorted(set(found)):
            phrase, run = phrases[i]
            if (not run or run in runs) and phrase in view:
                cues.append(phrase)
    for cue in cues:
        if any(not is_negated(view, m.start(), matcher.cues.negators) for m in phrase_regex(cue).finditer(view)):
            return cue
    return ""


def detect_intents(text: str, matcher: IntentMatcher, compound: float = 0.0,
                   words: list[str] | None = None, resolve: bool = False) -> IntentResult:
    """Intents of a normalised text (see :func:`bot.triage.lexicon.normalise`), each with its reason.

    ``compound`` is the text's VADER score: weak cues count only when it is below ``WEAK_BELOW``.
    ``words`` are ``TOKEN.findall(text)`` when the caller already has them. ``resolve`` adds the
    problem-put-right step after the matching (triage uses it; the matching alone is what the
    reference tests compare).

    Every look-up is first narrowed by a cheap test that a match implies (the phrase's first word
    among the text's words, the phrase as a substring, a pattern's gate literal in the text), so
    the result is exactly that of trying every phrase and pattern.
    """
    tokens = dict.fromkeys(words_of(text) if words is None else words)
    present = matcher.finder.present(text)
    views = _views(text, tokens, present, matcher)
    found: dict[str, str] = {}
    negated: dict[str, str] = {}
    praise_words: list[str] = []
    candidates = _candidates(tokens, present, views, matcher)
    negators = matcher.cues.negators
    for intent, phrase, single, negatable, regex in candidates:
        if intent in found and not (negatable and intent == "praise"):
            continue
        view = views.get(intent, text) if views else text
        if single and view is text and not negatable:
            hit, only_negated = True, False
        elif phrase not in view:
            continue
        else:
            hit, only_negated = _phrase_hits(view, regex, negatable, negators)
        if not hit:
            continue
        if only_negated:
            negated.setdefault(intent, phrase)
            continue
        found.setdefault(intent, f'{intent}: phrase "{phrase}"')
        if intent == "praise":
            praise_words.append(phrase)
    by_gate = matcher.by_gate
    runnable = {i for gate in by_gate.keys() & present for i in by_gate[gate]}
    if matcher.ungated:
        runnable.update(matcher.ungated)
    patterns, also = matcher.patterns, matcher.pattern_also
    for i in sorted(runnable):  # lexicon order, then pattern order: the first match of an intent decides
        name, find = patterns[i]
        if name not in found and not (also[i] and any(present.isdisjoint(alts) for alts in also[i])):
            match = find(views.get(name, text) if views else text)
            if match:
                found[name] = f"{name}: {describe(match)}"
    if compound < WEAK_BELOW:
        for name, literals in matcher.weak_any.items():
            if name not in found and (not present.isdisjoint(literals) or matcher.weak_risky[name]):
                cue = _weak(views.get(name, text), text, tokens, present, matcher, name)
                if cue:
                    found[name] = f'{name}: "{cue}" in a text that is not positive ({compound:+.2f})'
    extra: list[str] = []
    for name, phrase in negated.items() if negated else ():
        becomes = matcher.lexicons[name].negated_becomes
        if name not in found and becomes:
            found.setdefault(becomes, f'{becomes}: negated {name} "{phrase}"')
    cues = matcher.cues
    no_cue = present.isdisjoint(matcher.cue_literals) and not matcher.cue_ungated
    sarcasm = "" if no_cue else _cue(text, tokens, matcher.sarcasm, present)
    if sarcasm:
        found.setdefault("complaint", f"complaint: sarcasm cue {sarcasm}")
        if found.pop("praise", None):
            extra.append(f"praise dropped: sarcasm cue {sarcasm}")
    rhetorical = "" if no_cue else _cue(text, tokens, matcher.rhetorical, present)
    if rhetorical:
        found.setdefault("complaint", f"complaint: rhetorical question {rhetorical}")
        if found.pop("question", None):
            extra.append(f"question dropped: rhetorical {rhetorical}")
    if resolve and compound >= RESOLVED_FROM and "complaint" in found and "praise" in found:
        how = _put_right(text, matcher, compound)
        if how:
            del found["complaint"]
            extra.append(f'complaint dropped: a problem put right ("{how}") in a positive text ({compound:+.2f})')
    if "praise" in found and all(w in cues.courtesy for w in praise_words):
        others = [i for i in ("question", "complaint", "bug_report", "feature_request") if i in found]
        if others:
            found.pop("praise")
            extra.append(f"praise dropped: only courtesy ({', '.join(dict.fromkeys(praise_words))}) in a {others[0]}")
    intents = sorted(found, key=_ORDER.__getitem__) if len(found) > 1 else list(found)  # vocabulary order
    return IntentResult(intents, [found[i] for i in intents] + extra)
