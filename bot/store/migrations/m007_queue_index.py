"""Version 7: indexes that keep every approval-queue filter and the text search fast at 100,000 pending.

Both index tables hold pending suggestions only, so their size follows the queue, not the history:

- ``queue_intents``: one row per (pending suggestion, intent) carrying the queue's sort keys, so an
  intent filter reads its page in queue order straight from ``queue_intents_order``;
- ``queue_text``: the mention text and the author's handle and name of each pending suggestion,
  indexed by ``queue_search``, an FTS5 table over it (trigram tokenizer: case-insensitive
  substring search) whose rowid is the suggestion id.

In the triggers, ``+status`` keeps the planner on the (mention_id, kind) index: through a status index
each triage insert walked every pending suggestion, which made ingest quadratic in the queue size.
Triggers keep them in step with every write path (new suggestion, status change, re-triage, an
author renamed), bulk loads included. The queue-order indexes of m001 and m003 gain ``snoozed_until``
so that counting a filtered queue (up to 10,001 rows) reads the index alone. Rows pending before this version are
indexed by the migration itself.
"""

SQL = """
CREATE TABLE queue_intents (
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
    intent TEXT NOT NULL,
    priority TEXT NOT NULL,
    sla_due TEXT,
    PRIMARY KEY (suggestion_id, intent)
);
CREATE INDEX queue_intents_order ON queue_intents (intent, priority, sla_due, suggestion_id);
CREATE TABLE queue_text (
    suggestion_id INTEGER PRIMARY KEY REFERENCES suggestions(id),
    text TEXT NOT NULL,
    handle TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE VIRTUAL TABLE queue_search USING fts5(text, handle, name, content = 'queue_text',
    content_rowid = 'suggestion_id', tokenize = 'trigram');
CREATE TRIGGER queue_text_add AFTER INSERT ON queue_text
BEGIN
    INSERT INTO queue_search (rowid, text, handle, name) VALUES (new.suggestion_id, new.text, new.handle, new.name);
END;
CREATE TRIGGER queue_text_drop AFTER DELETE ON queue_text
BEGIN
    INSERT INTO queue_search (queue_search, rowid, text, handle, name)
        VALUES ('delete', old.suggestion_id, old.text, old.handle, old.name);
END;
CREATE TRIGGER queue_text_change AFTER UPDATE ON queue_text
BEGIN
    INSERT INTO queue_search (queue_search, rowid, text, handle, name)
        VALUES ('delete', old.suggestion_id, old.text, old.handle, old.name);
    INSERT INTO queue_search (rowid, text, handle, name) VALUES (new.suggestion_id, new.text, new.handle, new.name);
END;

DROP INDEX suggestions_queue;
CREATE INDEX suggestions_queue ON suggestions (status, priority, sla_due, id, snoozed_until);
DROP INDEX suggestions_queue_platform;
CREATE INDEX suggestions_queue_platform ON suggestions (status, platform, priority, sla_due, id, snoozed_until);
DROP INDEX suggestions_queue_account;
CREATE INDEX suggestions_queue_account ON suggestions (status, account, priority, sla_due, id, snoozed_until);
DROP INDEX suggestions_queue_assignee;
CREATE INDEX suggestions_queue_assignee ON suggestions (status, assignee, priority, sla_due, id, snoozed_until);

CREATE TRIGGER queue_index_add AFTER INSERT ON suggestions WHEN new.status = 'pending'
BEGIN
    INSERT OR IGNORE INTO queue_intents (suggestion_id, intent, priority, sla_due)
        SELECT new.id, j.value, new.priority, new.sla_due FROM triage t,
            json_each(iif(json_valid(t.intents), t.intents, '[]')) j
        WHERE t.mention_id = new.mention_id AND j.type = 'text';
    INSERT OR IGNORE INTO queue_text (suggestion_id, text, handle, name)
        SELECT new.id, m.text, a.handle, a.name FROM mentions m JOIN authors a ON a.id = m.author_id
        WHERE m.id = new.mention_id;
END;

CREATE TRIGGER queue_index_back AFTER UPDATE OF status ON suggestions
WHEN old.status != 'pending' AND new.status = 'pending'
BEGIN
    INSERT OR IGNORE INTO queue_intents (suggestion_id, intent, priority, sla_due)
        SELECT new.id, j.value, new.priority, new.sla_due FROM triage t,
            json_each(iif(json_valid(t.intents), t.intents, '[]')) j
        WHERE t.mention_id = new.mention_id AND j.type = 'text';
    INSERT OR IGNORE INTO queue_text (suggestion_id, text, handle, name)
        SELECT new.id, m.text, a.handle, a.name FROM mentions m JOIN authors a ON a.id = m.author_id
        WHERE m.id = new.mention_id;
END;

CREATE TRIGGER queue_index_leave AFTER UPDATE OF status ON suggestions
WHEN old.status = 'pending' AND new.status != 'pending'
BEGIN
    DELETE FROM queue_intents WHERE suggestion_id = old.id;
    DELETE FROM queue_text WHERE suggestion_id = old.id;
END;

CREATE TRIGGER queue_index_order AFTER UPDATE OF priority, sla_due ON suggestions WHEN new.status = 'pending'
BEGIN
    UPDATE queue_intents SET priority = new.priority, sla_due = new.sla_due WHERE suggestion_id = new.id;
END;

CREATE TRIGGER queue_index_triage AFTER INSERT ON triage
BEGIN
    DELETE FROM queue_intents
        WHERE suggestion_id IN (SELECT id FROM suggestions WHERE mention_id = new.mention_id AND +status = 'pending');
    INSERT OR IGNORE INTO queue_intents (suggestion_id, intent, priority, sla_due)
        SELECT s.id, j.value, s.priority, s.sla_due FROM suggestions s,
            json_each(iif(json_valid(new.intents), new.intents, '[]')) j
        WHERE s.mention_id = new.mention_id AND +s.status = 'pending' AND j.type = 'text';
END;

CREATE TRIGGER queue_index_retriage AFTER UPDATE OF intents ON triage
BEGIN
    DELETE FROM queue_intents
        WHERE suggestion_id IN (SELECT id FROM suggestions WHERE mention_id = new.mention_id AND +status = 'pending');
    INSERT OR IGNORE INTO queue_intents (suggestion_id, intent, priority, sla_due)
        SELECT s.id, j.value, s.priority, s.sla_due FROM suggestions s,
            json_each(iif(json_valid(new.intents), new.intents, '[]')) j
        WHERE s.mention_id = new.mention_id AND +s.status = 'pending' AND j.type = 'text';
END;

CREATE TRIGGER queue_search_author AFTER UPDATE OF handle, name ON authors
WHEN old.handle IS NOT new.handle OR old.name IS NOT new.name
BEGIN
    UPDATE queue_text SET handle = new.handle, name = new.name
        WHERE suggestion_id IN (SELECT s.id FROM mentions m JOIN suggestions s ON s.mention_id = m.id
                        WHERE m.author_id = new.id AND +s.status = 'pending');
END;

INSERT OR IGNORE INTO queue_intents (suggestion_id, intent, priority, sla_due)
    SELECT s.id, j.value, s.priority, s.sla_due FROM suggestions s JOIN triage t ON t.mention_id = s.mention_id,
        json_each(iif(json_valid(t.intents), t.intents, '[]')) j
    WHERE s.status = 'pending' AND j.type = 'text';
INSERT INTO queue_text (suggestion_id, text, handle, name)
    SELECT s.id, m.text, a.handle, a.name FROM suggestions s JOIN mentions m ON m.id = s.mention_id
        JOIN authors a ON a.id = m.author_id
    WHERE s.status = 'pending';
"""
