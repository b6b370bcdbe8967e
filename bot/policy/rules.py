"""Rule files: one TOML file per rule in ``policies/``, validated with every error reported.

See docs/policies.md for the format. :func:`load_rules` returns the usable rules and a list of
problems (``path:line: message. Fix: ...``); a broken file is left out, the others still load.
Checks that need several rules at once (a rule another always beats) live in ``bot.policy.check``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config.loader import find_line
from bot.policy.patterns import nested_repeat
from bot.policy.render import VARIABLES, unknown_variables
from bot.triage.lexicon import INTENTS

STATUSES = ("active", "draft", "disabled")
TRIGGERS = ("answer", "silence")
TOP_KEYS = {"id", "title", "status", "level", "match", "reply", "follow_up", "escalate", "ignore", "examples"}
MATCH_KEYS = {"intents_any", "intents_all", "intents_none", "min_relevance", "sentiment_min", "sentiment_max",
              "platforms", "languages", "addresses_us", "min_followers", "max_followers", "verified", "keywords",
              "patterns", "first_contact", "open_loop", "min_hours_since_contact", "max_hours_since_contact"}
SECTION_KEYS = {"reply": {"variants", "allow_keyword_posts"}, "follow_up": {"text", "after_hours", "when"},
                "escalate": {"to", "note"}, "examples": {"match", "no_match"}}
EXAMPLE_KEYS = {"text", "platform", "followers", "verified", "addresses_us", "replies_before", "open_loop",
                "hours_since_contact"}


@dataclass(frozen=True)
class Match:
    """Conditions over the triage, the mention and the author's history; all given ones must hold."""

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
    max_followers: int | None = None
    verified: bool | None = None
    keywords: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    first_contact: bool | None = None
    open_loop: bool | None = None
    min_hours_since_contact: float | None = None
    max_hours_since_contact: float | None = None


@dataclass(frozen=True)
class Example:
    """A text a rule must (or must not) match, with the context it is tried in."""

    text: str
    line: int = 1
    platform: str = "x"
    followers: int = 250
    verified: bool = False
    addresses_us: bool | None = None  # None: true when the text names one of our handles
    replies_before: int = 0
    open_loop: bool = False
    hours_since_contact: float | None = None


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
    allow_keyword_posts: bool = False
    follow_up: str = ""
    follow_up_after_hours: float = 24.0
    follow_up_when: tuple[str, ...] = TRIGGERS
    escalate_to: str = ""
    escalate_note: str = ""
    ignore: bool = False
    examples_match: tuple[Example, ...] = ()
    examples_no_match: tuple[Example, ...] = ()
    line: int = 1  # of the `level` key (or the id), where precedence problems are reported

    @property
    def action(self) -> str:
        """"ignore", "escalate" (no canned reply) or "reply"."""
        if self.ignore:
            return "ignore"
        return "reply" if self.variants else "escalate"


