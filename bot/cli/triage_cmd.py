"""`ronr triage [FILE|-]`: triage JSON lines with the brand in bot.toml; a stable interface for evaluation.

Input, one JSON object per line: ``id`` (string or number) and ``text`` are required; ``platform``,
``author``, ``author_followers``, ``created_at`` (ISO 8601), ``addresses_us`` and ``lang`` are optional.
Output, one JSON object per input line, in input order: ``id``, ``sentiment`` {``compound``, ``label``},
``intents``, ``relevance``, ``language``, ``spam``, ``priority``, ``score`` and ``reasons``. A bad line
gets one message on stderr naming its number and is skipped; the exit code is then 1.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

import click

from bot.cli.context import ConfigProblem, now, state
from bot.config import ConfigError
from bot.models import Author, Mention, Triage
from bot.pipeline_batch import copies_within
from bot.triage import triage
from bot.triage.context import context_from_settings
from bot.triage.lexicon import normalise


class BadLine(ValueError):
    """One input line that cannot be triaged; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class Row:
    """One parsed input line."""

    id: str | int
    mention: Mention


def _time(value: object, default: datetime) -> datetime:
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadLine('"created_at" must be an ISO 8601 string such as "2026-11-20T09:30:00Z"')
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadLine(f'"created_at" {value!r} is not an ISO 8601 time such as "2026-11-20T09:30:00Z"') from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_line(line: str, at: datetime) -> Row:
    """One input line as a mention; raises :class:`BadLine`."""
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object") from None
    if not isinstance(data, dict):
        raise BadLine("expected a JSON object with at least \"id\" and \"text\"")
    ident, text = data.get("id"), data.get("text")
    if isinstance(ident, bool) or not isinstance(ident, (str, int)) or ident == "":
        raise BadLine('"id" is missing or not a string or number')
    if not isinstance(text, str):
        raise BadLine('"text" is missing or not a string')
    followers = data.get("author_followers", 0)
    if isinstance(followers, bool) or not isinstance(followers, int) or followers < 0:
        raise BadLine('"author_followers" must be a whole number, 0 or more')
    platform, author = data.get("platform", "unknown"), data.get("author", "")
    lang, addressed = data.get("lang"), data.get("addresses_us", False)
    if not isinstance(platform, str) or not isinstance(author, str):
        raise BadLine('"platform" and "author" must be strings')
    if not (lang is None or isinstance(lang, str)) or not isinstance(addressed, bool):
        raise BadLine('"lang" must be a string and "addresses_us" true or false')
    who = Author(platform, author, author, followers=followers)
    mention = Mention(platform, str(ident), who, text, _time(data.get("created_at"), at), "", lang=lang,
                      addresses_us=addressed)
    return Row(ident, mention)


def as_json(ident: str | int, result: Triage) -> str:
    """The output line for one triaged mention (the documented, stable shape)."""
    return json.dumps({
        "id": ident, "sentiment": {"compound": result.sentiment.compound, "label": result.sentiment.label},
        "intents": list(result.intents), "relevance": result.relevance, "language": result.language,
        "spam": result.spam, "priority": result.priority, "score": result.score, "reasons": list(result.reasons),
    }, ensure_ascii=False)


def copies_in_window(mentions: list[Mention], within: timedelta) -> list[int]:
    """Per mention, how many distinct authors in ``mentions`` posted its text (folded) in ``[created_at - within,
    created_at]``: the pipeline's same-text count (the store's ``recent_texts``) over an input file."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        groups[" ".join(normalise(m.text).split())].append(i)
    out = [0] * len(mentions)
    for members in groups.values():  # a sliding window over each text's copies in time order
        members.sort(key=lambda i: mentions[i].created_at)
        inside: Counter[str] = Counter()
        first = last = 0
        for i in members:
            at = mentions[i].created_at
            while last < len(members) and mentions[members[last]].created_at <= at:
                inside[_who(mentions[members[last]])] += 1
                last += 1
            while mentions[members[first]].created_at < at - within:
                gone = _who(mentions[members[first]])
                inside[gone] -= 1
                if not inside[gone]:
                    del inside[gone]
                first += 1
            out[i] = len(inside)
    return out


def _who(mention: Mention) -> str:
    return mention.author.handle or mention.platform_id


@click.command("triage")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--now", "at", default=None, metavar="TIME",
              help="Triage as if it were this ISO 8601 time (default: the clock); ages count from it.")
def triage_cmd(source: IO[str], at: str | None) -> None:
    """Triage JSON lines from FILE (or stdin) with the brand in bot.toml; write JSON lines to stdout."""
    settings = state().settings()
    try:
        ctx = context_from_settings(settings)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    try:
        moment = _time(at, now()) if at is not None else now()
    except BadLine as exc:
        raise click.BadParameter(str(exc).replace('"created_at"', "--now"), param_hint="--now") from None
    rows: list[Row] = []
    bad = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            rows.append(parse_line(line, moment))
        except BadLine as exc:
            bad += 1
            click.echo(f"line {number}: {exc}", err=True)
    copies = copies_in_window([r.mention for r in rows], copies_within(ctx))
    for row, count in zip(rows, copies, strict=True):
        click.echo(as_json(row.id, triage(row.mention, ctx, moment, duplicate_authors=count)))
    if bad:
        click.echo(f"{bad} line(s) skipped; {len(rows)} triaged", err=True)
        raise SystemExit(1)
