"""Multi-label intent detection from the lexicons, with negation, sarcasm and rhetorical questions.

Every intent found carries the lexicon entry that decided it, so the queue can show why. The steps
(documented in docs/triage.md):

1. phrases (whole words) and patterns of each intent are looked up in the normalised text, after
   blanking that intent's ``unless`` phrases;
2. a hit of a ``negatable`` intent (praise) that follows a negator within three words does not count;
   if every hit was negated the mention gets ``negated_becomes`` instead ("not impressed": complaint);
3. a sarcasm cue ("thanks for nothing", "love how it never ...") adds complaint and drops praise;
4. a rhetorical question ("how hard is it to ...") adds complaint and drops question;
5. praise that is only courtesy ("thanks") is dropped when the mention also asks or complains.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache

from bot.triage.lexicon import INTENTS, TOKEN, CueIndex, IntentMatcher, describe, phrase_regex, runs_of, words_of

_CLAUSE_END = re.compile(r"[.,!?;:\n]")
WEAK_BELOW = 0.4  # weak cues count only in texts VADER does not find clearly positive
_NEGATION_WINDOW = 30  # characters before a hit that may hold its negator (about three words)


@dataclass
class IntentResult:
    """The intents found, in vocabulary order, and one reason per decision."""

    intents: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _views(text: str, tokens: dict[str, None], matcher: IntentMatcher) -> dict[str, str]:
    """Per intent, the text with that intent's ``unless`` phrases blanked (only intents that have one there)."""
    views: dict[str, str] = {}
    words = matcher.unless_words
    if not words.isdisjoint(tokens):
        index = matcher.unless_by_word
        for token in tokens:
            if token in words:
                for intent, phrase in index[token]:
                    _blank(views, text, intent, phrase)
    for intent, phrase in matcher.unless_loose:
        _blank(views, text, intent, phrase)
    return views


def _blank(views: dict[str, str], text: str, intent: str, phrase: str) -> None:
    view = views.get(intent, text)
    if phrase in view:
        views[intent] = phrase_regex(phrase).sub(lambda m: " " * len(m.group()), view)


def is_negated(text: str, start: int, negators: frozenset[str]) -> bool:
    """Whether the words just before ``start`` (same clause, three words at most) hold a negator."""
    before = text[max(0, start - _NEGATION_WINDOW) : start]
    clause = _CLAUSE_END.split(before)[-1]
    words = TOKEN.findall(clause)[-3:]
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


def _cue(text: str, index: CueIndex, runs: Collection[str], present: set[str], ascii_text: bool) -> str:
    """The first phrase, else pattern, of a cue lexicon in the text ("" if none), as a reason."""
    phrases = index.lex.phrases
    for i in index.candidates(runs, ascii_text):
        phrase = phrases[i]
        if phrase in text and (not phrase[:1].isalnum() or phrase_regex(phrase).search(text)):
            return f'phrase "{phrase}"'
    for regex, gates, also in index.patterns:
        if (gates and present.isdisjoint(gates)) or (also and any(present.isdisjoint(alts) for alts in also)):
            continue
        match = regex.search(text)
        if match:
            return describe(match)
    return ""


def _weak(view: str, tokens: dict[str, None], runs: Collection[str], matcher: IntentMatcher, intent: str) -> str:
    """The first weak cue of ``intent`` in the text that is not negated ("nothing missing").

    A weak phrase can only count where it occurs as whole words, so phrases whose first run of
    letters is not in the text are not even looked for.
    """
    words = matcher.weak_words.get(intent, frozenset())
    cues = [] if words.isdisjoint(tokens) else [t for t in tokens if t in words]
    first_runs = matcher.weak_run_set.get(intent, frozenset())
    if "" in first_runs or not first_runs.isdisjoint(runs):
        cues += [p for p, run in matcher.weak_runs[intent] if (not run or run in runs) and p in view]
    for cue in cues:
        if any(not is_negated(view, m.start(), matcher.cues.negators) for m in phrase_regex(cue).finditer(view)):
            return cue
    return ""


def detect_intents(text: str, matcher: IntentMatcher, compound: float = 0.0,
                   words: list[str] | None = None) -> IntentResult:
    """Intents of a normalised text (see :func:`bot.triage.lexicon.normalise`), each with its reason.

    ``compound`` is the text's VADER score: weak cues count only when it is below ``WEAK_BELOW``.
    ``words`` are ``TOKEN.findall(text)`` when the caller already has them.

    Every look-up is first narrowed by a cheap test that a match implies (the phrase's first word
    among the text's words, the phrase as a substring, a pattern's gate literal in the text), so
    the result is exactly that of trying every phrase and pattern.
    """
    lexicons = matcher.lexicons
    tokens = dict.fromkeys(words_of(text) if words is None else words)
    runs: Collection[str] = runs_of(tokens) if "'" in text else tokens  # without apostrophes, tokens are runs
    ascii_text = text.isascii()
    views = _views(text, tokens, matcher)
    found: dict[str, str] = {}
    negated: dict[str, str] = {}
    praise_words: list[str] = []
    index = matcher.index
    candidates = [c for token in tokens if token in index for c in index[token]]
    candidates += [c for c in (matcher.loose_ascii if ascii_text else matcher.loose_candidates) if c[1] in text]
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
    present = matcher.finder.present(text)
    by_gate = matcher.by_gate
    runnable = {i for gate in present if gate in by_gate for i in by_gate[gate]}
    runnable.update(matcher.ungated)
    patterns, also = matcher.patterns, matcher.pattern_also
    for i in sorted(runnable):  # lexicon order, then pattern order: the first match of an intent decides
        name, find = patterns[i]
        if name not in found and all(not present.isdisjoint(alts) for alts in also[i]):
            match = find(views.get(name, text))
            if match:
                found[name] = f"{name}: {describe(match)}"
    if compound < WEAK_BELOW:
        for name in matcher.weak_words:
            if name not in found:
                cue = _weak(views.get(name, text), tokens, runs, matcher, name)
                if cue:
                    found[name] = f'{name}: "{cue}" in a text that is not positive ({compound:+.2f})'
    extra: list[str] = []
    for name, phrase in negated.items():
        becomes = lexicons[name].negated_becomes
        if name not in found and becomes:
            found.setdefault(becomes, f'{becomes}: negated {name} "{phrase}"')
    cues = matcher.cues
    sarcasm = _cue(text, matcher.sarcasm, runs, present, ascii_text)
    if sarcasm:
        found.setdefault("complaint", f"complaint: sarcasm cue {sarcasm}")
        if found.pop("praise", None):
            extra.append(f"praise dropped: sarcasm cue {sarcasm}")
    rhetorical = _cue(text, matcher.rhetorical, runs, present, ascii_text)
    if rhetorical:
        found.setdefault("complaint", f"complaint: rhetorical question {rhetorical}")
        if found.pop("question", None):
            extra.append(f"question dropped: rhetorical {rhetorical}")
    if "praise" in found and all(w in cues.courtesy for w in praise_words):
        others = [i for i in ("question", "complaint", "bug_report", "feature_request") if i in found]
        if others:
            found.pop("praise")
            extra.append(f"praise dropped: only courtesy ({', '.join(dict.fromkeys(praise_words))}) in a {others[0]}")
    intents = [i for i in INTENTS if i in found]
    return IntentResult(intents, [found[i] for i in intents] + extra)
