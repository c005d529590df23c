-- Hash sharing (accord-hashes::bank): banks, their hashes (never the
-- content), members' feedback, and the change feed's counter. A hash is
-- never deleted: removal and retraction are states the feed carries.
-- Every change of a hash takes the next number from hash_feed inside its
-- transaction; the row lock orders the writers, so a reader that has seen
-- number N has seen every change numbered below it (on every node).
CREATE TABLE hash_banks (
    id         TEXT PRIMARY KEY,
    doc        TEXT NOT NULL,
    owner      TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE bank_hashes (
    id          INTEGER PRIMARY KEY,
    bank_id     TEXT NOT NULL REFERENCES hash_banks(id),
    signal_type TEXT NOT NULL,
    signal      TEXT NOT NULL,
    quality     BIGINT,
    labels      TEXT NOT NULL,
    -- The common-list subject it is attributed to (also in labels), so a
    -- delisting finds its hashes.
    entity_subject TEXT,
    state       TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (bank_id, signal_type, signal)
);
CREATE UNIQUE INDEX bank_hashes_seq ON bank_hashes(seq);
CREATE INDEX bank_hashes_subject ON bank_hashes(entity_subject);
CREATE TABLE hash_feed (
    id  BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO hash_feed (id, seq) VALUES (1, 0);
CREATE TABLE hash_feedback (
    hash_id BIGINT NOT NULL REFERENCES bank_hashes(id),
    member  TEXT NOT NULL,
    verdict TEXT NOT NULL,
    by_user TEXT NOT NULL,
    at      BIGINT NOT NULL,
    PRIMARY KEY (hash_id, member)
);