class _Checker:
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.errors = path, text, []  # type: tuple[Path, str, list[str]]

    def line(self, key: tuple[str, ...]) -> int:
        return find_line(self.text, key)

    def error(self, key: tuple[str, ...], message: str, fix: str) -> None:
        self.errors.append(f"{self.path}:{self.line(key)}: {'.'.join(key)}: {message}. Fix: {fix}")

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

    def optional_number(self, key: tuple[str, ...], value: object, low: float, high: float) -> float | None:
        return None if value is None else self.number(key, value, low, high)

    def flag(self, key: tuple[str, ...], value: object) -> bool | None:
        if value is not None and not isinstance(value, bool):
            self.error(key, f"expected true or false, got {value!r}", f"write {key[-1]} = true (or false)")
            return None
        return value

    def patterns(self, key: tuple[str, ...], value: object) -> tuple[re.Pattern[str], ...]:
        compiled = []
        for pattern in self.strings(key, value):
            try:
                compiled.append(re.compile(pattern, re.IGNORECASE))
            except re.error as exc:
                self.error(key, f"pattern {pattern!r} is not a valid regular expression ({exc})",
                           "fix the pattern; in TOML write backslashes twice or use 'single quotes'")
                continue
            if nested_repeat(pattern):
                compiled.pop()
                self.error(key, f"pattern {pattern!r} nests one unbounded repeat inside another, which can take "
                                "minutes on a hostile post", "repeat once: (\\w+\\s?)+ as [\\w\\s]+, (a+)+ as a+")
        return tuple(compiled)

    def templates(self, key: tuple[str, ...], texts: tuple[str, ...]) -> None:
        for text in texts:
            for var in unknown_variables(text):
                self.error(key, f"unknown template variable {{{var}}}", f"use one of {', '.join(VARIABLES)}")

    def examples(self, key: tuple[str, ...], value: object) -> tuple[Example, ...]:
        if not isinstance(value, list):
            self.error(key, f"expected a list, got {value!r}", 'write ["a text", {text = "...", followers = 5000}]')
            return ()
        line, found = self.line(key), []
        for item in value:
            if isinstance(item, str):
                found.append(Example(item, line))
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                extra = sorted(set(item) - EXAMPLE_KEYS)
                if extra:
                    self.error(key, f"unknown example field {extra[0]!r}", f"use {', '.join(sorted(EXAMPLE_KEYS))}")
                    continue
                try:
                    found.append(Example(line=line, **item))
                except TypeError as exc:
                    self.error(key, f"bad example {item!r} ({exc})", "see docs/policies.md#examples")
            else:
                self.error(key, f"an example must be a string or a table with text, got {item!r}",
                           'write "a text" or {text = "a text", platform = "reddit"}')
        return tuple(found)


def _sections(c: _Checker, data: dict[str, Any]) -> None:
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


def _match(c: _Checker, m: dict[str, Any]) -> Match:
    def key(name: str) -> tuple[str, str]:
        return ("match", name)

    match = Match(
        intents_any=c.intents(key("intents_any"), m.get("intents_any", [])),
        intents_all=c.intents(key("intents_all"), m.get("intents_all", [])),
        intents_none=c.intents(key("intents_none"), m.get("intents_none", [])),
        min_relevance=c.number(key("min_relevance"), m.get("min_relevance", 0.0), 0, 1),
        sentiment_min=c.number(key("sentiment_min"), m.get("sentiment_min", -1.0), -1, 1),
        sentiment_max=c.number(key("sentiment_max"), m.get("sentiment_max", 1.0), -1, 1),
        platforms=c.strings(key("platforms"), m.get("platforms", [])),
        languages=c.strings(key("languages"), m.get("languages", [])),
        addresses_us=c.flag(key("addresses_us"), m.get("addresses_us")),
        min_followers=int(c.number(key("min_followers"), m.get("min_followers", 0), 0, 1e12)),
        max_followers=None if m.get("max_followers") is None else
        int(c.number(key("max_followers"), m["max_followers"], 0, 1e12)),
        verified=c.flag(key("verified"), m.get("verified")),
        keywords=tuple(k.lower() for k in c.strings(key("keywords"), m.get("keywords", []))),
        patterns=c.patterns(key("patterns"), m.get("patterns", [])),
        first_contact=c.flag(key("first_contact"), m.get("first_contact")),
        open_loop=c.flag(key("open_loop"), m.get("open_loop")),
        min_hours_since_contact=c.optional_number(key("min_hours_since_contact"),
                                                  m.get("min_hours_since_contact"), 0, 24 * 3650),
        max_hours_since_contact=c.optional_number(key("max_hours_since_contact"),
                                                  m.get("max_hours_since_contact"), 0, 24 * 3650),
    )
    never = "so the rule can never fire"
    if match.sentiment_min > match.sentiment_max:
        c.error(key("sentiment_min"), f"sentiment_min is above sentiment_max, {never}", "swap the two values")
    if match.max_followers is not None and match.min_followers > match.max_followers:
        c.error(key("min_followers"), f"min_followers is above max_followers, {never}", "swap the two values")
    low, high = match.min_hours_since_contact, match.max_hours_since_contact
    if low is not None and high is not None and low > high:
        c.error(key("min_hours_since_contact"), f"min_hours_since_contact is above max_hours_since_contact, {never}",
                "swap the two values")
    if match.first_contact and (match.open_loop or low is not None or high is not None):
        c.error(key("first_contact"), f"a first contact has no open loop and no last contact, {never}",
                "remove first_contact or the history conditions")
    none = set(match.intents_none)
    if none & set(match.intents_all) or (match.intents_any and set(match.intents_any) <= none):
        c.error(key("intents_none"), f"intents_none excludes an intent the rule requires, {never}",
                "remove the intent from one of the two lists")
    return match


