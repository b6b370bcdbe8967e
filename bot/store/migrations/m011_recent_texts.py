"""Version 11: copies of a text are counted over a recent window, in a small table of recent texts.

Triage's "the same text from N authors" count used to read ``mentions_text_hash`` over the whole
history: a generic short text ("thank you!", "love it") piled up authors for ever, so ordinary
customers were flagged as spam as the database grew, and the index's random keys dirtied a cold
page per ingested mention. Spam waves are recent: the count now reads ``recent_texts``, one row per
stored mention (filled by a trigger, so every way of inserting a mention fills it in the same
transaction), which the daily maintenance prunes to ``[triage] spam_same_text_days``.

The backfill takes the 90 days before the newest stored mention (the migration cannot read the
setting; the first maintenance run trims it to the window), and ``mentions_text_hash`` goes: the
``text_hash`` column stays, the trigger copies it.
"""

SQL = """
CREATE TABLE recent_texts (
    text_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    mention_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    PRIMARY KEY (text_hash, created_at, mention_id)
) WITHOUT ROWID;
INSERT INTO recent_texts (text_hash, created_at, mention_id, author_id)
    SELECT text_hash, created_at, id, author_id FROM mentions
    WHERE created_at >= (SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', max(created_at), '-90 days') FROM mentions);
CREATE TRIGGER recent_texts_on_mention AFTER INSERT ON mentions BEGIN
    INSERT OR IGNORE INTO recent_texts (text_hash, created_at, mention_id, author_id)
        VALUES (NEW.text_hash, NEW.created_at, NEW.id, NEW.author_id);
END;
DROP INDEX IF EXISTS mentions_text_hash;
"""
