"""Building the frozen result records of triage without the cost of a frozen dataclass's ``__init__``.

A frozen dataclass sets each field through ``object.__setattr__`` (the class forbids plain
assignment), about a quarter of a microsecond per field: for the two records of every mention
(:class:`bot.models.Sentiment`, :class:`bot.models.Triage`) that was ~3 microseconds, a twentieth of
all triage. :func:`record` fills the instance's ``__dict__`` directly instead, which gives the very
same object (equal, hashed and printed alike, still frozen). That holds only for a plain frozen
dataclass with an instance ``__dict__`` and no ``__post_init__``; :func:`supports` checks it, and
``tests/triage/test_records.py`` compares both ways of building every record kind triage makes.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from bot.models import Sentiment, Triage

_R = TypeVar("_R")
_new = object.__new__


def supports(cls: type) -> bool:
    """Whether :func:`record` builds ``cls`` exactly as its ``__init__`` would."""
    params = getattr(cls, "__dataclass_params__", None)
    # No __post_init__ also means no InitVar (those go to __post_init__); fields() lists the rest.
    return (params is not None and params.frozen and not hasattr(cls, "__post_init__")
            and "__slots__" not in cls.__dict__ and all(f.init for f in dataclasses.fields(cls)))


def record(cls: type[_R], fields: dict[str, Any]) -> _R:
    """An instance of the frozen dataclass ``cls`` holding ``fields`` (every field, by name)."""
    obj = _new(cls)
    obj.__dict__.update(fields)
    return obj


if not (supports(Sentiment) and supports(Triage)):  # a changed model must not be built around its __init__
    raise TypeError("bot.models.Sentiment and Triage must stay plain frozen dataclasses for bot.triage.records")
