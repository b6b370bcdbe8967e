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
from pathlib import Path
from typing import Any

import ahocorasick

DATA = Path(__file__).parent / "data"

INTENTS = ("complaint", "question", "praise", "purchase_intent", "churn_risk", "bug_report", "feature_request",
           "crisis", "spam", "off_topic")

TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_RUN = re.compile(r"[^\W_]+")
_TOKEN_WITHOUT_UNDERSCORE = re.compile(r"\w+(?:'\w+)*")  # the same matches where no "_" is; a faster class


def words_of(text: str) -> list[str]:
    """``TOKEN.findall(text)``, faster for the usual text without an underscore."""
    return (TOKEN if "_" in text else _TOKEN_WITHOUT_UNDERSCORE).findall(text)


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
        return {literal for _, literal in self._automaton.iter(text)}


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
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


@cache
def phrase_regex(phrase: str) -> re.Pattern[str]:
    """The whole-word regex for a plain phrase (cached)."""
    start = r"(?<![^\W_])" if phrase[:1].isalnum() else ""
    end = r"(?![^\W_])" if phrase[-1:].isalnum() else ""
    return re.compile(start + re.escape(phrase) + end)


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
    """A cue lexicon (sarcasm, rhetorical questions) indexed by each phrase's first run of letters and digits.

    Only phrases whose first run occurs in a text (or that start with something else) need checking,
    in their order in the file, so the first cue found is the same as when checking all of them.
    """

    def __init__(self, lex: IntentLexicon) -> None:
        self.lex = lex
        self.by_run: dict[str, list[int]] = {}
        self.others: tuple[int, ...] = tuple(i for i, p in enumerate(lex.phrases) if not first_run(p))
        self.others_ascii = tuple(i for i in self.others if lex.phrases[i].isascii())
        self.patterns = tuple((p.regex, frozenset(p.gates), tuple(frozenset(a) for a in p.also)) for p in lex.patterns)
        for i, phrase in enumerate(lex.phrases):
            if first_run(phrase):
                self.by_run.setdefault(first_run(phrase), []).append(i)

    def candidates(self, runs: Collection[str], ascii_text: bool) -> list[int]:
        """Indices of the phrases that may occur whole in a text with these runs, in file order."""
        found = [i for run in self.by_run.keys() & runs for i in self.by_run[run]]
        found += self.others_ascii if ascii_text else self.others
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

        def candidate(e: IndexEntry) -> Candidate:
            return e.intent, e.phrase, e.single, negatable[e.intent], phrase_regex(e.phrase)

        self.index: dict[str, tuple[Candidate, ...]] = {
            word: tuple(map(candidate, entries)) for word, entries in self.by_word.items()}
        self.loose_candidates = tuple(map(candidate, self.loose))
        self.loose_ascii = tuple(c for c in self.loose_candidates if c[1].isascii())
        self.unless_words = frozenset(k for k in self.unless_by_word if k)
        self.unless_loose = tuple(self.unless_by_word.get("", ()))
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
        self.weak_run_set = {name: frozenset(r for _, r in runs) for name, runs in self.weak_runs.items()}
        self.sarcasm = CueIndex(self.cues.sarcasm)
        self.rhetorical = CueIndex(self.cues.rhetorical)
        self.negator_phrases = tuple(sorted(n for n in self.cues.negators if " " in n))
        cue_gates = [g for lex in (self.cues.sarcasm, self.cues.rhetorical) for p in lex.patterns
                     for alts in (p.gates, *p.also) for g in alts]
        self.finder = LiteralFinder([*(g for gates in gated for g in gates),
                                     *(g for also in self.pattern_also for alts in also for g in alts), *cue_gates])


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