def _text(c: _Checker, key: tuple[str, ...], value: object) -> str:
    if not isinstance(value, str):
        c.error(key, f"expected a string, got {value!r}", f'write {key[-1]} = "..."')
        return ""
    return value


def parse_rule(path: Path) -> tuple[Rule | None, list[str]]:
    """Parse and validate one rule file; return the rule (None if unusable) and every error found."""
    try:
        text = path.read_text(encoding="utf-8")
        data: dict[str, Any] = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}:1: cannot read rule file ({exc}). Fix: make it a readable UTF-8 file"]
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        return None, [f"{path}:{found.group(1) if found else 1}: invalid TOML: {exc}. Fix: correct the syntax"]
    c = _Checker(path, text)
    _sections(c, data)
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
    match = _match(c, data.get("match", {}))
    reply = data.get("reply", {})
    variants = c.strings(("reply", "variants"), reply.get("variants", []))
    c.templates(("reply", "variants"), variants)
    keyword_posts = c.flag(("reply", "allow_keyword_posts"), reply.get("allow_keyword_posts", False))
    follow = data.get("follow_up", {})
    follow_text = _text(c, ("follow_up", "text"), follow.get("text", ""))
    c.templates(("follow_up", "text"), (follow_text,))
    after = c.number(("follow_up", "after_hours"), follow.get("after_hours", 24), 0.5, 24 * 90)
    when = c.strings(("follow_up", "when"), follow.get("when", list(TRIGGERS)))
    for trigger in when:
        if trigger not in TRIGGERS:
            c.error(("follow_up", "when"), f"unknown trigger {trigger!r}", 'use ["answer", "silence"] or one of them')
    if follow and not follow_text:
        c.error(("follow_up",), "a [follow_up] without text", 'add text = "a question to ask later"')
    if follow_text and not variants:
        c.error(("follow_up", "text"), "a follow-up needs a reply to follow", "add [reply] variants or remove it")
    esc = data.get("escalate", {})
    escalate_to = _text(c, ("escalate", "to"), esc.get("to", ""))
    escalate_note = _text(c, ("escalate", "note"), esc.get("note", ""))
    if esc and not escalate_to:
        c.error(("escalate", "to"), "an [escalate] without a role", 'add to = "support-lead"')
    ignore = c.flag(("ignore",), data.get("ignore", False))
    if ignore and (variants or escalate_to):
        c.error(("ignore",), "an ignore rule cannot also reply or escalate", "remove ignore or the [reply]/[escalate]")
    if not ignore and not variants and not escalate_to:
        c.error(("reply",), "the rule neither replies, escalates nor ignores",
                'add [reply] variants = ["..."], [escalate] to = "role", or ignore = true')
    ex = data.get("examples", {})
    examples_match = c.examples(("examples", "match"), ex.get("match", []))
    examples_no_match = c.examples(("examples", "no_match"), ex.get("no_match", []))
    if c.errors:
        return None, c.errors
    return Rule(
        id=data["id"], title=data["title"], path=str(path), status=status, level=level, match=match,
        variants=variants, allow_keyword_posts=bool(keyword_posts), follow_up=follow_text,
        follow_up_after_hours=after, follow_up_when=when, escalate_to=escalate_to, escalate_note=escalate_note,
        ignore=bool(ignore), examples_match=examples_match, examples_no_match=examples_no_match,
        line=c.line(("level",) if "level" in data else ("id",)),
    ), []


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
