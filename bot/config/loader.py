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
    if header_line:
        return header_line
    # A key inside an inline table or a list (daily_caps = { x = "lots" }) is on its parent's line.
    return find_line(text, key_path[:-1]) if len(key_path) > 1 else 1


def _describe(value: object) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "a list", dict: "a table"}
    return f"{value!r} ({kinds.get(type(value), type(value).__name__)})"


PLATFORMS = ("x", "reddit")
# Settings that map a platform to something: a key that is not a platform would never apply.
PLATFORM_TABLES = (("accounts",), ("guardrails", "do_not_contact"), ("guardrails", "brand_bots"),
                   ("guardrails", "daily_caps"))
# Settings whose name ends like this are durations and must be more than 0 (the [sla] targets are hours).
UNITS = {"_seconds": "seconds", "_minutes": "minutes", "_hours": "hours", "_days": "days"}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLURAL = {str: "strings in quotes", int: "whole numbers", float: "numbers", bool: "booleans (true or false)"}


def _expected(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        options = [repr(a) for a in get_args(tp)]
        return "one of " + ", ".join(options if len(options) <= 8 else [*options[:3], "...", options[-1]])
    if origin is list:
        item = get_args(tp)[0]
        return f"a list of {_PLURAL.get(item, _expected(item))}"
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
                self.positive(path + (name,), values[name], fld.default)
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
            value = float(value)
        if tp in (str, int, bool, float) and (type(value) is not tp):
            raise self.wrong(tp, value, path)
        if path[-1].endswith("_env") and isinstance(value, str) and value and not _ENV_NAME.fullmatch(value):
            # Most likely the secret itself pasted in: never repeat it in the message.
            raise self.fail(path, "expected the NAME of an environment variable (letters, digits, _), got something "
                                  "else (not shown: it may be the secret itself)",
                            f"put the secret in an environment variable and write its name, e.g. "
                            f"{path[-1]} = \"RONR_{path[-1].removesuffix('_env').upper()}\"")
        if not isinstance(value, int | float) or isinstance(value, bool):
            return value
        if value < 0 and not _unit(path):  # no setting is a negative number
            raise self.fail(path, f"expected 0 or more, got {value:g}", "write the number without a minus sign")
        if path[-1].endswith("port") and value > 65535:
            raise self.fail(path, f"expected a port number from 0 to 65535, got {value}", "write a port such as 8000")
        return value

    def positive(self, path: tuple[str, ...], value: object, default: object) -> None:
        """Durations must be more than 0 (a poll every 0 minutes, a 0-hour SLA, a 0-day window make no sense)."""
        unit = _unit(path)
        if unit and isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            example = f" such as {default:g}" if isinstance(default, int | float) else ""
            raise self.fail(path, f"expected more than 0 {unit}, got {value:g}", f"write a number of {unit}{example}")

    def wrong(self, tp: Any, value: object, path: tuple[str, ...]) -> ConfigError:
        hint = {str: "put the value in double quotes", bool: "write true or false without quotes",
                int: "write a whole number without quotes", float: "write a number without quotes"}
        if get_origin(tp) is list:
            example = '["a", "b"]' if get_args(tp)[0] is str else "[1, 2]"
            return self.fail(path, f"expected {_expected(tp)}, got {_describe(value)}",
                             f"write the values in square brackets, e.g. {example}")
        return self.fail(path, f"expected {_expected(tp)}, got {_describe(value)}",
                         hint.get(tp, f"write {_expected(tp)}"))


def _unit(path: tuple[str, ...]) -> str:
    """The unit of a duration setting ("" when the setting is not a duration)."""
    if len(path) == 2 and path[0] == "sla":
        return "hours"
    return next((unit for suffix, unit in UNITS.items() if path[-1].endswith(suffix)), "")


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
    for table in PLATFORM_TABLES:
        mapping = settings.accounts if table == ("accounts",) else getattr(settings.guardrails, table[-1])
        for platform in mapping:
            if platform not in PLATFORMS:
                raise builder.fail(table + (platform,), f"unknown platform {platform!r}",
                                   'use "x" (X, formerly Twitter) or "reddit"')
    return dataclasses.replace(settings, source=str(file))


def check_policies_folder(settings: Settings) -> None:
    """Raise :class:`ConfigError` when ``policies.path`` is not a folder: with no rules nothing would be queued."""
    folder = settings.resolve(settings.policies.path)
    if folder.is_dir():
        return
    text = Path(settings.source).read_text(encoding="utf-8") if settings.source else ""
    where = f"{settings.source or 'bot.toml'}:{find_line(text, ('policies', 'path'))}"
    raise ConfigError(f"{where}: policies.path: folder {folder} not found. Fix: point policies.path at the folder "
                      "of rule files (the repository's is policies/)")
