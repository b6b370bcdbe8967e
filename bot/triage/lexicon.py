"""Loading and compiling the triage data files (intent phrases and patterns, cues, language words).

The files live in ``bot/triage/data/``; a brand extends the intents through ``bot.toml``
(``[triage.intents.NAME]``). Everything is validated when loaded: a bad entry names the source, the
intent and the entry. Compiling builds an index from each phrase's first word to the phrase, so
matching costs time in proportion to the words of a text, not to the size of the lexicon, and a
"gate" for each pattern: a literal that every match must contain, checked before the regex runs.
The gate literals in a text are found in one compiled pass (:class:`LiteralFinder`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import ahocorasick

_second = itemgetter(1)  # an automaton hit is (end index, literal)

DATA = Path(__file__).parent / "data"

INTENTS = ("complaint", "question", "praise", "purchase_intent", "churn_risk", "bug_report", "feature_request",
           "crisis", "spam", "off_topic")

TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_RUN = re.compile(r"[^\W_]+")
_TOKEN_WITHOUT_UNDERSCORE = re.compile(r"\w+(?:'\w+)*")  # the same matches where no "_" is; a faster class


# Every ASCII character that is not a letter, a digit or an apostrophe made a space (what separates words).
_ASCII_SEPARATORS = bytes(c if chr(c).isalnum() or chr(c) == "'" else 32 for c in range(128)) + bytes(range(128, 256))
_APOSTROPHES = re.compile("''+")


def words_of(text: str) -> list[str]:
    """``TOKEN.findall(text)``, faster: an ASCII text is split in C instead of matched by the regex.

    There a word is a run of letters, digits and apostrophes between separators, without the
    apostrophes at its ends, cut where two or more apostrophes meet: exactly ``TOKEN``'s matches.
    """
    if not text.isascii():
        return (TOKEN if "_" in text else _TOKEN_WITHOUT_UNDERSCORE).findall(text)
    pieces = text.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii").split()
    if "'" not in text:
        return pieces
    words: list[str] = []
    for piece in pieces:
        if "'" in piece:
            words += [w for w in _APOSTROPHES.split(piece.strip("'")) if w]
        else:
            words.append(piece)
    return words


def first_run(phrase: str) -> str:
    """The leading run of letters and digits of a phrase ("" when it starts with anything else)."""
    match = _RUN.match(phrase)
    return match.group() if match else ""


def runs_of(tokens: dict[str, None] | list[str]) -> set[str]:
    """The runs of letters and digits of a text, from its :data:`TOKEN` matches (apostrophes split them).

    A whole-word match of a phrase that starts with a letter or digit always has the phrase's
    :func:`first_run` among these, which makes them an exact pre-filter for such phrases.
    """
    runs = set(tokens)
    for token in tokens:
        if "'" in token:
            runs.update(token.split("'"))
    return runs


class LiteralFinder:
    """Which of a fixed set of literals occur in a text (exactly ``{w for w in literals if w in text}``).

    The literals form one Aho-Corasick automaton (compiled, from ``pyahocorasick``): a single pass over
    the text reports every occurrence of every literal, whatever their number, in C rather than in
    one Python step per literal or per word.
    """

    def __init__(self, literals: Iterable[str]) -> None:
        self.literals = tuple(sorted(set(filter(None, literals))))
        self._automaton: Any = None
        if self.literals:
            automaton = ahocorasick.Automaton()
            for literal in self.literals:
                automaton.add_word(literal, literal)
            automaton.make_automaton()
            self._automaton = automaton

    def present(self, text: str) -> set[str]:
        """The literals that occur in ``text``."""
        if self._automaton is None:
            return set()
        return set(map(_second, self._automaton.iter(text)))

    def any_in(self, text: str) -> bool:
        """Whether any of the literals occurs in ``text`` (the pass stops at the first)."""
        return self._automaton is not None and next(self._automaton.iter(text), None) is not None


class LexiconError(ValueError):
    """A triage data file or a brand extension is invalid."""


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern and its gates: literals of which every match contains one (() when unknown)."""

    regex: re.Pattern[str]
    gates: tuple[str, ...]
    also: tuple[tuple[str, ...], ...] = ()  # further literal sets every match contains one of (see pattern_gates)

    def search(self, text: str) -> re.Match[str] | None:
        """The first match in ``text``; the regex runs only when a gate literal is there."""
        if self.gates and not any(g in text for g in self.gates):
            return None
        return self.regex.search(text)


def describe(match: re.Match[str]) -> str:
    """A matched piece of text for a reason: quoted, at most 60 characters."""
    found = " ".join(match.group().split())
    return f'pattern matched "{found[:57] + "..." if len(found) > 60 else found}"'


