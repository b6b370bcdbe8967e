"""Structured logging for the daemon: every line names its job, connector and item; secrets never appear.

The job, connector and item a line concerns are carried in context variables set by the scheduler
(:func:`log_context`), so library code logs plainly and still gets them. Lines are text
(``2026-03-10T12:00:00Z INFO  job=dispatch connector=x item=outbox:12 posted reply ...``) or JSON
lines. A redacting formatter replaces the value of every secret named in the settings (and any
``RONR_*`` secret-looking environment variable) with ``***`` in the final line, tracebacks included.
"""

from __future__ import annotations

import contextvars
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config.settings import secret

_CONTEXT: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("ronr_log_context")
FIELDS = ("job", "connector", "item")
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY")
MIN_SECRET_LENGTH = 4


@contextmanager
def log_context(**values: object) -> Iterator[None]:
    """Within the block, every log line carries these fields (``job``, ``connector``, ``item``)."""
    merged = {**_CONTEXT.get({}), **{k: str(v) for k, v in values.items() if v is not None and v != ""}}
    token = _CONTEXT.set(merged)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def current_context() -> dict[str, str]:
    """The fields :func:`log_context` has set for the current thread of work."""
    return dict(_CONTEXT.get({}))


def secret_values(settings: object) -> list[str]:
    """The values of every environment variable the settings name in an ``*_env`` field, plus ``RONR_*`` secrets."""
    names: set[str] = set()

    def walk(node: object) -> None:
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            for f in dataclasses.fields(node):
                value = getattr(node, f.name)
                if f.name.endswith("_env") and isinstance(value, str) and value:
                    names.add(value)
                else:
                    walk(value)

    walk(settings)
    names.update(n for n in os.environ if n.startswith("RONR_") and any(w in n for w in _SECRET_WORDS))
    values = {v for n in names if (v := secret(n)) is not None and len(v) >= MIN_SECRET_LENGTH}
    return sorted(values, key=len, reverse=True)  # longest first, so a secret containing another is fully hidden


class _Fields(logging.Filter):
    """Copy the context fields onto each record (explicit ``extra=`` values win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _CONTEXT.get({}).items():
            if not getattr(record, name, None):
                setattr(record, name, value)
        return True


def _field_values(record: logging.LogRecord) -> dict[str, str]:
    return {name: str(value) for name in FIELDS if (value := getattr(record, name, None)) not in (None, "")}


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """``TIME LEVEL job=.. connector=.. item=.. message`` (fields only when known)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in _field_values(record).items())
        line = f"{_time(record)} {record.levelname:<7} {fields + ' ' if fields else ''}{record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, job/connector/item, error."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {"time": _time(record), "level": record.levelname, "logger": record.name,
                                "message": record.getMessage(), **_field_values(record)}
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    """Wrap a formatter and replace every secret value in its output with ``***``."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = [s for s in secrets if len(s) >= MIN_SECRET_LENGTH]

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for value in self.secrets:
            line = line.replace(value, "***")
        return line


def setup_logging(fmt: str = "text", level: str = "INFO", secrets: Iterable[str] = (),
                  stream: TextIO | None = None) -> logging.Handler:
    """Send every log line to ``stream`` (stderr) as text or JSON lines, secrets redacted; return the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(JsonFormatter() if fmt == "json" else TextFormatter(), secrets))
    handler.addFilter(_Fields())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_ronr", False)]:
        root.removeHandler(old)
    handler._ronr = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Client libraries log request details (headers included) at DEBUG; keep them quiet unless asked.
    for noisy in ("urllib3", "prawcore", "tweepy", "apscheduler", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return handler
