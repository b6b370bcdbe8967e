"""Version 8: a small work list of mentions waiting for triage, kept by triggers.

Finding untriaged mentions by joining every mention with its triage row costs a scan of the whole
history (a second or more at a million mentions); this list holds only the waiting ones.
"""

SQL = """
CREATE TABLE untriaged (mention_id INTEGER PRIMARY KEY REFERENCES mentions(id));
INSERT INTO untriaged (mention_id)
    SELECT m.id FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id
    WHERE t.mention_id IS NULL AND m.kind = 'mention';
CREATE TRIGGER untriaged_on_mention AFTER INSERT ON mentions WHEN NEW.kind = 'mention' BEGIN
    INSERT OR IGNORE INTO untriaged (mention_id)
        SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM triage WHERE mention_id = NEW.id);
END;
CREATE TRIGGER untriaged_on_triage AFTER INSERT ON triage BEGIN
    DELETE FROM untriaged WHERE mention_id = NEW.mention_id;
END;
"""
