"""Policy: rule files in, suggestions out. Pure apart from reading the rule files."""

from bot.policy.engine import BrandVoice, History, matching_rules, suggest
from bot.policy.rules import Rule, load_rules

__all__ = ["BrandVoice", "History", "Rule", "load_rules", "matching_rules", "suggest"]
