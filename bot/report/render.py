"""Render a week's figures as plain text and as HTML that mail clients show as intended.

The HTML has no scripts, no remote images and no stylesheets: inline styles and tables only, so
Gmail, Outlook and Apple Mail draw the same thing. The 8-week trend is a row of table-cell bars.
Everything people wrote is escaped (Jinja2 autoescape) and shortened.
"""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.report.figures import WeekFigures
from bot.socialid import NEGATIVE, POSITIVE

CHART_HEIGHT = 100  # pixels of the tallest (100) bar


def score_colour(value: float | None) -> str:
    """Green from 75, amber from 50, red below; grey when there is nothing to score."""
    if value is None:
        return "#9aa5b1"
    return "#1f8a4c" if value >= 75 else "#c27c0e" if value >= 50 else "#c8372d"


def mood_colour(compound: float) -> str:
    """Green for a positive post, red for a negative one, grey in between (VADER's thresholds)."""
    return "#1f8a4c" if compound >= POSITIVE else "#c8372d" if compound <= NEGATIVE else "#9aa5b1"


def fmt_score(value: float | None) -> str:
    """0-100 without decimals, or an em dash."""
    return "—" if value is None else f"{value:.0f}"


def fmt_change(value: float | None) -> str:
    """"▲ 4.0", "▼ 2.5", "= 0" or "new" when there is nothing to compare with."""
    if value is None:
        return "new"
    return "= 0" if abs(value) < 0.05 else f"{'▲' if value > 0 else '▼'} {abs(value):.1f}"


def fmt_minutes(value: float | None) -> str:
    """Minutes as "42 min", "3.1 h" or "2.0 d"."""
    if value is None:
        return "—"
    if value < 90:
        return f"{value:.0f} min"
    return f"{value / 60:.1f} h" if value < 48 * 60 else f"{value / 1440:.1f} d"


def short(text: str, limit: int = 180) -> str:
    """One line, at most ``limit`` characters (untrusted text stays bounded)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def week_label(week: str) -> str:
    """"2026-W47" -> "W47"."""
    return week.split("-")[-1]


def date_range(start: datetime, end: datetime) -> str:
    """"16–22 Nov 2026" for a week starting on the 16th."""
    last = end.date().fromordinal(end.date().toordinal() - 1)
    first = f"{start.day}" if start.month == last.month else f"{start.day} {start:%b}"
    return f"{first}–{last.day} {last:%b %Y}"


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("bot.report", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters.update(colour=score_colour, mood=mood_colour, score=fmt_score, change=fmt_change, minutes=fmt_minutes,
                       short=short, weeklabel=week_label)
    env.globals.update(chart_height=CHART_HEIGHT)
    return env


_ENV = _environment()


def render_text(figures: WeekFigures) -> str:
    """The plain-text part of the email."""
    return _ENV.get_template("weekly.txt").render(f=figures, dates=date_range(figures.start, figures.end))


def render_html(figures: WeekFigures) -> str:
    """The HTML part of the email (also what `ronr report --out FILE.html` writes)."""
    return _ENV.get_template("weekly.html").render(f=figures, dates=date_range(figures.start, figures.end))


def subject(figures: WeekFigures) -> str:
    """"Nimbus Home Social ID, week 2026-W47: nimbushome 72 (+4.0), ..." — the numbers at a glance."""
    # ASCII signs: Python's header folding drops a space next to a long run of encoded words
    parts = [f"{a.label} {fmt_score(a.current.overall)}"
             + ("" if a.current.change is None else f" ({a.current.change:+.1f})") for a in figures.accounts]
    return f"{figures.brand} Social ID, week {figures.week}: " + (", ".join(parts) or "no conversations")
