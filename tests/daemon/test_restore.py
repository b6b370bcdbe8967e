"""A restored backup never posts a reply twice: replies approved in the copy are checked on the platform first."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from bot.dispatch import dispatch, reconcile
from bot.pipeline import poll_once
from bot.queue import approve
from bot.runtime import Runtime, build_runtime
from tests.conftest import NOW


def replies_in_sink(rt: Runtime) -> Counter[str]:
    sink = rt.settings.resolve(rt.settings.connectors.replay.sink)
    lines = sink.read_text(encoding="utf-8").splitlines() if sink.exists() else []
    return Counter(json.loads(line)["to"] for line in lines)


def test_restoring_a_backup_reconciles_replies_approved_in_it_before_any_post(rt: Runtime, tmp_path: Path) -> None:
    poll_once(rt, NOW)
    first, second = rt.store.suggestions.pending()[:2]
    for item in (first, second):
        approve(rt.store, item.id, "ana", NOW, text=f"Thanks, we are on it ({item.id}).")
    copy = tmp_path / "copy.db"
    result = CliRunner().invoke(main, ["--config", rt.settings.source, "backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert "2 approved replies not yet posted will be checked on the platform" in result.output
    assert rt.store.outbox.counts() == {"approved": 2}  # the live database is untouched

    assert len(dispatch(rt, NOW, limit=1).posted) == 1  # the live daemon posts one, then the disk dies
    restored = build_runtime(rt.settings, database=copy)
    try:
        assert restored.store.outbox.counts() == {"sending": 2}
        assert len(dispatch(restored, NOW).posted) == 0  # nothing is posted blindly from a restored copy
        settled = reconcile(restored, NOW)
        assert len(settled.reconciled) == 1 and settled.unsettled == []  # found on the platform: recorded
        assert len(dispatch(restored, NOW).posted) == 1  # the other was never posted: now it is, once
        assert restored.store.outbox.counts() == {"posted": 2}
        assert set(replies_in_sink(rt).values()) == {1} and len(replies_in_sink(rt)) == 2
    finally:
        restored.close()


def test_backup_refuses_to_overwrite_and_names_a_missing_database(rt: Runtime, tmp_path: Path) -> None:
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"keep me")
    result = CliRunner().invoke(main, ["--config", rt.settings.source, "backup", str(taken)])
    assert result.exit_code == 1 and "already exists; a backup never overwrites" in result.output
    assert taken.read_bytes() == b"keep me"
    result = CliRunner().invoke(main, ["--config", rt.settings.source, "--database", str(tmp_path / "none.db"),
                                       "backup", str(tmp_path / "new.db")])
    assert result.exit_code == 1 and f"no database at {tmp_path / 'none.db'}" in result.output
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "new.db").exists()
