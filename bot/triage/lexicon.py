"""Loading and compiling the triage data files (intent phrases and patterns, cues, language words).

The files live in ``bot/triage/data/``; a brand extends the intents through ``bot.toml``
(``[triage.intents.NAME]``). Everything is validated when loaded: a bad entry names the source, the
intent and the entry. Each pattern gets "gates": literals every match must contain, checked before the
regex runs (read from its source by :mod:`bot.triage.gates`). Words, whole-word phrase regexes and the
literal finder (one compiled Aho-Corasick pass) live here too; :mod:`bot.triage.matcher` compiles the
lexicons into what matching reads.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from operator import itemgetter
from pathlib import Path
from typing import Any, Final

import ahocorasick

from bot.triage.gates import pattern_also, pattern_gates

_second: Final = itemgetter(1)  # an automaton hit is (end index, literal)

# Found through the package, not __file__: a module compiled by mypyc carries its build-time source path.
DATA = Path(str(files("bot.triage") / "data"))

INTENTS = ("complaint", "question", "praise", "purchase_intent", "churn_risk", "bug_report", "feature_request",
           "crisis", "spam", "off_topic")

TOKEN: Final = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_RUN: Final = re.compile(r"[^\W_]+")
_TOKEN_WITHOUT_UNDERSCORE: Final = re.compile(r"\w+(?:'\w+)*")  # the same matches where no "_" is; a faster class


# Every ASCII character that is not a letter, a digit or an apostrophe made a space (what separates words).
_ASCII_SEPARATORS: Final = (bytes([c if chr(c).isalnum() or chr(c) == "'" else 32 for c in range(128)])
                             + bytes(range(128, 256)))
_APOSTROPHES: Final = re.compile("''+")


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
def cue_lists(table: str, path: Path = DATA / "cues.toml") -> dict[str, tuple[str, ...]]:
    """The lists of a cues.toml table the matcher does not compile, validated (phrases normalised)."""
    entry = tomllib.loads(path.read_text(encoding="utf-8"))[table]
    where = f"{path}: [{table}]"
    lists: dict[str, tuple[str, ...]] = {}
    for key in entry:
        values = _strings(entry, key, where)
        if key == "patterns":
            lists[key] = tuple(compile_pattern(v, where).regex.pattern for v in values)
        else:
            lists[key] = tuple(normalise(v.strip()) for v in values)
    return lists


@cache
def builtin_intents() -> dict[str, IntentLexicon]:
    """The intent lexicons shipped with RonR."""
    path = DATA / "intents.toml"
    return build_lexicons(tomllib.loads(path.read_text(encoding="utf-8")), str(path))


@cache
def language_words() -> dict[str, frozenset[str]]:
    """Function words per language code."""
    data = tomllib.loads((DATA / "languages.toml").read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data.items() if isinstance(words, list)}
