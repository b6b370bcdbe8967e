"""Version 9: the pending items whose text the trigram index folds differently from LIKE.

A search counts its matches through the trigram index alone when every term is ASCII and at least
three characters long: for such terms a ``queue_search`` match is a LIKE match, except on text
holding one of the two characters SQLite's trigram tokenizer folds onto an ASCII letter while LIKE
does not (U+212A KELVIN SIGN to ``k``, U+017F LATIN SMALL LETTER LONG S to ``s``; found by trying
every code point, and checked again by tests/store/test_queue_folds.py). Those rare items are
listed in ``queue_text_folds`` and still checked with LIKE, so results stay those of LIKE.

The list follows ``queue_text`` (pending items only) through triggers; the one on insert costs a
scan of the new row's text for the two characters.
"""

SQL = """
CREATE TABLE queue_text_folds (suggestion_id INTEGER PRIMARY KEY REFERENCES suggestions(id));
CREATE TRIGGER queue_folds_add AFTER INSERT ON queue_text
WHEN new.text || new.handle || new.name GLOB ('*[' || char(8490, 383) || ']*')
BEGIN
    INSERT OR IGNORE INTO queue_text_folds (suggestion_id) VALUES (new.suggestion_id);
END;
CREATE TRIGGER queue_folds_drop AFTER DELETE ON queue_text
BEGIN
    DELETE FROM queue_text_folds WHERE suggestion_id = old.suggestion_id;
END;
CREATE TRIGGER queue_folds_change AFTER UPDATE ON queue_text
BEGIN
    DELETE FROM queue_text_folds WHERE suggestion_id = old.suggestion_id;
    INSERT OR IGNORE INTO queue_text_folds (suggestion_id)
        SELECT new.suggestion_id WHERE new.text || new.handle || new.name GLOB ('*[' || char(8490, 383) || ']*');
END;
INSERT INTO queue_text_folds (suggestion_id)
    SELECT suggestion_id FROM queue_text WHERE text || handle || name GLOB ('*[' || char(8490, 383) || ']*');
"""
