-- Sign-in throttling per (account, client) with growing delays instead of a
-- hard lock (docs/security.md). An attempt is reserved here, counted as a
-- failure, before its password is verified: the row is written first in the
-- reserving transaction, which takes SQLite's write lock or PostgreSQL's row
-- lock, so concurrent attempts, on any node, are counted one after another.
-- A success deletes the row; `accord user unlock` deletes an account's rows.
CREATE TABLE sign_in_throttle (
    username        TEXT NOT NULL,
    client          TEXT NOT NULL,
    failures        BIGINT NOT NULL,
    last_at         BIGINT NOT NULL,
    next_allowed_at BIGINT NOT NULL,
    PRIMARY KEY (username, client)
);
-- Rows older than the window count for nothing; a successful sign-in sweeps them.
CREATE INDEX sign_in_throttle_last_at ON sign_in_throttle(last_at);

-- The per-account and per-address counts it replaces.
DROP TABLE login_attempts;
