-- The agreement procedure's rule as data, in immutable versions: the rule new
-- proposals are opened under, the reverse-consensus period of delisting
-- recommendations and the periodic-review interval. A proposal keeps the rule
-- it was opened under (list_proposals.rule), so a new version never moves a
-- running deadline. No row: the built-in UN 1267 default.
CREATE TABLE procedure_rules (
    version    BIGINT PRIMARY KEY,
    settings   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);

CREATE TRIGGER procedure_rules_no_update BEFORE UPDATE ON procedure_rules
BEGIN SELECT RAISE(ABORT, 'procedure rule versions are immutable'); END;
CREATE TRIGGER procedure_rules_no_delete BEFORE DELETE ON procedure_rules
BEGIN SELECT RAISE(ABORT, 'procedure rule versions are immutable'); END;
