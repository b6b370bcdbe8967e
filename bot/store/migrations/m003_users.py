"""Version 3: web users, sessions, API tokens, login throttling, and queue columns for the web UI.

``draft`` holds text a manager saved without approving (the suggestion itself is kept, so the
audit diff is always against what the rule suggested); ``claimed_at`` says when ``assignee`` took
the item. The extra indexes keep the filtered queue pages index-ordered at any queue size.
"""

SQL = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'manager', 'admin')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_used_at TEXT
);
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);
CREATE TABLE web_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
ALTER TABLE suggestions ADD COLUMN draft TEXT;
ALTER TABLE suggestions ADD COLUMN claimed_at TEXT;
CREATE INDEX suggestions_queue_platform ON suggestions (status, platform, priority, sla_due, id);
CREATE INDEX suggestions_queue_account ON suggestions (status, account, priority, sla_due, id);
CREATE INDEX suggestions_queue_assignee ON suggestions (status, assignee, priority, sla_due, id);
CREATE INDEX suggestions_snoozed ON suggestions (status, snoozed_until);
CREATE INDEX suggestions_status_id ON suggestions (status, id);
"""
