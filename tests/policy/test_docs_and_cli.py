"""Every rule field is documented; `ronr policies` and `ronr contacts` work end to end (CliRunner, real SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.policy.guardrails import GUARDRAILS
from bot.policy.render import VARIABLES
from bot.policy.rules import EXAMPLE_KEYS, MATCH_KEYS, SECTION_KEYS, STATUSES, TOP_KEYS, TRIGGERS
from tests.conftest import CONFIG, REPO

DOC = (REPO / "docs" / "policies.md").read_text(encoding="utf-8")


def test_every_rule_field_in_code_is_documented() -> None:
    names = TOP_KEYS | MATCH_KEYS | EXAMPLE_KEYS | set(STATUSES) | set(TRIGGERS) | set(GUARDRAILS)
    names |= {key for keys in SECTION_KEYS.values() for key in keys}
    missing = sorted(n for n in names if f"`{n}`" not in DOC)
    missing += sorted(f"{{{v}}}" for v in VARIABLES if f"`{{{v}}}`" not in DOC)
    assert missing == [], f"rule fields missing from docs/policies.md: {missing}"


@pytest.fixture
def cli(make_project: Callable[..., Path]) -> Callable[..., Result]:
    config = make_project()

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config), *args])
    return run


def test_policies_check_passes_on_the_starter_set(cli: Callable[..., Result]) -> None:
    result = cli("policies", "check")
    assert result.exit_code == 0, result.output
    assert "12 rules OK" in result.output


def test_policies_check_reports_every_error_and_exits_non_zero(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    (folder / "zz-bad.toml").write_text('id = "bad"\ntitle = "B"\nmood = 1\n\n[reply]\nvariants = ["Hi {who}"]\n')
    (folder / "zz-dup.toml").write_text('id = "praise-thanks"\ntitle = "Again"\nignore = true\n')
    (folder / "zz-shadow.toml").write_text('id = "zz-shadow"\ntitle = "S"\nlevel = 10\n\n[match]\n'
                                           'intents_any = ["spam"]\n\n[escalate]\nto = "x"\n')
    result = cli("policies", "check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(ln.startswith(f"{folder / 'zz-bad.toml'}:3: mood: unknown field") for ln in lines)
    assert any(ln.startswith(f"{folder / 'zz-bad.toml'}:6: reply.variants: unknown template variable {{who}}")
               for ln in lines)
    assert any("zz-dup.toml:1: id: duplicate id 'praise-thanks'" in ln for ln in lines)
    assert any("zz-shadow.toml:3: rule 'zz-shadow' can never fire: rule 'ignore-spam'" in ln for ln in lines)
    assert "4 problems" in result.output


def test_policies_test_shows_triage_rules_suggestion_and_guardrails(cli: Callable[..., Result]) -> None:
    result = cli("policies", "test", "@nimbushome my Nimbus Thermo stopped working after the update, so annoying",
                 "--followers", "50000", "--name", "Ada Lovelace")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Triage: negative") and "bug_report" in out
    first, second = out.index("1. complaint-high-reach"), out.index("2. bug-report-details")
    assert first < second
    assert "Suggestion (reply, rule complaint-high-reach):" in out and "Ada" in out
    assert "Escalate to support-lead" in out and "Follow-up (on answer or on silence" in out
    assert "ok   length:" in out and "ok   addressed: the post addresses us" in out


def test_policies_test_shows_a_stopped_guardrail(cli: Callable[..., Result]) -> None:
    result = cli("policies", "test", "my nimbus thermo is broken again", "--handle", "jess")
    assert result.exit_code == 0, result.output
    assert "STOP addressed: on X we only reply" in result.output


def test_contacts_block_list_unblock(cli: Callable[..., Result]) -> None:
    assert "Nobody is on" in cli("contacts", "list").output
    blocked = cli("contacts", "block", "@Troll42", "--reason", "asked us to stop", "--as", "maya")
    assert blocked.exit_code == 0 and "Blocked @troll42 on x" in blocked.output
    assert "already on" in cli("contacts", "block", "@troll42", "--as", "maya").output
    assert cli("contacts", "block", "u/Someone", "--as", "maya").exit_code == 0
    listed = cli("contacts", "list").output
    assert "@troll42" in listed and "asked us to stop" in listed and "u/someone" in listed
    vague = cli("contacts", "block", "someone", "--as", "maya")
    assert vague.exit_code == 1 and "which platform" in vague.output
    assert cli("contacts", "unblock", "@troll42", "--as", "maya").exit_code == 0
    again = cli("contacts", "unblock", "@troll42", "--as", "maya")
    assert again.exit_code == 1 and "not on the do-not-contact list" in again.output
    assert "@troll42" not in cli("contacts", "list").output


def test_queue_shows_guardrail_reasons(cli: Callable[..., Result]) -> None:
    assert cli("contacts", "block", "@jess", "--reason", "asked us to stop", "--as", "maya").exit_code == 0
    assert cli("poll").exit_code == 0
    listing = cli("queue")
    assert "1 blocked by guardrails" in listing.output
    blocked = cli("queue", "blocked")
    assert "do_not_contact: @jess is on the do-not-contact list (asked us to stop)" in blocked.output
    item = blocked.output.splitlines()[2].split()[0]
    shown = cli("queue", "show", item)
    assert "Blocked by guardrails:\n  - do_not_contact: @jess" in shown.output


def test_queue_show_checks_the_guardrails_again_as_if_approved_now(make_project: Callable[..., Path]) -> None:
    config = make_project(config=CONFIG + "\n[guardrails]\ndaily_caps = { x = 0 }\n")

    def cli(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config), *args])
    assert cli("poll").exit_code == 0
    jess = next(line.split()[0] for line in cli("queue").output.splitlines() if "@jess" in line)
    shown = cli("queue", "show", jess).output
    assert "Guardrails if approved now:\n  - waits until " in shown
    assert "daily_cap: 0 replies on x today, cap 0" in shown
    assert "Reply (" in shown and "of 280 characters as x counts them)" in shown
    assert cli("contacts", "block", "@jess", "--reason", "asked us to stop", "--as", "maya").exit_code == 0
    again = cli("queue", "show", jess).output
    assert "  - would be blocked: do_not_contact: @jess is on the do-not-contact list (asked us to stop)" in again


def test_queue_show_says_all_clear_when_nothing_stops_it(cli: Callable[..., Result]) -> None:
    assert cli("poll").exit_code == 0
    first = next(line.split()[0] for line in cli("queue").output.splitlines() if line[:1].isdigit())
    assert "Guardrails if approved now: all clear." in cli("queue", "show", first).output


@pytest.mark.parametrize(("args", "says"), [
    (("policies", "test", "hello", "--platform", "mastodon"), "Invalid value for '--platform'"),
    (("policies", "test", "hello", "--followers", "-5"), "Invalid value for '--followers'"),
    (("policies", "test", "   "), "give the text of a post"),
    (("contacts", "block", "@jess", "--as", " "), "pass --as NAME"),
    (("contacts", "block", "jess", "--platform", "mastodon", "--as", "maya"), "unknown platform 'mastodon'"),
])
def test_bad_input_is_one_clear_error(cli: Callable[..., Result], args: tuple[str, ...], says: str) -> None:
    result = cli(*args)
    assert result.exit_code in (1, 2) and says in result.output
    assert "Nobody is on" in cli("contacts", "list").output  # nothing was blocked on the way
