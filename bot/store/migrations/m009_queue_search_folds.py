"""Version 9: the pending items whose text the trigram index folds differently from LIKE.

A search counts its matches through the trigram index alone when every term is ASCII and at least
three characters long: for such terms a ``queue_search`` match is a LIKE match, except on text
holding one of the two characters SQLite's trigram tokenizer folds onto an ASCII letter while LIKE
does not (U+212A KELVIN SIGN to ``k``, U+017F LATIN SMALL LETTER LONG S to ``s``; found by trying
every code point, and checked again by tests/store/test_queue_query.py). Those rare items are
listed in ``queue_text_folds`` and still checked with LIKE, so results stay those of LIKE.

The list follows ``queue_text`` (pending items only) through triggers; the one on insert looks for
the two characters in the new row's text (about 0.1 µs; bench/bench_queue_page.py measures it).
"""



def holds_folds(row: str) -> str:
    """The SQL test for a ``queue_text`` row (``row`` is "new." or "") holding one of the two characters.

    instr() on each column: about 0.1 µs a row, where a GLOB pattern or a concatenation costs several times more.
    """
    return "(" + " OR ".join(f"instr({row}{column}, char({code}))" for column in ("text", "handle", "name")
                             for code in (0x212A, 0x17F)) + ")"


SQL = f"""
CREATE TABLE queue_text_folds (suggestion_id INTEGER PRIMARY KEY REFERENCES suggestions(id));
CREATE TRIGGER queue_folds_add AFTER INSERT ON queue_text
WHEN {holds_folds("new.")}
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
        SELECT new.suggestion_id WHERE {holds_folds("new.")};
END;
INSERT INTO queue_text_folds (suggestion_id)
    SELECT suggestion_id FROM queue_text WHERE {holds_folds("")};
"""
