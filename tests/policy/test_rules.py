"""Rule files: every example in policies/ replays; broken rules are reported with path:line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.models import Author, Mention
from bot.policy import BrandVoice, History, load_rules, matching_rules, suggest
from bot.policy.engine import match_reasons
from bot.policy.rules import Rule
from bot.runtime import Runtime, build_runtime
from bot.triage import TriageContext, triage
from tests.conftest import REPO

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RULES, ERRORS = load_rules(REPO / "policies")
SETTINGS = load_settings(REPO / "bot.toml")


def _context() -> TriageContext:
    rt = Runtime(SETTINGS, store=None, connectors={}, rules=RULES)  # type: ignore[arg-type]
    return rt.triage_context


def _mention(text: str, handle: str = "jess") -> Mention:
    addressed = "@nimbushome" in text.lower()
    return Mention(platform="x", platform_id="1", author=Author("x", "1", handle, "Jess Okafor", 250), text=text,
                   created_at=NOW, account="nimbushome", addresses_us=addressed)


def test_shipped_rules_load_without_errors() -> None:
    assert ERRORS == []
    assert {r.id for r in RULES} >= {"complaint-apology", "question-answer", "praise-thanks", "purchase-help",
                                     "ignore-spam", "ignore-off-topic"}


EXAMPLES = [(r, text, True) for r in RULES for text in r.examples_match] + \
           [(r, text, False) for r in RULES for text in r.examples_no_match]


@pytest.mark.parametrize(("rule", "text", "should_match"), EXAMPLES,
                         ids=[f"{r.id}:{'match' if m else 'no_match'}:{t[:30]}" for r, t, m in EXAMPLES])
def test_rule_examples(rule: Rule, text: str, should_match: bool) -> None:
    mention = _mention(text)
    result = triage(mention, _context(), NOW)
    matched = match_reasons(rule.match, mention, result) is not None
    assert matched == should_match, f"{rule.path}: intents {result.intents}, reasons {result.reasons}"
    if should_match:
        winner = matching_rules(mention, result, RULES)[0][0]
        assert winner.level >= rule.level


def test_variants_rotate_per_person() -> None:
    mention = _mention("@nimbushome my order never arrived and nobody answers")
    result = triage(mention, _context(), NOW)
    brand = BrandVoice("Nimbus Home", "https://help.example", ("Nimbus Thermo",))
    texts = {suggest(mention, result, RULES, History(replies_to_author=n), brand, NOW).text  # type: ignore[union-attr]
             for n in range(3)}
    assert len(texts) == 3


def test_template_values_are_data_not_code() -> None:
    mention = Mention(platform="x", platform_id="1", author=Author("x", "1", "h", "{brand} {support_link}", 1),
                      text="@nimbushome my order never arrived", created_at=NOW, account="nimbushome",
                      addresses_us=True)
    result = triage(mention, _context(), NOW)
    brand = BrandVoice("Nimbus Home", "https://help.example")
    out = suggest(mention, result, RULES, History(), brand, NOW)
    assert out is not None and "{brand}" in out.text and "Nimbus Home" not in out.text.split(",")[0]


def test_checker_reports_every_error_with_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'id = "bad"\ntitle = "Bad"\nstatus = "sometimes"\ncolour = "red"\n\n[match]\nintents_any = ["complain"]\n'
        'sentiment_min = 0.5\nsentiment_max = -0.5\n\n[reply]\nvariants = ["Hi {nickname}"]\n', encoding="utf-8")
    (tmp_path / "good.toml").write_text('id = "good"\ntitle = "G"\nignore = true\n', encoding="utf-8")
    (tmp_path / "dup.toml").write_text('id = "good"\ntitle = "Again"\nignore = true\n', encoding="utf-8")
    rules, errors = load_rules(tmp_path)
    assert [r.id for r in rules] == ["good"]
    joined = "\n".join(errors)
    for expected in ("bad.toml:3: status: unknown status 'sometimes'", "bad.toml:4: colour: unknown field",
                     "bad.toml:7: match.intents_any: unknown intent 'complain'",
                     "bad.toml:8: match.sentiment_min: sentiment_min is above sentiment_max",
                     "bad.toml:12: reply.variants: unknown template variable {nickname}",
                     "good.toml:1: id: duplicate id 'good' (also in"):
        assert expected in joined
    assert all("Fix:" in e for e in errors)


def test_broken_rule_is_left_out_while_others_run(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(REPO / "policies", tmp_path / "policies")
    (tmp_path / "policies" / "broken.toml").write_text("id = \n", encoding="utf-8")
    (tmp_path / "bot.toml").write_text((REPO / "bot.toml").read_text().replace('path = "data/ronr.db"',
                                                                                'path = "r.db"'))
    rt = build_runtime(load_settings(tmp_path / "bot.toml"))
    try:
        assert len(rt.rules) == len(RULES)
        assert any("broken.toml" in e and "invalid TOML" in e for e in rt.rule_errors)
    finally:
        rt.close()
