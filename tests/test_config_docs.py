"""Every setting that exists in code is documented in docs/configuration.md."""

from __future__ import annotations

import dataclasses
from typing import Any, get_type_hints

from bot.config import Settings
from tests.conftest import REPO


def _keys(cls: Any, prefix: str = "") -> list[str]:
    keys = []
    hints = get_type_hints(cls)
    for field in dataclasses.fields(cls):
        if field.name == "source":
            continue
        name = f"{prefix}{field.name}"
        if dataclasses.is_dataclass(hints[field.name]):
            keys += _keys(hints[field.name], name + ".")
        elif getattr(hints[field.name], "__origin__", None) is dict:
            keys.append(f"{name}.<")
        else:
            keys.append(name)
    return keys


def test_every_setting_is_documented() -> None:
    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [key for key in _keys(Settings) if f"`{key}" not in doc]
    assert missing == [], f"settings missing from docs/configuration.md: {missing}"

