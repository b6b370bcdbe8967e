"""Version 1: mentions, authors, triage, suggestions, approvals, outbox, loops, cursors, audit."""

SQL = """
CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    handle TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    followers INTEGER NOT NULL DEFAULT 0,
    verified INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    UNIQUE (platform, platform_id)
);
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    connector TEXT NOT NULL,
    platform TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'mention',
    author_id INTEGER NOT NULL REFERENCES authors(id),
    account TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    thread_id TEXT NOT NULL DEFAULT '',
    in_reply_to TEXT,
    addresses_us INTEGER NOT NULL DEFAULT 0,
    lang TEXT,
    url TEXT NOT NULL DEFAULT '',
    raw TEXT NOT NULL,
    text_hash TEXT NOT NULL DEFAULT '',
    UNIQUE (platform, platform_id)
);
CREATE INDEX mentions_created ON mentions (created_at);
CREATE INDEX mentions_thread ON mentions (platform, thread_id);
CREATE INDEX mentions_author ON mentions (author_id, created_at);
CREATE INDEX mentions_text_hash ON mentions (text_hash);
CREATE TABLE triage (
    mention_id INTEGER PRIMARY KEY REFERENCES mentions(id),
    compound REAL NOT NULL,
    label TEXT NOT NULL,
    intents TEXT NOT NULL,
    relevance REAL NOT NULL,
    language TEXT NOT NULL,
    spam INTEGER NOT NULL,
    priority TEXT NOT NULL,
    score REAL NOT NULL,
    reasons TEXT NOT NULL,
    triaged_at TEXT NOT NULL
);
CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    mention_id INTEGER NOT NULL REFERENCES mentions(id),
    kind TEXT NOT NULL,
    action TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    follow_up TEXT NOT NULL DEFAULT '',
    follow_up_after_hours REAL NOT NULL DEFAULT 24,
    escalate_to TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    why TEXT NOT NULL DEFAULT '[]',
    blocked_by TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    platform TEXT NOT NULL,
    account TEXT NOT NULL,
    priority TEXT NOT NULL,
    sla_due TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    assignee TEXT,
    snoozed_until TEXT,
    UNIQUE (mention_id, kind)
);
CREATE INDEX suggestions_queue ON suggestions (status, priority, sla_due, id);
CREATE TABLE approvals (
    id INTEGER PRIMARY KEY,
    suggestion_id INTEGER NOT NULL UNIQUE REFERENCES suggestions(id),
    decision TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    suggested_text TEXT NOT NULL,
    final_text TEXT NOT NULL,
    diff TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    suggestion_id INTEGER NOT NULL UNIQUE REFERENCES suggestions(id),
    approval_id INTEGER NOT NULL REFERENCES approvals(id),
    mention_id INTEGER NOT NULL REFERENCES mentions(id),
    connector TEXT NOT NULL,
    idem_key TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    reply_platform_id TEXT,
    reply_url TEXT,
    posted_at TEXT,
    last_error TEXT,
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX outbox_state ON outbox (state, next_attempt_at);
CREATE TABLE loops (
    id INTEGER PRIMARY KEY,
    mention_id INTEGER NOT NULL UNIQUE REFERENCES mentions(id),
    platform TEXT NOT NULL,
    account TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    priority TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    sla_due TEXT,
    mention_compound REAL NOT NULL,
    state TEXT NOT NULL,
    outbox_id INTEGER REFERENCES outbox(id),
    replied_at TEXT,
    reply_text TEXT,
    answer_mention_id INTEGER REFERENCES mentions(id),
    answered_at TEXT,
    answer_compound REAL,
    closed_at TEXT,
    close_reason TEXT
);
CREATE INDEX loops_state ON loops (state);
CREATE INDEX loops_account_opened ON loops (account, opened_at);
CREATE TABLE cursors (
    connector TEXT PRIMARY KEY,
    value TEXT,
    updated_at TEXT,
    last_poll_at TEXT,
    last_error TEXT,
    paused_until TEXT,
    pause_reason TEXT,
    calls_spent INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_entity ON audit (entity, entity_id);
"""
