"""Lexicon loading, pattern gates, brand extensions from bot.toml, and their configuration errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.triage.context import context_from_settings
from bot.triage.gates import pattern_gates
from bot.triage.intents import detect_intents
from bot.triage.lexicon import LexiconError, build_lexicons, builtin_intents, normalise
from bot.triage.matcher import builtin_matcher
from tests.conftest import CONFIG, REPO

LABELLED = [json.loads(line)["text"]
            for line in (REPO / "tests/data/intents_labelled.jsonl").read_text(encoding="utf-8").splitlines()]
ALL_PATTERNS = [p for lex in builtin_intents().values() for p in lex.patterns] + \
    list(builtin_matcher().cues.sarcasm.patterns) + list(builtin_matcher().cues.rhetorical.patterns)


@pytest.mark.parametrize(("source", "gates"), [
    ("so much for", ("so much for",)),
    ("still (not|no) (here|there)", ("still ",)),
    ("(not|no) (here|there)", ("here", "there")),
    ("keeps? crashing", (" crashing",)),
    ("(a|b)?x", ("x",)),
    ("a|b", ()),
    ("(?i)abc", ()),
    ("error\\s*#?\\d+", ("error",)),
    ("\\?", ("?",)),
])
def test_gates_are_literals_every_match_contains(source: str, gates: tuple[str, ...]) -> None:
    assert pattern_gates(source) == gates


def test_gates_never_hide_a_match_on_the_labelled_texts() -> None:
    for text in map(normalise, LABELLED):
        for pattern in ALL_PATTERNS:
            assert (pattern.search(text) is None) == (pattern.regex.search(text) is None), pattern.regex.pattern


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz '?!.#@0123456789", max_size=80))
def test_gates_agree_with_the_plain_regex_on_any_text(text: str) -> None:
    for pattern in ALL_PATTERNS:
        assert (pattern.search(text) is None) == (pattern.regex.search(text) is None)


@pytest.mark.parametrize(("data", "problem"), [
    ({"complain": {"phrases": ["x"]}}, "unknown intent 'complain'"),
    ({"complaint": {"phrases": [""]}}, "phrases must be a list of non-empty strings"),
    ({"complaint": {"patterns": ["(unclosed"]}}, "is not a valid regular expression"),
    ({"complaint": {"colour": "red"}}, "unknown key 'colour'"),
])
def test_bad_lexicon_entries_are_named(data: dict[str, object], problem: str) -> None:
    with pytest.raises(LexiconError, match=r"src\.toml") as err:
        build_lexicons(data, "src.toml")
    assert problem in str(err.value)


def _project(tmp_path: Path, triage_section: str) -> Path:
    text = CONFIG + "\n" + triage_section
    path = tmp_path / "bot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_brand_extensions_in_bot_toml_add_phrases_and_patterns(tmp_path: Path) -> None:
    path = _project(tmp_path, '[triage]\ncontext_words = ["thermostat"]\n\n[triage.intents.complaint]\n'
                              'phrases = ["radiator went cold"]\npatterns = ["boiler (code|fault) f\\\\d+"]\n')
    ctx = context_from_settings(load_settings(path))
    assert ctx.context_words == ["thermostat"]
    assert detect_intents("the radiator went cold", ctx.lexicons).reasons == ['complaint: phrase "radiator went cold"']
    assert detect_intents("boiler fault f28 tonight", ctx.lexicons).intents == ["complaint"]
    assert detect_intents("the radiator went cold", builtin_matcher()).intents == []


def test_a_bad_brand_pattern_is_a_config_error_naming_file_line_and_key(tmp_path: Path) -> None:
    path = _project(tmp_path, '[triage.intents.complaint]\npatterns = ["(unclosed"]\n')
    with pytest.raises(ConfigError) as err:
        context_from_settings(load_settings(path))
    message = str(err.value)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert message.startswith(f"{path}:{lines.index('[triage.intents.complaint]') + 1}: triage.intents.complaint:")
    assert "not a valid regular expression" in message and "Fix:" in message


def test_an_unknown_triage_key_is_caught_by_the_loader(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"triage\.intents\.complaint\.phrase"):
        load_settings(_project(tmp_path, '[triage.intents.complaint]\nphrase = ["x"]\n'))