@dataclass(frozen=True)
class IntentLexicon:
    """The phrases, patterns and exceptions that signal one intent."""

    intent: str
    phrases: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    unless: tuple[str, ...] = ()
    negatable: bool = False
    negated_becomes: str = ""
    weak: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Lower-case, with typographic apostrophes made plain (the form every lexicon entry is matched in)."""
    lowered = text.lower()
    return lowered if lowered.isascii() else lowered.replace("\u2019", "'").replace("\u2018", "'")


@cache
def phrase_regex(phrase: str) -> re.Pattern[str]:
    r"""The whole-word regex for a plain phrase (cached).

    The phrase comes first and the look-behind after it checks the character before the phrase
    (``(?<![^\W_]phrase)``): the same matches as a leading ``(?<![^\W_])``, but the regex engine can
    then jump from one occurrence of the phrase to the next instead of trying every position (~15x faster).
    """
    literal = re.escape(phrase)
    start = rf"(?<![^\W_]{literal})" if phrase[:1].isalnum() else ""
    end = r"(?![^\W_])" if phrase[-1:].isalnum() else ""
    return re.compile(literal + start + end)


_PLAIN = re.compile(r"[\w' \-/,!#@]+")
_AT_LEAST_ONCE = re.compile(r"\{[1-9]")


def _top_level(source: str) -> tuple[list[str], list[str]] | None:
    """Literal runs and unquantified group bodies at the top level of a regex; None if unsure."""
    runs: list[str] = []
    groups: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(source):
        c = source[i]
        nxt = source[i + 1 : i + 2]
        if c == "\\":
            atom, i = (nxt if nxt and not nxt.isalnum() else None), i + 2
        elif c == "[":
            j = i + 2
            while j < len(source) and source[j] != "]":
                j += 2 if source[j] == "\\" else 1
            atom, i = None, j + 1
        elif c == "(":
            depth, j = 1, i + 1
            while j < len(source) and depth:
                depth += {"(": 1, ")": -1}.get(source[j], 0)
                j += 2 if source[j] == "\\" else 1
            body, i = source[i + 1 : j - 1], j
            if source[i : i + 1] not in ("?", "*", "{") or _AT_LEAST_ONCE.match(source, i):
                groups.append(body)
            atom = None
        elif c == "|":
            return None
        else:
            atom, i = (None if c in ".^$" else c), i + 1
        quantified = source[i : i + 1] in ("?", "*", "+", "{")
        if atom is not None and not quantified:
            current.append(atom)
        else:
            if atom is not None and source[i : i + 1] == "+":
                current.append(atom)
            runs.append("".join(current))
            current = []
            if quantified:
                i = (source.find("}", i) + 1 or len(source)) if source[i] == "{" else i + 1
    runs.append("".join(current))
    return runs, groups


def _gate_candidates(source: str) -> list[tuple[str, ...]]:
    """Every literal set of which each match contains one: a literal run outside groups, a group of
    plain alternatives ("(days|weeks)") that every match passes through (unquantified, ``+`` or
    ``{n,}`` with n >= 1), or what such a group's own body requires; [] if unsure."""
    if source.startswith("(?"):
        return []
    parts = _top_level(source)
    if parts is None:
        return []
    runs, groups = parts
    candidates: list[tuple[str, ...]] = [(r,) for r in runs if r.strip()]
    for body in groups:
        body = body.removeprefix("?:")
        alternatives = body.split("|")
        if body.startswith("?"):
            continue
        if all(a and _PLAIN.fullmatch(a) for a in alternatives):
            candidates.append(tuple(alternatives))
        else:  # a group every match passes through: what its body requires, the pattern requires
            candidates += _gate_candidates(body)
    return candidates


def _selectivity(alternatives: tuple[str, ...]) -> int:
    return min(len(a.strip()) for a in alternatives)


def _finder(regex: re.Pattern[str]) -> Callable[[str], re.Match[str] | None]:
    """``regex.search``, or ``regex.match`` for a regex anchored at the start (the same result, without
    trying every position)."""
    anchored = regex.pattern.startswith("^") and not regex.flags & re.MULTILINE and _top_level(regex.pattern)
    return regex.match if anchored else regex.search


def pattern_gates(source: str) -> tuple[str, ...]:
    """Literals of which every match of the regex ``source`` contains at least one; () if unsure.

    Candidates are a literal run outside groups, or an unquantified group of plain alternatives
    ("(days|weeks)"); the most selective one (longest shortest literal) is kept.
    """
    candidates = _gate_candidates(source)
    if not candidates:
        return ()
    best = max(candidates, key=_selectivity)
    return best if _selectivity(best) >= 1 else ()


def pattern_also(source: str) -> tuple[tuple[str, ...], ...]:
    """The other literal sets of ``source`` (besides :func:`pattern_gates`) worth checking: a match needs
    one literal of each, so a regex whose rarer parts are missing from a text is not run at all."""
    gates = pattern_gates(source)
    return tuple(c for c in _gate_candidates(source) if c != gates and _selectivity(c) >= 3) if gates else ()


