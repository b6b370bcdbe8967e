"""Rule files: one TOML file per rule in ``policies/``, validated with every error reported.

See docs/policies.md for the format. :func:`load_rules` returns the usable rules and a list of
problems (``path:line: message. Fix: ...``); a broken file is left out, the others still load.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config.loader import find_line
from bot.policy.render import VARIABLES, unknown_variables
from bot.triage.lexicon import INTENTS

STATUSES = ("active", "draft", "disabled")
TOP_KEYS = {"id", "title", "status", "level", "match", "reply", "follow_up", "escalate", "ignore", "examples"}
MATCH_KEYS = {"intents_any", "intents_all", "intents_none", "min_relevance", "sentiment_min", "sentiment_max",
              "platforms", "languages", "addresses_us", "min_followers"}
SECTION_KEYS = {"reply": {"variants"}, "follow_up": {"text", "after_hours"}, "escalate": {"to", "note"},
                "examples": {"match", "no_match"}}


@dataclass(frozen=True)
class Match:
    """Conditions over the triage and the mention; all given conditions must hold."""

    intents_any: tuple[str, ...] = ()
    intents_all: tuple[str, ...] = ()
    intents_none: tuple[str, ...] = ()
    min_relevance: float = 0.0
    sentiment_min: float = -1.0
    sentiment_max: float = 1.0
    platforms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    addresses_us: bool | None = None
    min_followers: int = 0


@dataclass(frozen=True)
class Rule:
    """One policy rule: when it matches, it proposes a reply, an escalation, or to ignore."""

    id: str
    title: str
    path: str
    status: str = "active"
    level: int = 50
    match: Match = field(default_factory=Match)
    variants: tuple[str, ...] = ()
    follow_up: str = ""
    follow_up_after_hours: float = 24.0
    escalate_to: str = ""
    escalate_note: str = ""
    ignore: bool = False
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()

    @property
    def action(self) -> str:
        """"ignore", "escalate" (no canned reply) or "reply"."""
        if self.ignore:
            return "ignore"
        return "reply" if self.variants else "escalate"


class _Checker:
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.errors = path, text, []  # type: tuple[Path, str, list[str]]

    def error(self, key: tuple[str, ...], message: str, fix: str) -> None:
        self.errors.append(f"{self.path}:{find_line(self.text, key)}: {'.'.join(key)}: {message}. Fix: {fix}")

    def strings(self, key: tuple[str, ...], value: object) -> tuple[str, ...]:
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            self.error(key, f"expected a list of strings, got {value!r}", 'write ["a", "b"]')
            return ()
        return tuple(value)

    def intents(self, key: tuple[str, ...], value: object) -> tuple[str, ...]:
        items = self.strings(key, value)
        for item in items:
            if item not in INTENTS:
                self.error(key, f"unknown intent {item!r}", f"use one of {', '.join(INTENTS)}")
        return items

    def number(self, key: tuple[str, ...], value: object, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            self.error(key, f"expected a number from {low:g} to {high:g}, got {value!r}", "write a number in range")
            return low
        return float(value)

    def templates(self, key: tuple[str, ...], texts: tuple[str, ...]) -> None:
        for text in texts:
            for var in unknown_variables(text):
                self.error(key, f"unknown template variable {{{var}}}", f"use one of {', '.join(VARIABLES)}")


def parse_rule(path: Path) -> tuple[Rule | None, list[str]]:
    """Parse and validate one rule file; return the rule (None if unusable) and every error found."""
    try:
        text = path.read_text(encoding="utf-8")
        data: dict[str, Any] = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}:1: cannot read rule file ({exc}). Fix: make it a readable UTF-8 file"]
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{path}: invalid TOML: {exc}. Fix: correct the syntax"]
    c = _Checker(path, text)
    for key in sorted(set(data) - TOP_KEYS):
        c.error((key,), "unknown field", f"remove it or use one of {', '.join(sorted(TOP_KEYS))}")
    for name, allowed in {**SECTION_KEYS, "match": MATCH_KEYS}.items():
        section = data.get(name, {})
        if not isinstance(section, dict):
            c.error((name,), "expected a table", f"write [{name}]")
            data[name] = {}
            continue
        for key in sorted(set(section) - allowed):
            c.error((name, key), "unknown field", f"use one of {', '.join(sorted(allowed))}")
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data.get(key):
            c.error((key,), "missing or not a string", f'add {key} = "..."')
    status = data.get("status", "active")
    if status not in STATUSES:
        c.error(("status",), f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}")
    level = data.get("level", 50)
    if isinstance(level, bool) or not isinstance(level, int):
        c.error(("level",), f"expected a whole number, got {level!r}", "write level = 50 (higher wins)")
        level = 50
    m = data.get("match", {})
    match = Match(
        intents_any=c.intents(("match", "intents_any"), m.get("intents_any", [])),
        intents_all=c.intents(("match", "intents_all"), m.get("intents_all", [])),
        intents_none=c.intents(("match", "intents_none"), m.get("intents_none", [])),
        min_relevance=c.number(("match", "min_relevance"), m.get("min_relevance", 0.0), 0, 1),
        sentiment_min=c.number(("match", "sentiment_min"), m.get("sentiment_min", -1.0), -1, 1),
        sentiment_max=c.number(("match", "sentiment_max"), m.get("sentiment_max", 1.0), -1, 1),
        platforms=c.strings(("match", "platforms"), m.get("platforms", [])),
        languages=c.strings(("match", "languages"), m.get("languages", [])),
        addresses_us=m.get("addresses_us") if isinstance(m.get("addresses_us"), bool) else None,
        min_followers=int(c.number(("match", "min_followers"), m.get("min_followers", 0), 0, 1e12)),
    )
    if match.sentiment_min > match.sentiment_max:
        c.error(("match", "sentiment_min"), "sentiment_min is above sentiment_max, so the rule can never fire",
                "swap the two values")
    variants = c.strings(("reply", "variants"), data.get("reply", {}).get("variants", []))
    c.templates(("reply", "variants"), variants)
    follow = data.get("follow_up", {})
    follow_text = follow.get("text", "")
    if not isinstance(follow_text, str):
        c.error(("follow_up", "text"), "expected a string", 'write text = "..."')
        follow_text = ""
    c.templates(("follow_up", "text"), (follow_text,))
    esc = data.get("escalate", {})
    ignore = data.get("ignore", False)
    if not isinstance(ignore, bool):
        c.error(("ignore",), f"expected true or false, got {ignore!r}", "write ignore = true")
        ignore = False
    if not ignore and not variants and not esc.get("to"):
        c.error(("reply",), "the rule neither replies, escalates nor ignores",
                'add [reply] variants = ["..."], [escalate] to = "role", or ignore = true')
    ex = data.get("examples", {})
    if c.errors:
        return None, c.errors
    rule = Rule(
        id=data["id"], title=data["title"], path=str(path), status=status, level=level, match=match,
        variants=variants, follow_up=follow_text,
        follow_up_after_hours=c.number(("follow_up", "after_hours"), follow.get("after_hours", 24), 0, 24 * 90),
        escalate_to=str(esc.get("to", "")), escalate_note=str(esc.get("note", "")), ignore=ignore,
        examples_match=c.strings(("examples", "match"), ex.get("match", [])),
        examples_no_match=c.strings(("examples", "no_match"), ex.get("no_match", [])),
    )
    return rule, c.errors


def load_rules(folder: Path) -> tuple[list[Rule], list[str]]:
    """Load every ``*.toml`` rule in ``folder``; broken or duplicate rules are left out and reported."""
    if not folder.is_dir():
        return [], [f"{folder}: policies folder not found. Fix: create it or set policies.path in bot.toml"]
    rules: list[Rule] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        rule, problems = parse_rule(path)
        errors += problems
        if rule is None:
            continue
        if rule.id in seen:
            errors.append(f"{path}:{find_line(path.read_text(encoding='utf-8'), ('id',))}: id: duplicate id "
                          f"{rule.id!r} (also in {seen[rule.id]}). Fix: give each rule its own id")
            continue
        seen[rule.id] = str(path)
        rules.append(rule)
    return rules, errors
