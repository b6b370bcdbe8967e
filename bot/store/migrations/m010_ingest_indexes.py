"""Version 10: one index fewer to write per ingested mention.

``mentions_thread (platform, thread_id)`` is a prefix of m004's ``mentions_thread_author (platform,
thread_id, author_id, created_at)``: every look-up by thread can use the longer one, so the shorter
one only cost a B-tree insert per mention (a cold page once the history outgrows the page cache).
"""

SQL = """
DROP INDEX IF EXISTS mentions_thread;
"""
