"""Version 4: follow-up scheduling state, and indexes for the guardrails' per-thread/day/person reads."""

SQL = """
CREATE TABLE follow_ups (
    loop_id INTEGER PRIMARY KEY REFERENCES loops(id),
    suggestion_id INTEGER REFERENCES suggestions(id),
    trigger TEXT NOT NULL,
    queued_at TEXT NOT NULL
);
CREATE INDEX outbox_mention ON outbox (mention_id, state);
CREATE INDEX outbox_posted ON outbox (state, posted_at);
CREATE INDEX mentions_thread_author ON mentions (platform, thread_id, author_id, created_at);
"""
