"""Regular expressions in rule files that would let a hostile post stall the pipeline.

Python's ``re`` has no time limit; a pattern whose unbounded repeat holds nothing but another one
backtracks through every way of splitting the text between them. :func:`nested_repeat` finds that
shape in the parsed pattern so ``ronr policies check`` (and rule loading) can refuse it.
"""

from __future__ import annotations

import importlib
from typing import Any

# The regular-expression parser of the standard library (re._parser in 3.11+; untyped, private).
_PARSER: Any = importlib.import_module("re._parser")
_REPEATS = (_PARSER.MAX_REPEAT, _PARSER.MIN_REPEAT)


def _is_repeat(op: Any, av: Any) -> bool:
    return op in _REPEATS and av[1] == _PARSER.MAXREPEAT


def _only_a_repeat(items: Any) -> bool:
    """True when ``items`` always match as one unbounded repeat (anything else in them being optional)."""
    must = [(op, av) for op, av in items if not (op in _REPEATS and av[0] == 0)]
    if any(_is_repeat(op, av) for op, av in items) and all(_is_repeat(op, av) for op, av in must) and len(must) <= 1:
        return True
    if len(must) != 1:
        return False
    op, av = must[0]
    if op is _PARSER.SUBPATTERN:
        return _only_a_repeat(av[3])
    return op is _PARSER.BRANCH and any(_only_a_repeat(branch) for branch in av[1])


def nested_repeat(pattern: str) -> bool:
    """True when an unbounded repeat holds nothing but another (``(a+)+``, ``(\\w+\\s?)*``).

    Python's ``re`` then backtracks through every way of splitting the text between the two, which
    on a hostile post of a few dozen characters takes minutes; mention text is untrusted, so such a
    pattern is refused at check time. ``(x\\d+y)+``, possessive ``a++`` and atomic groups are fine.
    """
    def walk(items: Any) -> bool:
        for op, av in items:
            if op in _REPEATS and ((_is_repeat(op, av) and _only_a_repeat(av[2])) or walk(av[2])):
                return True
            if op is _PARSER.SUBPATTERN and walk(av[3]):
                return True
            if op is _PARSER.BRANCH and any(walk(branch) for branch in av[1]):
                return True
            if op in (_PARSER.ASSERT, _PARSER.ASSERT_NOT) and walk(av[1]):
                return True
        return False
    return walk(_PARSER.parse(pattern))