def _strings(entry: Mapping[str, object], key: str, where: str) -> list[str]:
    value = entry.get(key, [])
    if not (isinstance(value, list) and all(isinstance(p, str) and p.strip() for p in value)):
        raise LexiconError(f"{where}: {key} must be a list of non-empty strings")
    return [str(p) for p in value]


def compile_pattern(source: str, where: str) -> Pattern:
    """Compile one pattern; a bad regex raises :class:`LexiconError` naming it."""
    try:
        regex = re.compile(source)
    except re.error as exc:
        raise LexiconError(f"{where}: pattern {source!r} is not a valid regular expression: {exc}") from None
    return Pattern(regex, pattern_gates(source), pattern_also(source))


def build_lexicons(data: Mapping[str, object], source: str) -> dict[str, IntentLexicon]:
    """Validate and compile a mapping of intent -> {phrases, patterns, unless, negatable, negated_becomes}."""
    result: dict[str, IntentLexicon] = {}
    for intent, entry in data.items():
        where = f"{source}: [{intent}]"
        if intent not in INTENTS:
            raise LexiconError(f"{source}: unknown intent {intent!r}; use one of {', '.join(INTENTS)}")
        if not isinstance(entry, dict):
            raise LexiconError(f"{where} must be a table with phrases and patterns")
        unknown = set(entry) - {"phrases", "patterns", "unless", "weak", "negatable", "negated_becomes"}
        if unknown:
            raise LexiconError(f"{where}: unknown key {sorted(unknown)[0]!r}; use phrases, patterns or unless")
        becomes = entry.get("negated_becomes", "")
        if becomes and becomes not in INTENTS:
            raise LexiconError(f"{where}: negated_becomes {becomes!r} is not an intent")
        patterns = tuple(compile_pattern(p, where) for p in _strings(entry, "patterns", where))
        result[intent] = IntentLexicon(
            intent, tuple(normalise(p.strip()) for p in _strings(entry, "phrases", where)), patterns,
            tuple(normalise(p) for p in _strings(entry, "unless", where)), bool(entry.get("negatable", False)),
            str(becomes), tuple(normalise(p.strip()) for p in _strings(entry, "weak", where)))
    return result


def merge(base: Mapping[str, IntentLexicon], extra: Mapping[str, IntentLexicon]) -> dict[str, IntentLexicon]:
    """Add a brand's entries to the built-in lexicons."""
    merged = dict(base)
    for intent, lex in extra.items():
        old = merged.get(intent, IntentLexicon(intent, (), ()))
        merged[intent] = IntentLexicon(intent, old.phrases + lex.phrases, old.patterns + lex.patterns,
                                       old.unless + lex.unless, old.negatable, old.negated_becomes,
                                       old.weak + lex.weak)
    return merged


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
        self.patterns = tuple((name, _finder(p.regex)) for name, lex in self.lexicons.items() for p in lex.patterns)
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
        self.finder = LiteralFinder([*(g for gates in gated for g in gates),
                                     *(g for also in self.pattern_also for alts in also for g in alts), *cue_gates,
                                     *phrases, *(w for weak in (*self.weak_phrases.values(), *self.weak_words.values())
                                                 for w in weak)])

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


@dataclass(frozen=True)
class Cues:
    """Negators, sarcasm cues, rhetorical-question cues and courtesy words (cues.toml)."""

    negators: frozenset[str]
    sarcasm: IntentLexicon
    rhetorical: IntentLexicon
    courtesy: frozenset[str]


@cache
def builtin_cues() -> Cues:
    """The cues shipped with RonR."""
    path = DATA / "cues.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    neg = frozenset(normalise(w) for w in _strings(data["negation"], "words", f"{path}: [negation]"))
    sarcasm = build_lexicons({"complaint": data["sarcasm"]}, f"{path} sarcasm")["complaint"]
    rhetorical = build_lexicons({"complaint": data["rhetorical"]}, f"{path} rhetorical")["complaint"]
    courtesy = frozenset(normalise(w) for w in _strings(data["courtesy"], "phrases", f"{path}: [courtesy]"))
    return Cues(neg, sarcasm, rhetorical, courtesy)


@cache
def builtin_intents() -> dict[str, IntentLexicon]:
    """The intent lexicons shipped with RonR."""
    path = DATA / "intents.toml"
    return build_lexicons(tomllib.loads(path.read_text(encoding="utf-8")), str(path))


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


@cache
def language_words() -> dict[str, frozenset[str]]:
    """Function words per language code."""
    data = tomllib.loads((DATA / "languages.toml").read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data.items() if isinstance(words, list)}
