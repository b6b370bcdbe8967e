"""The intent lexicons compiled into the shapes matching reads fastest (built once per brand, never per text).

Every phrase, ``unless`` phrase, weak cue, cue phrase and pattern gate is a literal of one
Aho-Corasick automaton (:class:`bot.triage.lexicon.LiteralFinder`): one pass over a text tells which
occur, and each is listed under itself with what :func:`bot.triage.intents.detect_intents` needs to
replay it in the order that trying every phrase would (the phrase's first word and its place under it).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache

from bot.triage.gates import pattern_finder
from bot.triage.lexicon import (
    TOKEN,
    Cues,
    IntentLexicon,
    LiteralFinder,
    build_lexicons,
    builtin_cues,
    builtin_intents,
    first_run,
    merge,
    phrase_regex,
)


@dataclass(frozen=True)
class IndexEntry:
    """One phrase under its first word: the intent, the phrase, and whether the word alone is the phrase."""

    intent: str
    phrase: str
    single: bool


# One phrase ready to check: intent, phrase, whether the indexed word alone is the phrase, whether the
# intent is negatable, and the phrase's whole-word regex.
Candidate = tuple[str, str, bool, bool, re.Pattern[str]]


class CueIndex:
    """A cue lexicon (sarcasm, rhetorical questions): each phrase listed under itself and its first run.

    A phrase needs checking only when it occurs in the text (the literal finder says so) and its first
    run of letters and digits is among the text's runs (or it starts with something else); checked in
    file order, the first cue found is the same as when checking all of them.
    """

    def __init__(self, lex: IntentLexicon) -> None:
        self.lex = lex
        self.first_runs = tuple(first_run(p) for p in lex.phrases)
        self.by_phrase: dict[str, tuple[int, ...]] = {}
        for i, phrase in enumerate(lex.phrases):
            self.by_phrase[phrase] = (*self.by_phrase.get(phrase, ()), i)
        self.patterns = tuple((p.regex, frozenset(p.gates), tuple(frozenset(a) for a in p.also)) for p in lex.patterns)
        self.ungated = tuple(i for i, p in enumerate(lex.patterns) if not p.gates)
        self.by_gate: dict[str, tuple[int, ...]] = {}
        for i, p in enumerate(lex.patterns):
            for gate in p.gates:
                self.by_gate[gate] = (*self.by_gate.get(gate, ()), i)
        # A text holding none of these literals (and no ungated pattern) has no cue: nothing to try.
        self.literals = frozenset(self.by_phrase) | frozenset(self.by_gate)

    def runnable(self, present: Collection[str]) -> list[int]:
        """Indices of the patterns whose gate literals occur (``present``), in file order."""
        by_gate = self.by_gate
        found = {i for literal in present if literal in by_gate for i in by_gate[literal]}
        found.update(self.ungated)
        return sorted(found)

    def candidates(self, present: Collection[str], runs: Collection[str]) -> list[int]:
        """Indices of the phrases that may occur whole in a text (``present``: its literals), in file order."""
        by_phrase, first_runs = self.by_phrase, self.first_runs
        found = [i for literal in present if literal in by_phrase for i in by_phrase[literal]
                 if not first_runs[i] or first_runs[i] in runs]
        found.sort()
        return found


class IntentMatcher:
    """Compiled lexicons: phrases indexed by first word, loose phrases, gated patterns, and the cues."""

    def __init__(self, lexicons: Mapping[str, IntentLexicon], cues: Cues) -> None:
        self.lexicons = dict(lexicons)
        self.cues = cues
        self.by_word: dict[str, list[IndexEntry]] = {}
        self.loose: list[IndexEntry] = []  # phrases that do not start with a word ("¿", emoji, "/s")
        self.weak_words: dict[str, frozenset[str]] = {}  # weak cues of one word, per intent
        self.weak_phrases: dict[str, tuple[str, ...]] = {}  # the other weak cues
        self.unless_by_word: dict[str, list[tuple[str, str]]] = {}  # "" holds those not starting with a word
        patterns = [p for lex in self.lexicons.values() for p in lex.patterns]
        self.gates = tuple(sorted({g for p in patterns for g in p.gates}))  # checked once per text
        for lex in self.lexicons.values():
            for phrase in lex.phrases:
                first = TOKEN.match(phrase)
                if first is None:
                    self.loose.append(IndexEntry(lex.intent, phrase, False))
                else:
                    entry = IndexEntry(lex.intent, phrase, first.group() == phrase)
                    self.by_word.setdefault(first.group(), []).append(entry)
            for phrase in lex.unless:
                first = TOKEN.match(phrase)
                key = first.group() if first else ""
                self.unless_by_word.setdefault(key, []).append((lex.intent, phrase))
            if lex.weak:
                self.weak_words[lex.intent] = frozenset(w for w in lex.weak if TOKEN.fullmatch(w))
                self.weak_phrases[lex.intent] = tuple(w for w in lex.weak if not TOKEN.fullmatch(w))
        self._compile()

    def _compile(self) -> None:
        """The same lexicons in the shapes matching reads fastest (built once, never per text)."""
        negatable = {name: lex.negatable for name, lex in self.lexicons.items()}
        self.unless_loose = tuple(self.unless_by_word.get("", ()))

        def candidate(e: IndexEntry) -> Candidate:
            return e.intent, e.phrase, e.single, negatable[e.intent], phrase_regex(e.phrase)

        # Each phrase listed under itself, so the phrases a text contains come from the one literal pass:
        # a word-led phrase with its first word and place under that word (the order it is tried in),
        # a loose one with its place among the loose phrases.
        self.phrase_hits: dict[str, tuple[tuple[str, int, Candidate], ...]] = {}
        for word, entries in self.by_word.items():
            for pos, entry in enumerate(entries):
                hit = (word, pos, candidate(entry))
                self.phrase_hits[entry.phrase] = (*self.phrase_hits.get(entry.phrase, ()), hit)
        self.loose_hits: dict[str, tuple[tuple[int, Candidate], ...]] = {}
        for pos, entry in enumerate(self.loose):
            self.loose_hits[entry.phrase] = (*self.loose_hits.get(entry.phrase, ()), (pos, candidate(entry)))
        self._compile_unless()
        # Patterns in lexicon order, the gated ones listed under each of their gates.
        self.patterns = tuple((name, pattern_finder(p.regex))
                              for name, lex in self.lexicons.items() for p in lex.patterns)
        gated = [p.gates for lex in self.lexicons.values() for p in lex.patterns]
        self.pattern_also = tuple(tuple(frozenset(alts) for alts in p.also)
                                  for lex in self.lexicons.values() for p in lex.patterns)
        self.ungated = tuple(i for i, gates in enumerate(gated) if not gates)
        self.by_gate: dict[str, tuple[int, ...]] = {}
        for i, gates in enumerate(gated):
            for gate in gates:
                self.by_gate[gate] = (*self.by_gate.get(gate, ()), i)
        self.weak_runs = {name: tuple((p, first_run(p)) for p in phrases)
                          for name, phrases in self.weak_phrases.items()}
        self.weak_hits = {name: {p: i for i, p in reversed(list(enumerate(phrases)))}
                          for name, phrases in self.weak_phrases.items()}
        self.weak_risky = {name: tuple((i, risk) for i, p in enumerate(phrases)
                                       if (risk := self._risk(name, p)) is not None)
                           for name, phrases in self.weak_phrases.items()}
        self.weak_literals = {name: frozenset(places) for name, places in self.weak_hits.items()}
        # A text holding none of an intent's weak words and phrases (and no risky phrase) has none of its cues.
        self.weak_any = {name: words | self.weak_literals.get(name, frozenset())
                         for name, words in self.weak_words.items()}
        self.sarcasm = CueIndex(self.cues.sarcasm)
        self.rhetorical = CueIndex(self.cues.rhetorical)
        self.cue_literals = self.sarcasm.literals | self.rhetorical.literals
        self.cue_ungated = bool(self.sarcasm.ungated or self.rhetorical.ungated)
        cue_gates = [g for lex in (self.cues.sarcasm, self.cues.rhetorical) for p in lex.patterns
                     for alts in (p.gates, *p.also) for g in alts]
        phrases = [p for lex in (*self.lexicons.values(), self.cues.sarcasm, self.cues.rhetorical)
                   for p in (*lex.phrases, *lex.unless)]
        self.finder = LiteralFinder([*[g for gates in gated for g in gates],
                                     *[g for also in self.pattern_also for alts in also for g in alts], *cue_gates,
                                     *phrases, *[w for weak in (*self.weak_phrases.values(), *self.weak_words.values())
                                                 for w in weak]])

    def _risk(self, intent: str, phrase: str) -> frozenset[str] | None:
        """When ``phrase`` may occur in a view of ``intent`` (its ``unless`` phrases blanked) but not in the text.

        Blanking writes spaces, so only a phrase with a space can: one that starts or ends with a space or
        holds two in a row whatever the text (the empty set: always try it), else one with a space only
        where a one-character ``unless`` phrase was blanked (the set of those characters: try it when the
        text holds one of them); None: never.
        """
        if " " not in phrase:
            return None
        if phrase[0] == " " or phrase[-1] == " " or "  " in phrase:
            return frozenset()
        one_char = frozenset(u for u in self.lexicons[intent].unless if len(u) == 1)
        return one_char or None

    def _compile_unless(self) -> None:
        """``unless`` phrases listed under themselves, with the order :func:`bot.triage.intents` blanks them in."""
        self.unless_hits: dict[str, tuple[tuple[str, int, str, str], ...]] = {}
        risky: list[tuple[tuple[str, int, str, str], frozenset[str]]] = []
        for word, entries in self.unless_by_word.items():
            for pos, (intent, phrase) in enumerate(entries):
                hit = (word, pos, intent, phrase)
                risk = self._risk(intent, phrase)
                if word and risk is not None:
                    risky.append((hit, risk))
                elif word:
                    self.unless_hits[phrase] = (*self.unless_hits.get(phrase, ()), hit)
        self.unless_risky: dict[str, tuple[tuple[tuple[str, int, str, str], frozenset[str]], ...]] = {}
        for hit, risk in risky:
            self.unless_risky[hit[0]] = (*self.unless_risky.get(hit[0], ()), (hit, risk))
        self.unless_loose_risk = tuple(self._risk(intent, phrase) for intent, phrase in self.unless_loose)
        self.unless_literals = frozenset(p for ps in self.unless_by_word.values() for _, p in ps)
        # A risky phrase with triggers needs one of them, all unless literals themselves: only the others
        # (to be tried in any text holding their first word) can make a text without unless literals blank.
        self.unless_always_words = frozenset(hit[0] for hit, risk in risky if not risk)
        self.unless_loose_blind = any(risk is not None and not risk for risk in self.unless_loose_risk)


def at_risk(risk: frozenset[str] | None, present: Collection[str]) -> bool:
    """Whether a phrase with this :meth:`IntentMatcher._risk` must be tried in a text holding ``present``."""
    return risk is not None and (not risk or not risk.isdisjoint(present))


@cache
def builtin_matcher() -> IntentMatcher:
    """The compiled built-in lexicons (shared by every context without brand extensions)."""
    return IntentMatcher(builtin_intents(), builtin_cues())


def brand_matcher(extensions: Mapping[str, Mapping[str, object]], source: str) -> IntentMatcher:
    """The built-in lexicons plus a brand's extensions (``[triage.intents.*]`` in bot.toml)."""
    if not extensions:
        return builtin_matcher()
    extra = build_lexicons(extensions, source)
    return IntentMatcher(merge(builtin_intents(), extra), builtin_cues())
