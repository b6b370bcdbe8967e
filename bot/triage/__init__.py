"""Triage: pure functions from a mention (and the brand's context) to a :class:`bot.models.Triage`."""

from bot.triage.classify import TriageContext, triage

__all__ = ["TriageContext", "triage"]
