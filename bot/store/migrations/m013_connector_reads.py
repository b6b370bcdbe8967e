"""Version 13: reads a connector spends outside its polls (reconciliation, follow-ups), per UTC month.

A poll counts its own reads in its cursor; these are the others, so that a monthly read budget
covers every read the platform charges for.
"""

SQL = """
CREATE TABLE connector_reads (
    connector TEXT NOT NULL,
    month TEXT NOT NULL,
    reads INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connector, month)
);
"""
