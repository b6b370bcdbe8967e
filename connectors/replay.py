"""The replay connector: plays a recorded data set as if it were a platform.

The data set (``mentions.jsonl``, ``answers.jsonl``; see data/sample/README.md) gives times as
minutes relative to an anchor. The first poll fixes the anchor at ``now`` and stores it in the
cursor, so later polls deliver what has "happened" since. Posting appends one JSON line to a sink
file and never touches the network; like a real platform, posting twice creates two posts. An
author's recorded answer appears in the thread ``after_minutes`` after our reply to them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config.loader import PLATFORMS
from bot.models import Author, Batch, Cursor, Mention, Posted
from connectors.base import ConnectorError


@dataclass(frozen=True)
class _Recorded:
    minutes: float
    mention: dict[str, Any]


def _mention(record: dict[str, Any], created_at: datetime, kind: str = "mention", raw: str | None = None) -> Mention:
    author = record["author"]
    return Mention(
        platform=record["platform"], platform_id=str(record["platform_id"]),
        author=Author(platform=record["platform"], platform_id=str(author["id"]), handle=author["handle"],
                      name=author.get("name", ""), followers=int(author.get("followers", 0)),
                      verified=bool(author.get("verified", False))),
        text=record["text"], created_at=created_at, account=record["account"],
        thread_id=str(record.get("thread_id") or record["platform_id"]), in_reply_to=record.get("in_reply_to"),
        addresses_us=bool(record.get("addresses_us", False)), lang=record.get("lang"), url=record.get("url", ""),
        raw=json.dumps(record, ensure_ascii=False, sort_keys=True) if raw is None else raw,
        kind="answer" if kind == "answer" else "mention",
    )


def _mention_fields(record: dict[str, Any]) -> None:
    """Raise KeyError/ValueError/TypeError when a recorded mention lacks what :meth:`ReplayConnector.poll` reads."""
    float(record["minutes"])
    if not isinstance(record["author"], dict):
        raise TypeError("author must be an object with id and handle")
    _mention(record, datetime(2000, 1, 1, tzinfo=UTC), raw="")  # the raw copy is made when it is delivered


def _answer_fields(record: dict[str, Any]) -> None:
    """Raise when an answer lacks the mention it answers, its own id or its delay after our reply."""
    if not isinstance(record["to"], str | int) or not isinstance(record["platform_id"], str | int):
        raise TypeError("to and platform_id must be ids (strings)")
    float(record["after_minutes"])


class ReplayConnector:
    """A :class:`connectors.base.Connector` over a folder of JSON-lines recordings."""

    def __init__(self, folder: Path, sink: Path, name: str = "replay") -> None:
        self.name = name
        self.folder = folder
        self.sink = sink
        self._records: list[_Recorded] | None = None
        self._answers: dict[tuple[str, str], dict[str, Any]] = {}
        self._by_id: dict[tuple[str, str], dict[str, Any]] = {}

    def _records_of(self, name: str, check: Callable[[dict[str, Any]], object]) -> list[dict[str, Any]]:
        """Every record of one file, each checked whole now (not half-way through a poll); one bad line is
        a ConnectorError naming the file and line, and nothing of the file is delivered until it is fixed."""
        found = []
        for number, line in enumerate(self._lines(name), start=1):
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("expected a JSON object")
                if data.get("platform") not in PLATFORMS:
                    raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}, got {data.get('platform')!r}")
                if not isinstance(data.get("text"), str):
                    raise ValueError("text must be a string")
                check(data)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                problem = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
                raise ConnectorError(self.name, f"{self.folder / name}:{number}: bad record ({problem}). Fix: correct "
                                     "that line (the format is in data/sample/README.md)") from None
            found.append(data)
        return found

    def _load(self) -> list[_Recorded]:
        if self._records is None:
            records = [_Recorded(float(d["minutes"]), d) for d in self._records_of("mentions.jsonl", _mention_fields)]
            self._by_id = {(r.mention["platform"], str(r.mention["platform_id"])): r.mention for r in records}
            if (self.folder / "answers.jsonl").exists():
                for data in self._records_of("answers.jsonl", _answer_fields):
                    self._answers[(data["platform"], str(data["to"]))] = data
            records.sort(key=lambda r: (r.minutes, r.mention["platform"], str(r.mention["platform_id"])))
            self._records = records
        return self._records

    def _lines(self, name: str) -> list[str]:
        path = self.folder / name
        try:
            return [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        except OSError as exc:
            raise ConnectorError(self.name, f"cannot read {path}: {exc}") from None

    @staticmethod
    def start_cursor(anchor: datetime) -> Cursor:
        """A cursor that places minute 0 of the recording at ``anchor`` (nothing delivered yet)."""
        return Cursor(json.dumps({"anchor": anchor.isoformat(), "delivered": 0}))

    def poll(self, cursor: Cursor | None, now: datetime) -> Batch:
        """Deliver every recorded mention whose time has come and that the cursor has not passed."""
        records = self._load()
        state = json.loads((cursor or self.start_cursor(now)).value)
        anchor = datetime.fromisoformat(state["anchor"])
        start = int(state["delivered"])
        end = start
        while end < len(records) and anchor + timedelta(minutes=records[end].minutes) <= now:
            end += 1
        mentions = tuple(_mention(r.mention, anchor + timedelta(minutes=r.minutes)) for r in records[start:end])
        return Batch(mentions=mentions, cursor=Cursor(json.dumps({"anchor": state["anchor"], "delivered": end})),
                     calls=1)

    def _posts(self) -> list[dict[str, Any]]:
        if not self.sink.exists():
            return []
        return [json.loads(ln) for ln in self.sink.read_text(encoding="utf-8").splitlines() if ln.strip()]

    def post_reply(self, to: Mention, text: str, key: str, now: datetime) -> Posted:
        """Append the reply to the sink file (one line per post, flushed to disk)."""
        reply_id = f"{to.platform}-r-{hashlib.sha256(f'{key}:{len(self._posts())}'.encode()).hexdigest()[:12]}"
        entry = {"reply_id": reply_id, "platform": to.platform, "to": to.platform_id, "key": key, "text": text,
                 "posted_at": now.astimezone(UTC).isoformat()}
        self.sink.parent.mkdir(parents=True, exist_ok=True)
        with self.sink.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            out.flush()
        return Posted(platform_id=reply_id, posted_at=now)

    def find_reply(self, to: Mention, key: str, now: datetime) -> Posted | None:
        """Our earlier reply to ``to`` in the sink, if any."""
        for post in self._posts():
            if post["platform"] == to.platform and post["to"] == to.platform_id:
                return Posted(post["reply_id"], datetime.fromisoformat(post["posted_at"]))
        return None

    def thread_since(self, root: Mention, since: datetime, now: datetime) -> list[Mention]:
        """The author's recorded answer, once it is due after our reply."""
        self._load()
        answer = self._answers.get((root.platform, root.platform_id))
        ours = self.find_reply(root, "", now)
        if answer is None or ours is None:
            return []
        at = ours.posted_at + timedelta(minutes=float(answer["after_minutes"]))
        if not since < at <= now:
            return []
        original = self._by_id.get((root.platform, root.platform_id), {})
        record = {**original, **answer, "in_reply_to": ours.platform_id, "addresses_us": True}
        return [_mention(record, at, kind="answer")]
