"""Everything one RonR process needs, built once from the settings: store, connectors, rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.policy import BrandVoice, Rule, load_rules
from bot.store import Store
from bot.store.daemon_state import ReadLedger
from bot.triage import TriageContext
from bot.triage.context import context_from_settings
from connectors import registry
from connectors.base import Connector
from connectors.replay import ReplayConnector


@dataclass
class Runtime:
    """The wired application: pass it to the pipeline, queue, dispatch and loop functions."""

    settings: Settings
    store: Store
    connectors: dict[str, Connector]
    rules: list[Rule]
    rule_errors: list[str] = field(default_factory=list)
    connector_errors: dict[str, str] = field(default_factory=dict)

    @cached_property
    def triage_context(self) -> TriageContext:
        """The brand's words and lexicon extensions for triage (a bad extension raises ConfigError)."""
        return context_from_settings(self.settings)

    @property
    def brand(self) -> BrandVoice:
        """The brand facts reply templates may use."""
        b = self.settings.brand
        return BrandVoice(name=b.name, support_link=b.support_link, products=tuple(b.products))

    def sla_hours(self) -> dict[str, float]:
        """Response-time targets per priority."""
        return {p: self.settings.sla.hours(p) for p in ("P1", "P2", "P3", "P4")}

    def close(self) -> None:
        """Close the database."""
        self.store.close()


def build_connectors(settings: Settings, errors: dict[str, str] | None = None) -> dict[str, Connector]:
    """The enabled connectors, by name; one whose credentials are missing is left out and noted in ``errors``."""
    found: dict[str, Connector] = {}
    replay = settings.connectors.replay
    if replay.enabled:
        found["replay"] = ReplayConnector(settings.resolve(replay.path), settings.resolve(replay.sink))
    built, failed = registry.build_each(settings)
    found.update(built)
    if errors is not None:
        errors.update({name: str(exc) for name, exc in failed.items()})
    return found


def attach_ledger(connectors: dict[str, Connector], database: Path) -> None:
    """Give each connector that counts reads outside its polls (X) the store's ledger of them."""
    for connector in connectors.values():
        if hasattr(connector, "ledger"):
            connector.ledger = ReadLedger(database)


def build_runtime(settings: Settings, database: Path | None = None,
                  connectors: dict[str, Connector] | None = None) -> Runtime:
    """Open the store and load connectors and rules (broken rules are left out and reported)."""
    store = Store(database or settings.resolve(settings.database.path))
    rules, errors = load_rules(settings.resolve(settings.policies.path))
    missing: dict[str, str] = {}
    rt = Runtime(settings=settings, store=store,
                 connectors=build_connectors(settings, missing) if connectors is None else connectors,
                 rules=rules, rule_errors=errors, connector_errors=missing)
    attach_ledger(rt.connectors, Path(store.path))
    try:
        rt.triage_context  # noqa: B018 - built once, now, so a bad [triage] extension fails at start-up
    except ConfigError:
        store.close()
        raise
    return rt
