"""Rule files: every example in policies/ replays; broken rules are reported with path:line."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.models import Author, Mention
from bot.policy import BrandVoice, History, load_rules, suggest
from bot.policy.check import example_problems, follow_up_problems, shadowed, try_example
from bot.policy.gate import offline_runtime
from bot.policy.rules import Example, Rule
from bot.runtime import build_runtime
from bot.triage import triage
from tests.conftest import REPO

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RULES, ERRORS = load_rules(REPO / "policies")
SETTINGS = load_settings(REPO / "bot.toml")
CTX = offline_runtime(SETTINGS, RULES).triage_context
HANDLES = [h for hs in SETTINGS.accounts.values() for h in hs] + SETTINGS.brand.handles
BRAND = BrandVoice("Nimbus Home", "https://help.example", ("Nimbus Thermo", "Nimbus Hub"))


def test_shipped_rules_load_without_errors_and_cover_the_starter_set() -> None:
    assert ERRORS == []
    assert {r.id for r in RULES} >= {"complaint-apology", "question-answer", "praise-thanks", "purchase-help",
                                     "churn-personal-reply", "escalate-crisis", "bug-report-details",
                                     "feature-request-thanks", "ignore-spam", "ignore-off-topic"}
    assert shadowed(RULES) == []
    assert follow_up_problems(RULES, SETTINGS.loops.timeout_hours) == []


EXAMPLES = [(r, e, True) for r in RULES for e in r.examples_match] + \
           [(r, e, False) for r in RULES for e in r.examples_no_match]


@pytest.mark.parametrize(("rule", "example", "should_match"), EXAMPLES,
                         ids=[f"{r.id}:{'match' if m else 'no_match'}:{e.text[:30]}" for r, e, m in EXAMPLES])
def test_rule_examples(rule: Rule, example: Example, should_match: bool) -> None:
    tried = try_example(example, RULES, CTX, HANDLES)
    if should_match:
        assert tried.winners and tried.winners[0] is rule, \
            f"{rule.path}: winners {[w.id for w in tried.winners]}, triage {tried.triage.reasons}"
    else:
        assert rule not in tried.winners, f"{rule.path}: triage {tried.triage.intents} {tried.triage.reasons}"


def test_every_rule_carries_examples_both_ways() -> None:
    assert all(r.examples_match and r.examples_no_match for r in RULES)


def test_example_replay_reports_failures_with_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "r.toml").write_text(
        'id = "r"\ntitle = "R"\n\n[match]\nintents_any = ["praise"]\n\n[reply]\nvariants = ["Thanks {first_name}"]\n'
        '\n[examples]\nmatch = ["@nimbushome my order never arrived"]\nno_match = ["@nimbushome I love it, thanks"]\n',
        encoding="utf-8")
    rules, errors = load_rules(tmp_path)
    assert errors == []
    problems = example_problems(rules[0], rules, CTX, HANDLES)
    assert len(problems) == 2
    assert problems[0].startswith(f"{tmp_path / 'r.toml'}:11: examples.match:") and "should match" in problems[0]
    assert problems[1].startswith(f"{tmp_path / 'r.toml'}:12: examples.no_match:") and "should not" in problems[1]
    assert all("Fix:" in p and "intents [" in p for p in problems)


def _mention(text: str, name: str = "Jess Okafor") -> Mention:
    return Mention(platform="x", platform_id="1", author=Author("x", "1", "jess", name, 250), text=text,
                   created_at=NOW, account="nimbushome", addresses_us="@nimbushome" in text)


def test_variants_rotate_per_person_and_skip_words_they_already_had() -> None:
    mention = _mention("@nimbushome my order never arrived and nobody answers")
    result = triage(mention, CTX, NOW)
    texts = [suggest(mention, result, RULES, History(replies_to_author=n), BRAND, NOW) for n in range(3)]
    assert len({t.text for t in texts if t}) == 3
    first = texts[0]
    assert first is not None
    again = suggest(mention, result, RULES, History(replies_to_author=3, recent_texts=(first.text,)), BRAND, NOW)
    assert again is not None and again.text != first.text


def test_template_values_are_data_not_code() -> None:
    mention = _mention("@nimbushome my order never arrived", name="{brand} {support_link}")
    out = suggest(mention, triage(mention, CTX, NOW), RULES, History(), BRAND, NOW)
    assert out is not None and "{brand}" in out.text and "https://help.example" not in out.text


def test_suggestion_records_rule_and_why() -> None:
    mention = _mention("@nimbushome the app crashes every time I open the schedule screen, so annoying")
    out = suggest(mention, triage(mention, CTX, NOW), RULES, History(), BRAND, NOW)
    assert out is not None and out.rule_id == "bug-report-details"
    assert out.why[0] == "rule bug-report-details (level 55)" and any("bug_report" in w for w in out.why)
    assert out.follow_up.startswith("Hi Jess")


def test_an_off_topic_complaint_reaches_only_rules_that_ask_for_off_topic(tmp_path: Path) -> None:
    mention = _mention("my flight was cancelled again and nobody answers the phone")  # not about the brand
    result = triage(mention, CTX, NOW)
    assert {"complaint", "off_topic"} <= set(result.intents)
    out = suggest(mention, result, RULES, History(), BRAND, NOW)
    assert out is not None and out.rule_id == "ignore-off-topic"
    # A brand's own rule that names only complaint (and no relevance floor) leaves it alone too.
    (tmp_path / "c.toml").write_text('id = "c"\ntitle = "C"\n\n[match]\nintents_any = ["complaint"]\n\n'
                                     '[reply]\nvariants = ["Sorry {first_name}"]\n', encoding="utf-8")
    own, errors = load_rules(tmp_path)
    assert errors == [] and suggest(mention, result, own, History(), BRAND, NOW) is None


def test_checker_reports_every_error_with_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'id = "bad"\ntitle = "Bad"\nstatus = "sometimes"\ncolour = "red"\n\n[match]\nintents_any = ["complain"]\n'
        'sentiment_min = 0.5\nsentiment_max = -0.5\npatterns = ["(unclosed"]\nfirst_contact = "yes"\n\n'
        '[reply]\nvariants = ["Hi {nickname}"]\n\n[follow_up]\ntext = "Sorted, {first_name}?"\nwhen = ["later"]\n',
        encoding="utf-8")
    (tmp_path / "good.toml").write_text('id = "good"\ntitle = "G"\nignore = true\n', encoding="utf-8")
    (tmp_path / "dup.toml").write_text('id = "good"\ntitle = "Again"\nignore = true\n', encoding="utf-8")
    rules, errors = load_rules(tmp_path)
    assert [r.id for r in rules] == ["good"]
    joined = "\n".join(errors)
    for expected in ("bad.toml:3: status: unknown status 'sometimes'", "bad.toml:4: colour: unknown field",
                     "bad.toml:7: match.intents_any: unknown intent 'complain'",
                     "bad.toml:8: match.sentiment_min: sentiment_min is above sentiment_max",
                     "bad.toml:10: match.patterns: pattern '(unclosed' is not a valid regular expression",
                     "bad.toml:11: match.first_contact: expected true or false",
                     "bad.toml:14: reply.variants: unknown template variable {nickname}",
                     "bad.toml:18: follow_up.when: unknown trigger 'later'",
                     "good.toml:1: id: duplicate id 'good' (also in"):
        assert expected in joined
    assert all("Fix:" in e for e in errors)


def test_a_rule_that_another_always_beats_is_reported(tmp_path: Path) -> None:
    (tmp_path / "wide.toml").write_text('id = "wide"\ntitle = "W"\nlevel = 60\n\n[match]\n'
                                        'intents_any = ["complaint", "bug_report"]\n\n[escalate]\nto = "lead"\n')
    (tmp_path / "narrow.toml").write_text('id = "narrow"\ntitle = "N"\nlevel = 50\n\n[match]\n'
                                          'intents_any = ["complaint"]\nmin_relevance = 0.5\n\n[escalate]\nto = "x"\n')
    (tmp_path / "other.toml").write_text('id = "other"\ntitle = "O"\nlevel = 10\n\n[match]\n'
                                         'intents_any = ["praise"]\n\n[escalate]\nto = "x"\n')
    rules, errors = load_rules(tmp_path)
    assert errors == []
    problems = shadowed(rules)
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'narrow.toml'}:3: rule 'narrow' can never fire: rule 'wide'")


def test_broken_rule_is_left_out_while_others_run(tmp_path: Path) -> None:
    shutil.copytree(REPO / "policies", tmp_path / "policies")
    (tmp_path / "policies" / "broken.toml").write_text("id = \n", encoding="utf-8")
    (tmp_path / "bot.toml").write_text((REPO / "bot.toml").read_text().replace('path = "data/ronr.db"',
                                                                                'path = "r.db"'))
    rt = build_runtime(load_settings(tmp_path / "bot.toml"), connectors={})
    try:
        assert len(rt.rules) == len(RULES)
        assert any("broken.toml:1" in e and "invalid TOML" in e for e in rt.rule_errors)
    finally:
        rt.close()


@pytest.mark.parametrize(("pattern", "refused"), [
    (r"(\w+\s?)+$", True), ("(a+)+", True), (r"(?:\s*\w+)*done", True), ("(?:x|(b*)*)", True),
    ("stopped (heating|working)", False), (r"(order|ticket) #?\d+", False), (r"(x\d+y)+", False), ("(a++)+", False),
])
def test_patterns_that_backtrack_for_minutes_are_refused(tmp_path: Path, pattern: str, refused: bool) -> None:
    (tmp_path / "r.toml").write_text(f"id = \"r\"\ntitle = \"R\"\n\n[match]\npatterns = ['{pattern}']\n\n"
                                     '[escalate]\nto = "lead"\n', encoding="utf-8")
    rules, errors = load_rules(tmp_path)
    if refused:
        assert rules == [] and len(errors) == 1
        assert errors[0].startswith(f"{tmp_path / 'r.toml'}:5: match.patterns: pattern ")
        assert "nests one unbounded repeat inside another" in errors[0] and "Fix: " in errors[0]
    else:
        assert errors == [] and rules[0].match.patterns[0].pattern == pattern


def test_documented_precedence_level_then_specificity_then_id(tmp_path: Path) -> None:
    def rule(name: str, level: int, match: str) -> None:
        (tmp_path / f"{name}.toml").write_text(f'id = "{name}"\ntitle = "{name}"\nlevel = {level}\n\n[match]\n'
                                               f'{match}\n\n[escalate]\nto = "lead"\n', encoding="utf-8")
    rule("b-plain", 50, 'intents_any = ["complaint"]')
    rule("a-plain", 50, 'intents_any = ["complaint"]')
    rule("c-specific", 50, 'intents_any = ["complaint"]\nmin_relevance = 0.2')
    rule("d-low", 10, 'intents_any = ["complaint"]\nmin_relevance = 0.2\naddresses_us = true')
    rules, errors = load_rules(tmp_path)
    assert errors == []
    mention = _mention("@nimbushome my order never arrived and nobody answers")
    out = suggest(mention, triage(mention, CTX, NOW), rules, History(), BRAND, NOW)
    assert out is not None and out.rule_id == "c-specific"  # same level: the more specific rule
    assert out.why[-1] == "won over a-plain, b-plain, d-low"  # then the smaller id; then the lower level
    rule("e-high", 90, 'intents_any = ["complaint", "praise"]')
    rules, _ = load_rules(tmp_path)
    higher = suggest(mention, triage(mention, CTX, NOW), rules, History(), BRAND, NOW)
    assert higher is not None and higher.rule_id == "e-high"  # a higher level beats any specificity


class _Exploding:
    """Stands for a rule condition that fails at runtime (a bug, a pattern the checker could not foresee)."""

    pattern = "boom"

    def search(self, text: str) -> None:
        raise RecursionError("maximum recursion depth exceeded")


def test_a_rule_that_breaks_on_a_mention_is_left_out_and_the_others_decide(caplog: pytest.LogCaptureFixture) -> None:
    complaint = next(r for r in RULES if r.id == "complaint-apology")
    broken = replace(complaint, id="broken-copy", level=999,
                     match=replace(complaint.match, patterns=(_Exploding(),)))  # type: ignore[arg-type]
    rules = [broken, *RULES]  # it would win every complaint if it did not break
    mention = _mention("@nimbushome my order never arrived and nobody answers")
    with caplog.at_level("WARNING", logger="bot.policy.engine"):
        out = suggest(mention, triage(mention, CTX, NOW), rules, History(), BRAND, NOW)
    assert out is not None and out.rule_id == "complaint-apology"
    assert "rule broken-copy" in caplog.text and "RecursionError" in caplog.text and "left out" in caplog.text


@pytest.mark.parametrize("status", ["draft", "disabled"])
def test_draft_and_disabled_rules_are_checked_but_never_used(tmp_path: Path, status: str) -> None:
    shutil.copytree(REPO / "policies", tmp_path / "policies")
    rule = f'id = "try-me"\ntitle = "T"\nstatus = "{status}"\nlevel = 999\n\n[match]\nintents_any = ["complaint"]\n\n' \
           '[reply]\nvariants = ["Hi {first_name}"]\n'
    (tmp_path / "policies" / "try-me.toml").write_text(rule, encoding="utf-8")
    rules, errors = load_rules(tmp_path / "policies")
    assert errors == [] and any(r.id == "try-me" for r in rules)
    mention = _mention("@nimbushome my order never arrived and nobody answers")
    out = suggest(mention, triage(mention, CTX, NOW), rules, History(), BRAND, NOW)
    assert out is not None and out.rule_id == "complaint-apology"
    (tmp_path / "policies" / "try-me.toml").write_text(rule.replace("{first_name}", "{nickname}"), encoding="utf-8")
    assert any("try-me.toml:10: reply.variants: unknown template variable {nickname}" in e
               for e in load_rules(tmp_path / "policies")[1])
