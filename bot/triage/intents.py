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
from dataclasses import dataclass, field

from bot.triage.lexicon import INTENTS, TOKEN, IntentLexicon, IntentMatcher, describe, phrase_regex

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
    index = matcher.unless_by_word
    hits = [h for token in tokens for h in index.get(token, ())] + index.get("", [])
    for intent, phrase in hits:
        view = views.get(intent, text)
        if phrase in view:
            views[intent] = phrase_regex(phrase).sub(lambda m: " " * len(m.group()), view)
    return views


def is_negated(text: str, start: int, negators: frozenset[str]) -> bool:
    """Whether the words just before ``start`` (same clause, three words at most) hold a negator."""
    before = text[max(0, start - _NEGATION_WINDOW) : start]
    clause = _CLAUSE_END.split(before)[-1]
    words = TOKEN.findall(clause)[-3:]
    if any(w in negators or w.endswith("n't") for w in words):
        return True
    return any(" " in n and n in clause for n in negators)


def _phrase_hits(text: str, phrase: str, lex: IntentLexicon, negators: frozenset[str]) -> tuple[bool, bool]:
    """(found, found only negated) for one phrase of one intent."""
    regex = phrase_regex(phrase)
    if not lex.negatable:
        return regex.search(text) is not None, False
    negated_only = False
    for match in regex.finditer(text):
        if not is_negated(text, match.start(), negators):
            return True, False
        negated_only = True
    return negated_only, negated_only


def _cue(text: str, lex: IntentLexicon) -> str:
    for phrase in lex.phrases:
        if phrase in text and (not phrase[:1].isalnum() or phrase_regex(phrase).search(text)):
            return f'phrase "{phrase}"'
    for pattern in lex.patterns:
        match = pattern.search(text)
        if match:
            return describe(match)
    return ""


def _weak(view: str, tokens: dict[str, None], matcher: IntentMatcher, intent: str) -> str:
    """The first weak cue of ``intent`` in the text that is not negated ("nothing missing")."""
    words = matcher.weak_words.get(intent, frozenset())
    cues = [t for t in tokens if t in words] + [p for p in matcher.weak_phrases.get(intent, ()) if p in view]
    for cue in cues:
        if any(not is_negated(view, m.start(), matcher.cues.negators) for m in phrase_regex(cue).finditer(view)):
            return cue
    return ""


def detect_intents(text: str, matcher: IntentMatcher, compound: float = 0.0) -> IntentResult:
    """Intents of a normalised text (see :func:`bot.triage.lexicon.normalise`), each with its reason.

    ``compound`` is the text's VADER score: weak cues count only when it is below ``WEAK_BELOW``.
    """
    lexicons = matcher.lexicons
    tokens = dict.fromkeys(TOKEN.findall(text))
    masked = _views(text, tokens, matcher)
    views = {name: masked.get(name, text) for name in lexicons}
    found: dict[str, str] = {}
    negated: dict[str, str] = {}
    praise_words: list[str] = []
    candidates = [e for token in tokens for e in matcher.by_word.get(token, ())]
    candidates += [e for e in matcher.loose if e.phrase in text]
    for entry in candidates:
        lex = lexicons[entry.intent]
        if entry.intent in found and not (lex.negatable and entry.intent == "praise"):
            continue
        view = views[entry.intent]
        if entry.single and view is text and not lex.negatable:
            hit, only_negated = True, False
        else:
            hit, only_negated = _phrase_hits(view, entry.phrase, lex, matcher.cues.negators)
        if not hit:
            continue
        if only_negated:
            negated.setdefault(entry.intent, entry.phrase)
            continue
        found.setdefault(entry.intent, f'{entry.intent}: phrase "{entry.phrase}"')
        if entry.intent == "praise":
            praise_words.append(entry.phrase)
    present = {g for g in matcher.gates if g in text}
    for name, lex in lexicons.items():
        if name in found:
            continue
        view = views[name]
        for pattern in lex.patterns:
            match = None if pattern.gates and present.isdisjoint(pattern.gates) else pattern.regex.search(view)
            if match:
                found[name] = f"{name}: {describe(match)}"
                break
    if compound < WEAK_BELOW:
        for name in matcher.weak_words:
            if name not in found:
                cue = _weak(views[name], tokens, matcher, name)
                if cue:
                    found[name] = f'{name}: "{cue}" in a text that is not positive ({compound:+.2f})'
    extra: list[str] = []
    for name, phrase in negated.items():
        becomes = lexicons[name].negated_becomes
        if name not in found and becomes:
            found.setdefault(becomes, f'{becomes}: negated {name} "{phrase}"')
    cues = matcher.cues
    sarcasm = _cue(text, cues.sarcasm)
    if sarcasm:
        found.setdefault("complaint", f"complaint: sarcasm cue {sarcasm}")
        if found.pop("praise", None):
            extra.append(f"praise dropped: sarcasm cue {sarcasm}")
    rhetorical = _cue(text, cues.rhetorical)
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
