"""Version 2: the do-not-contact list, and an index for assigned queue items."""

SQL = """
CREATE TABLE do_not_contact (
    platform TEXT NOT NULL,
    handle TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (platform, handle)
);
CREATE INDEX suggestions_assignee ON suggestions (assignee, status);
"""
