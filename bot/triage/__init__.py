"""Triage: pure functions from a mention (and the brand's context) to a :class:`bot.models.Triage`."""

from bot.compiled import prefer_sources_if_stale

prefer_sources_if_stale()  # before any other triage module is imported (see bot.compiled)

from bot.triage.classify import TriageContext, triage  # noqa: E402

__all__ = ["TriageContext", "triage"]
