-- API writes sent with an `Idempotency-Key` header (docs/api.md): the first
-- request's answer, kept for a day, so that a retry gets it back instead of
-- writing twice. A key belongs to its caller (`token:<id>`, `user:<id>`, or
-- `client:<digest>` for anonymous callers); the fingerprint (SHA-256 of the
-- method, path, query and body) tells a retry from a reuse of the key for
-- another request. `committed` is set inside every transaction the request
-- runs, so it becomes 1 exactly when one of its writes committed: a request
-- that died while pending with nothing committed may be run again; one that
-- committed but lost its answer is reported, never repeated.
CREATE TABLE idempotency_keys (
    caller       TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    committed    BIGINT NOT NULL DEFAULT 0,
    status       BIGINT,
    content_type TEXT,
    location     TEXT,
    body         BLOB,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys(created_at);
