"""Version 6: weekly reports sent (or owed), and indexes for week, author and approval queries.

One row per ISO week and recipient: ``status`` is "sending" (recorded before the SMTP call), "sent"
(never sent again) or "failed" (retried on the next run, ``attempts`` counts tries).
"""

SQL = """
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    week TEXT NOT NULL,
    recipient TEXT NOT NULL,
    accounts TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    message_id TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (week, recipient)
);
CREATE INDEX reports_status ON reports (status, week);
CREATE INDEX loops_opened ON loops (opened_at);
CREATE INDEX loops_author ON loops (author_id, opened_at);
CREATE INDEX loops_answer ON loops (answer_mention_id);
CREATE INDEX suggestions_rule ON suggestions (created_at, rule_id);
"""
