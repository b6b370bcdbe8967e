"""untriaged() starts its scan at a low-water mark (a bench_pipeline fix); it must still find every mention."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.models import Author, Mention
from bot.store import Store
from bot.triage import TriageContext, triage

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
CTX = TriageContext(keywords=["nimbus"], handles=["nimbushome"], excluded=[])


def _mention(pid: str, kind: str = "mention") -> Mention:
    author = Author(platform="x", platform_id="u1", handle="jess", name="Jess", followers=10, verified=False)
    return Mention(platform="x", platform_id=pid, author=author, text=f"@nimbushome hello {pid}", created_at=NOW,
                   account="nimbushome", thread_id=pid, in_reply_to=None, addresses_us=True, lang="en", url="",
                   raw="{}", kind="answer" if kind == "answer" else "mention")


def _triage_all(store: Store, found: list[tuple[int, Mention]]) -> None:
    for mention_id, m in found:
        store.suggestions.record_triage(mention_id, triage(m, CTX, NOW), NOW)


def test_mentions_stored_after_a_scan_are_still_found(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    try:
        store.mentions.insert("replay", [_mention("1"), _mention("2"), _mention("a", "answer")], NOW)
        first = store.mentions.untriaged()
        assert [m.platform_id for _, m in first] == ["1", "2"]
        _triage_all(store, first[:1])  # "2" is left untriaged: it must come back
        assert [m.platform_id for _, m in store.mentions.untriaged()] == ["2"]
        _triage_all(store, store.mentions.untriaged())
        assert store.mentions.untriaged() == []
        store.mentions.insert("replay", [_mention("3")], NOW)
        assert [m.platform_id for _, m in store.mentions.untriaged()] == ["3"]
        other = Store(tmp_path / "t.db")  # another process's connection starts from the beginning
        try:
            assert [m.platform_id for _, m in other.mentions.untriaged()] == ["3"]
        finally:
            other.close()
    finally:
        store.close()


def test_the_mark_does_not_move_inside_an_open_transaction(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    try:
        try:
            with store.atomic():
                store.mentions.insert("replay", [_mention("a", "answer")], NOW)
                assert store.mentions.untriaged() == []
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        store.mentions.insert("replay", [_mention("4")], NOW)  # may reuse the rolled-back id
        assert [m.platform_id for _, m in store.mentions.untriaged()] == ["4"]
    finally:
        store.close()
