"""A database created by the first schema version, with a row in every table, upgrades and keeps them all.

The rows are written with version 1's own columns (m001), as a RonR of that version left them: a
pending item, an approved and posted one with its loop, a cursor and the audit trail. After the
upgrade every row is still there and the newer features (the queue index, the triage work list,
the same-text window) see the old data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.store import Store
from bot.store.database import apply_migrations, connect
from bot.store.queue_query import QueueFilter
from bot.store.schema import latest

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AT = "2026-11-20T11:00:00+00:00"
V1_TABLES = ("authors", "mentions", "triage", "suggestions", "approvals", "outbox", "loops", "cursors", "audit")

V1_ROWS = f"""
INSERT INTO authors VALUES (1, 'x', 'u-jess', 'jess', 'Jess Okafor', 250, 0, '{AT}', '{AT}');
INSERT INTO authors VALUES (2, 'x', 'u-omar', 'omar', 'Omar', 90, 0, '{AT}', '{AT}');
INSERT INTO mentions VALUES (1, 'replay', 'x', '101', 'mention', 1, 'nimbushome',
    '@nimbushome my order never arrived', '{AT}', '{AT}', '101', NULL, 1, 'en', '', '{{"id": "101"}}', 'h1');
INSERT INTO mentions VALUES (2, 'replay', 'x', '102', 'mention', 2, 'nimbushome',
    '@nimbushome does the hub work with homekit?', '{AT}', '{AT}', '102', NULL, 1, 'en', '', '{{"id": "102"}}', 'h2');
INSERT INTO mentions VALUES (3, 'replay', 'x', '103', 'mention', 2, 'nimbushome',
    '@nimbushome waiting for triage', '{AT}', '{AT}', '103', NULL, 1, 'en', '', '{{"id": "103"}}', 'h3');
INSERT INTO triage VALUES (1, -0.6, 'negative', '["complaint"]', 0.9, 'en', 0, 'P2', 0.7, '["order never arrived"]',
    '{AT}');
INSERT INTO triage VALUES (2, 0.0, 'neutral', '["question"]', 0.9, 'en', 0, 'P3', 0.4, '["question mark"]', '{AT}');
INSERT INTO suggestions (id, mention_id, kind, action, rule_id, text, status, platform, account, priority, sla_due,
    created_at, updated_at) VALUES (1, 1, 'reply', 'reply', 'complaint-apology', 'Sorry Jess, DM us?', 'approved',
    'x', 'nimbushome', 'P2', '{AT}', '{AT}', '{AT}');
INSERT INTO suggestions (id, mention_id, kind, action, rule_id, text, status, platform, account, priority, sla_due,
    created_at, updated_at) VALUES (2, 2, 'reply', 'reply', 'question-answer', 'Hi Omar, this guide helps',
    'pending', 'x', 'nimbushome', 'P3', '{AT}', '{AT}', '{AT}');
INSERT INTO approvals VALUES (1, 1, 'approved', 'maya', '{AT}', 'Sorry Jess, DM us?', 'Sorry Jess, DM us?', '', '');
INSERT INTO outbox VALUES (1, 1, 1, 1, 'replay', 'key-1', 'Sorry Jess, DM us?', 'posted', 1, 'r-1', '', '{AT}',
    NULL, NULL, '{AT}', '{AT}');
INSERT INTO loops (id, mention_id, platform, account, author_id, priority, opened_at, sla_due, mention_compound,
    state, outbox_id, replied_at, reply_text) VALUES (1, 1, 'x', 'nimbushome', 1, 'P2', '{AT}', '{AT}', -0.6,
    'waiting_reply', 1, '{AT}', 'Sorry Jess, DM us?');
INSERT INTO cursors VALUES ('replay', '{{"offset": 3}}', '{AT}', '{AT}', NULL, NULL, NULL, 2);
INSERT INTO audit VALUES (1, '{AT}', 'maya', 'approved', 'suggestion', 1, '{{"final_text": "Sorry Jess, DM us?"}}');
"""


def _v1_database(path: Path) -> dict[str, int]:
    db = connect(path, migrate=False)
    assert apply_migrations(db, str(path), upto=1) == 1
    db.conn.executescript(V1_ROWS)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in V1_TABLES}
    db.close()
    assert all(counts.values())
    return counts


def test_every_row_of_a_version_1_database_survives_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    before = _v1_database(path)
    store = Store(path)
    try:
        assert store.version == latest() > 1
        assert {t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in V1_TABLES} == before
        approved = store.suggestions.get(1)
        assert approved is not None and approved.status == "approved" and approved.text == "Sorry Jess, DM us?"
        assert approved.mention.text == "@nimbushome my order never arrived"
        assert [i.id for i in store.suggestions.pending()] == [2]
        listed, total = store.suggestions.page(QueueFilter(q="homekit"), NOW)
        assert total == 1 and [i.id for i in listed] == [2]  # the queue search index was filled from v1 rows
        assert [m.platform_id for _, m in store.mentions.untriaged()] == ["103"]
        posted = store.outbox.get(1)
        assert posted is not None and posted.state == "posted" and posted.idem_key == "key-1"
        (loop,) = store.loops.in_state("waiting_reply")
        assert loop.mention_id == 1 and loop.reply_text == "Sorry Jess, DM us?"
        assert store.mentions.raw(1) == {"id": "101"}
        assert store.mentions.cursor_state("replay").cursor is not None
        assert store.audit.recent()[0]["detail"] == {"final_text": "Sorry Jess, DM us?"}
    finally:
        store.close()
