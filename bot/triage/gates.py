"""Gate literals of intent patterns: literals every match of a regex must contain, found by reading its source.

A pattern runs only when one of its gates occurs in a text (the literal pass of
:class:`bot.triage.lexicon.LiteralFinder` tells), so most texts never reach its regex. The reading is
conservative: when the source holds anything it cannot be sure of (a top-level alternation, a
look-around group), the pattern gets no gate and always runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


def pattern_finder(regex: re.Pattern[str]) -> Callable[[str], re.Match[str] | None]:
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
