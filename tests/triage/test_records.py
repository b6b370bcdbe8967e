"""Triage builds its frozen records around ``__init__`` (bot.triage.records): they must be the same objects."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.models import Author, Mention, Sentiment, Triage
from bot.triage import TriageContext, triage
from bot.triage.records import record, supports
from bot.triage.sentiment import score_sentiment

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _rebuilt(obj: object) -> object:
    """The same record built through its class's ``__init__``."""
    return type(obj)(**{f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["Love it!", "my order never arrived and nobody answers", "", "🙃 ok"])
def test_records_equal_those_built_by_init_and_stay_frozen(text: str) -> None:
    mention = Mention("x", "1", Author("x", "1", "sam", followers=420), text, NOW, "nimbushome")
    result = triage(mention, TriageContext(keywords=["nimbus"]), NOW)
    for obj in (result, result.sentiment, score_sentiment(text)):
        twin = _rebuilt(obj)
        assert obj == twin and hash(obj) == hash(twin) and repr(obj) == repr(twin) and vars(obj) == vars(twin)
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.label = "changed"  # type: ignore[attr-defined]


def test_only_plain_frozen_dataclasses_are_supported() -> None:
    assert supports(Sentiment) and supports(Triage)

    @dataclasses.dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    @dataclasses.dataclass
    class Mutable:
        value: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        value: int

    assert not any(supports(cls) for cls in (Checked, Mutable, Slotted, dict))
    assert record(Sentiment, {"compound": 0.5, "pos": 0.5, "neu": 0.5, "neg": 0.0, "label": "positive",
                              "segments": 1}) == Sentiment(0.5, 0.5, 0.5, 0.0, "positive")
