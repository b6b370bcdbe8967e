"""Turn a TOML file into :class:`~bot.config.settings.Settings`, with errors people can act on.

Validation is driven by the dataclasses' type hints, so adding a setting means adding a field.
Every error names the file and line, the dotted key, what was expected and a fix, in one line.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
import zoneinfo
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from bot.config.settings import Settings

T = TypeVar("T")


class ConfigError(Exception):
    """A configuration problem; the message is one line with file, line, key, expectation, fix."""

    exit_code = 2


_HEADER = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")
_KEY = re.compile(r"""^\s*["']?([A-Za-z0-9_\-]+)["']?\s*=""")


def find_line(text: str, key_path: tuple[str, ...]) -> int:
    """Best-effort 1-based line of ``key_path`` in TOML ``text`` (its table header if the key is absent)."""
    table: tuple[str, ...] = ()
    header_line = 0
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
            if table == key_path[:-1] or table == key_path:
                header_line = number
            continue
        key = _KEY.match(line)
        if key and table == key_path[:-1] and key.group(1) == key_path[-1]:
            return number
    return header_line or 1


def _describe(value: object) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "a list", dict: "a table"}
    return f"{value!r} ({kinds.get(type(value), type(value).__name__)})"


def _expected(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin is list:
        return f"a list of {_expected(get_args(tp)[0]).removeprefix('a ').removeprefix('an ')}s"
    if origin is dict:
        return "a table"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return {bool: "a boolean (true or false)", int: "an integer", float: "a number",
            str: "a string in quotes"}.get(tp, str(tp))


class _Builder:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text

    def fail(self, path: tuple[str, ...], problem: str, fix: str) -> ConfigError:
        line = find_line(self.text, path)
        key = ".".join(path) or "(top level)"
        return ConfigError(f"{self.source}:{line}: {key}: {problem}. Fix: {fix}")

    def build(self, cls: type[T], data: object, path: tuple[str, ...]) -> T:
        if not isinstance(data, dict):
            raise self.fail(path, f"expected a table, got {_describe(data)}", f"make [{'.'.join(path)}] a table")
        hints = get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name != "source"}  # type: ignore[arg-type]
        for key in data:
            if key not in fields:
                known = ", ".join(sorted(fields))
                raise self.fail(path + (key,), "unknown key", f"remove it or use one of: {known}")
        values: dict[str, Any] = {}
        for name, fld in fields.items():
            if name in data:
                values[name] = self.convert(hints[name], data[name], path + (name,))
            elif fld.default is dataclasses.MISSING and fld.default_factory is dataclasses.MISSING:
                where = f"[{'.'.join(path)}]" if path else "the top of the file"
                raise self.fail(path + (name,), f"missing required value ({_expected(hints[name])})",
                                f"add `{name} = ...` under {where}")
        return cls(**values)

    def convert(self, tp: Any, value: object, path: tuple[str, ...]) -> Any:
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):
            options = [a for a in get_args(tp) if a is not type(None)]
            return self.convert(options[0], value, path)
        if dataclasses.is_dataclass(tp):
            return self.build(typing.cast(type[Any], tp), value, path)
        if origin is list:
            if not isinstance(value, list):
                raise self.wrong(tp, value, path)
            (item,) = get_args(tp)
            return [self.convert(item, v, path) for v in value]
        if origin is dict:
            if not isinstance(value, dict):
                raise self.wrong(tp, value, path)
            _, item = get_args(tp)
            return {k: self.convert(item, v, path + (k,)) for k, v in value.items()}
        if origin is Literal:
            if value not in get_args(tp):
                raise self.wrong(tp, value, path)
            return value
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if tp in (str, int, bool, float) and (type(value) is not tp):
            raise self.wrong(tp, value, path)
        return value

    def wrong(self, tp: Any, value: object, path: tuple[str, ...]) -> ConfigError:
        hint = {str: "put the value in double quotes", bool: "write true or false without quotes",
                int: "write a whole number without quotes", float: "write a number without quotes"}
        return self.fail(path, f"expected {_expected(tp)}, got {_describe(value)}",
                         hint.get(tp, f"write {_expected(tp)}"))


def load_settings(path: str | Path) -> Settings:
    """Read, parse and validate ``path``; raise :class:`ConfigError` on any problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: configuration file not found. Fix: create it (see docs/configuration.md) "
                          "or pass --config PATH / set RONR_CONFIG") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read configuration: {exc}. Fix: check the file's permissions "
                          "and that it is UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = found.group(1) if found else "1"
        raise ConfigError(f"{file}:{line}: invalid TOML: {exc}. Fix: correct the syntax on that line") from None
    builder = _Builder(str(file), text)
    settings = builder.build(Settings, data, ())
    try:
        zoneinfo.ZoneInfo(settings.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise builder.fail(("timezone",), f"unknown timezone {settings.timezone!r}",
                           'use an IANA name such as "Europe/Berlin" or "UTC"') from None
    for platform, handles in settings.accounts.items():
        if not handles:
            raise builder.fail(("accounts", platform), "no accounts listed",
                               f'list at least one handle, e.g. {platform} = ["yourbrand"]')
    if not settings.brand.keywords:
        raise builder.fail(("brand", "keywords"), "no keywords", 'list the words people use for the brand')
    if not settings.triage.spam_same_text_days > 0:
        raise builder.fail(("triage", "spam_same_text_days"), f"expected more than 0 days, got "
                           f"{settings.triage.spam_same_text_days:g}", "write a number of days such as 7")
    return dataclasses.replace(settings, source=str(file))
