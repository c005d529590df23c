-- The documents of national strategies and action plans (the text as adopted,
-- or the draft), kept with the strategy; each upload is a new row.
CREATE TABLE plan_strategy_documents (
    id           INTEGER PRIMARY KEY,
    strategy_id  BIGINT NOT NULL REFERENCES plan_strategies(id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     BIGINT NOT NULL
);
CREATE INDEX plan_strategy_documents_strategy ON plan_strategy_documents(strategy_id, id);
