"""Safe reply templates: ``{name}``-style variables substituted once, never evaluated.

Mention text and author names are inserted as plain data: substituted values are not scanned
again, so a ``{...}`` inside a stranger's name stays literal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLES = {
    "handle": "the author's handle with @ on X and u/ on Reddit",
    "name": "the author's display name (or handle when none)",
    "first_name": "the first word of the author's display name",
    "brand": "the brand's name from bot.toml",
    "support_link": "brand.support_link from bot.toml",
    "product": "the first of brand.products named in the mention (or the brand's name)",
}

_VARIABLE = re.compile(r"\{([^{}]*)\}")


def unknown_variables(template: str) -> list[str]:
    """Variables used in ``template`` that RonR does not know."""
    return [v for v in _VARIABLE.findall(template) if v not in VARIABLES]


def render(template: str, values: Mapping[str, str]) -> str:
    """Substitute known variables in one pass; unknown ones are left as written."""
    return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), template)
