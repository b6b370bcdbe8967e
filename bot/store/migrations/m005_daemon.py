"""Version 5: the daemon's bookkeeping: per-job runs and outcomes, and the running instance's heartbeat."""

SQL = """
CREATE TABLE daemon_jobs (
    job TEXT PRIMARY KEY,
    runs INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    last_start TEXT,
    last_end TEXT,
    last_success TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    last_error_at TEXT,
    last_summary TEXT NOT NULL DEFAULT '',
    next_run TEXT
);
CREATE TABLE daemon_instance (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    version TEXT NOT NULL,
    started_at TEXT NOT NULL,
    beat_at TEXT NOT NULL,
    stopped_at TEXT,
    web_url TEXT NOT NULL DEFAULT ''
);
"""
